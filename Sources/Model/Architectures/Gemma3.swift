// Gemma 3 (general.architecture = "gemma3"), text decoder.
//
// Per block, for a batch of tokens x (n × n_embd):
//   h = RMSNorm(x, attn_norm)
//   q, k, v = h·Wq, h·Wk, h·Wv
//   q, k = RMSNorm per head (attn_q_norm, attn_k_norm), then RoPE (NeoX pairing),
//          base 1e6 on global layers and 1e4 on sliding-window (local) layers
//   a = attention(q, cached k/v), scale 1/√head_dim, 4 query heads per KV head,
//       local layers (i % 6 < 5) see only the last 512 positions
//   x = x + RMSNorm(a·Wo, post_attention_norm)
//   h = RMSNorm(x, ffn_norm)
//   x = x + RMSNorm((gelu_tanh(h·Wgate) ⊙ h·Wup)·Wdown, post_ffw_norm)
// Input: token_embd rows scaled by √n_embd (float32); output: RMSNorm(x, output_norm)·token_embdᵀ
// (tied unless the file has output.weight). Norm weights are used as stored (they include
// Gemma's +1).

import GGUF
import Kernels

/// The gemma3 text model.
public final class Gemma3Model: LanguageModel, Architecture {
    static let names = ["gemma3"]

    public let config: ModelConfig

    /// One transformer block's weights (matrices are views into the mapped file).
    struct Block {
        let attentionNorm: FloatBuffer
        let query, key, value, attentionOutput: WeightMatrix
        let queryNorm, keyNorm: FloatBuffer
        let postAttentionNorm: FloatBuffer
        let feedForwardNorm: FloatBuffer
        let gate, up, down: WeightMatrix
        let postFeedForwardNorm: FloatBuffer
        let attention: AttentionShape
        /// A sliding-window layer, with the local RoPE base.
        let isLocal: Bool
    }

    let tokenEmbedding: WeightMatrix
    let blocks: [Block]
    let outputNorm: FloatBuffer
    let output: WeightMatrix
    let embeddingScale: Float
    let localRope: RotaryEmbedding
    let globalRope: RotaryEmbedding
    let runtime: DecoderRuntime
    let scratch: Scratch

    /// √n_embd in float32 (25.298221 for n_embd 640), the scale of token embeddings.
    /// It is not rounded to bf16 as some other implementations do.
    public static func embeddingScale(embeddingLength: Int) -> Float {
        Float(embeddingLength).squareRoot()
    }

    static func load(_ source: ModelSource) throws -> any LanguageModel {
        try Gemma3Model(source)
    }

    init(_ source: ModelSource) throws {
        var config = try ModelConfig.read(from: source.gguf, contextLength: source.contextLength)
        let meta = MetadataReader(gguf: source.gguf, prefix: config.architecture)
        if config.slidingWindow != nil {
            config.slidingWindowLayers = try meta.slidingWindowLayers(blockCount: config.blockCount, defaultPattern: 6)
        }
        config.ropeFreqBaseLocal = try meta.optionalFloat("rope.freq_base_swa", in: 1...1e12) ?? 10_000
        self.config = config

        let e = config.embeddingLength, f = config.feedForwardLength
        let heads = config.headCount, kvHeads = config.headCountKV
        let dk = config.keyLength, dv = config.valueLength
        let tensors = source.tensors
        tokenEmbedding = try tensors.matrix("token_embd.weight", rows: config.vocabSize, cols: e)
        outputNorm = FloatBuffer(try tensors.vector("output_norm.weight", count: e))
        output = try tensors.optionalMatrix("output.weight", rows: config.vocabSize, cols: e) ?? tokenEmbedding
        embeddingScale = Self.embeddingScale(embeddingLength: e)

        // llama.cpp: the 27B model (62 blocks) scales queries by 1/√(n_embd / n_head) instead.
        let queryScale = config.blockCount == 62
            ? 1 / Float(e / heads).squareRoot()
            : 1 / Float(dk).squareRoot()

        blocks = try (0..<config.blockCount).map { i in
            let local = config.slidingWindowLayers[i]
            let name = { (tensor: String) in "blk.\(i).\(tensor).weight" }
            return Block(
                attentionNorm: FloatBuffer(try tensors.vector(name("attn_norm"), count: e)),
                query: try tensors.matrix(name("attn_q"), rows: heads * dk, cols: e),
                key: try tensors.matrix(name("attn_k"), rows: kvHeads * dk, cols: e),
                value: try tensors.matrix(name("attn_v"), rows: kvHeads * dv, cols: e),
                attentionOutput: try tensors.matrix(name("attn_output"), rows: e, cols: heads * dv),
                queryNorm: FloatBuffer(try tensors.vector(name("attn_q_norm"), count: dk)),
                keyNorm: FloatBuffer(try tensors.vector(name("attn_k_norm"), count: dk)),
                postAttentionNorm: FloatBuffer(try tensors.vector(name("post_attention_norm"), count: e)),
                feedForwardNorm: FloatBuffer(try tensors.vector(name("ffn_norm"), count: e)),
                gate: try tensors.matrix(name("ffn_gate"), rows: f, cols: e),
                up: try tensors.matrix(name("ffn_up"), rows: f, cols: e),
                down: try tensors.matrix(name("ffn_down"), rows: e, cols: f),
                postFeedForwardNorm: FloatBuffer(try tensors.vector(name("post_ffw_norm"), count: e)),
                attention: AttentionShape(headCount: heads, kvHeadCount: kvHeads, keyLength: dk, valueLength: dv,
                                          scale: queryScale, window: local ? config.slidingWindow : nil),
                isLocal: local)
        }
        // llama.cpp applies rope scaling to the global layers only (the local base is unscaled).
        localRope = RotaryEmbedding(dimensions: dk, base: config.ropeFreqBaseLocal, pairing: .neox)
        globalRope = RotaryEmbedding(dimensions: dk, base: config.ropeFreqBase, freqScale: config.ropeFreqScale,
                                     pairing: .neox)
        runtime = try DecoderRuntime(config: config, windows: blocks.map(\.attention.window), threads: source.threads)
        scratch = Scratch(config: config, batch: runtime.maxBatch)
    }

    public func resetCache() { runtime.reset() }

    public func forward(_ tokens: [Int32], startPosition: Int, allLogits: Bool) throws -> [Float] {
        let batches = try runtime.batches(of: tokens, startPosition: startPosition)
        let logits = runtime.logits(rows: allLogits ? tokens.count : 1) { logits in
            var row = 0
            for batch in batches {
                let wanted = runtime.outputRows(of: batch, total: tokens.count, startPosition: startPosition,
                                                allLogits: allLogits)
                run(batch, logitsRows: wanted, into: logits + row * config.vocabSize)
                row += wanted.count
                runtime.didCache(upTo: batch.positions.upperBound)
            }
        }
        return logits
    }

    /// One batch through every block, then logits for the rows `logitsRows` of the batch.
    private func run(_ batch: DecoderRuntime.Batch, logitsRows: Range<Int>, into logits: UnsafeMutablePointer<Float>) {
        let s = scratch, e = config.embeddingLength, n = batch.count

        // Token embeddings, scaled by √n_embd.
        for (t, id) in batch.tokens.enumerated() {
            Kernels.dequantizeRow(tokenEmbedding, row: Int(id), into: s.x[offset: t * e])
        }
        Ops.scale(s.x.pointer, by: embeddingScale, count: n * e)

        let localAngles = localRope.table(for: batch.positions)
        let globalAngles = globalRope.table(for: batch.positions)
        for (i, block) in blocks.enumerated() {
            attention(block, cache: runtime.cache[i], batch: batch,
                      rope: block.isLocal ? (localRope, localAngles) : (globalRope, globalAngles))
            feedForward(block, tokens: n)
        }

        guard !logitsRows.isEmpty else { return }
        Ops.rmsNorm(rows: logitsRows.count, s.x[offset: logitsRows.lowerBound * e], weight: outputNorm.pointer,
                    count: e, epsilon: config.rmsEpsilon, into: s.normed.pointer)
        Kernels.matmul(output, s.normed.pointer, tokens: logitsRows.count, logits, pool: runtime.pool)
    }

    /// x += RMSNorm(attention(RMSNorm(x))·Wo, post_attention_norm), caching this batch's keys and values.
    private func attention(_ block: Block, cache: KVCacheLayer, batch: DecoderRuntime.Batch,
                           rope: (embedding: RotaryEmbedding, angles: RotaryEmbedding.Table)) {
        let s = scratch, n = batch.count, e = config.embeddingLength, eps = config.rmsEpsilon
        let heads = config.headCount, kvHeads = config.headCountKV, dk = config.keyLength
        let pool = runtime.pool

        Ops.rmsNorm(rows: n, s.x.pointer, weight: block.attentionNorm.pointer, count: e, epsilon: eps, into: s.normed.pointer)
        Kernels.matmul([(block.query, s.q.pointer), (block.key, s.k.pointer), (block.value, s.v.pointer)],
                       s.normed.pointer, tokens: n, pool: pool)

        pool.parallelFor(n) { t in
            let position = batch.firstPosition + t
            let q = s.q[offset: t * heads * dk], k = s.k[offset: t * kvHeads * dk]
            Ops.rmsNorm(rows: heads, q, weight: block.queryNorm.pointer, count: dk, epsilon: eps, into: q)
            Ops.rmsNorm(rows: kvHeads, k, weight: block.keyNorm.pointer, count: dk, epsilon: eps, into: k)
            rope.embedding.apply(q, heads: heads, headStride: dk, position: position, table: rope.angles)
            rope.embedding.apply(k, heads: kvHeads, headStride: dk, position: position, table: rope.angles)
            cache.store(position: position, key: k, value: s.v[offset: t * cache.valueWidth])
        }

        Ops.attention(queries: s.q.pointer, tokens: n, firstPosition: batch.firstPosition, cache: cache,
                      shape: block.attention, into: s.attention.pointer, pool: pool)
        Kernels.matmul(block.attentionOutput, s.attention.pointer, tokens: n, s.projected.pointer, pool: pool)
        Ops.rmsNorm(rows: n, s.projected.pointer, weight: block.postAttentionNorm.pointer, count: e, epsilon: eps,
                    into: s.projected.pointer)
        Ops.add(s.projected.pointer, into: s.x.pointer, count: n * e)
    }

    /// x += RMSNorm(FFN(RMSNorm(x, ffn_norm)), post_ffw_norm), FFN(h) = (gelu_tanh(h·Wgate) ⊙ h·Wup)·Wdown.
    private func feedForward(_ block: Block, tokens n: Int) {
        let s = scratch, e = config.embeddingLength, eps = config.rmsEpsilon, pool = runtime.pool

        Ops.rmsNorm(rows: n, s.x.pointer, weight: block.feedForwardNorm.pointer, count: e, epsilon: eps, into: s.normed.pointer)
        Kernels.matmul([(block.gate, s.gate.pointer), (block.up, s.up.pointer)], s.normed.pointer, tokens: n, pool: pool)
        let f = config.feedForwardLength
        pool.parallelFor(n) { t in Ops.geluGate(s.gate[offset: t * f], up: s.up[offset: t * f], count: f) }
        Kernels.matmul(block.down, s.gate.pointer, tokens: n, s.projected.pointer, pool: pool)
        Ops.rmsNorm(rows: n, s.projected.pointer, weight: block.postFeedForwardNorm.pointer, count: e, epsilon: eps,
                    into: s.projected.pointer)
        Ops.add(s.projected.pointer, into: s.x.pointer, count: n * e)
    }
}
