// TransformerModel: the forward pass shared by every decoder-only architecture here (llama,
// qwen2, qwen3, phi3, gemma2, gemma3), for the model's own sequence or for several sequences at
// once (each with its own KV cache; see SharedDecoder). The block structure is in TransformerBlock.swift; what
// differs between architectures is data (optional tensors, scales, caps, windows, RoPE
// settings), chosen by each architecture file through a TransformerRecipe.
//
// Input: token_embd rows (times the recipe's embedding scale). Output: RMSNorm(x, output_norm)
// through `output.weight` (or token_embd when the file has none), plus its bias, then the
// optional final soft-cap.

import Kernels

/// A decoder-only transformer built from `TransformerBlock`s.
final class TransformerModel: LanguageModel {
    let config: ModelConfig

    let tokenEmbedding: WeightMatrix
    let embeddingScale: Float?
    let blocks: [TransformerBlock]
    /// The distinct rotary embeddings the blocks use (`TransformerBlock.ropeIndex`).
    let ropes: [RotaryEmbedding]
    let outputNorm: FloatBuffer
    let output: Linear
    let activation: FeedForwardActivation
    let finalLogitSoftcap: Float?
    let runtime: DecoderRuntime
    let scratch: Scratch
    /// The KV cache of the model's own sequence (what `forward(_:startPosition:allLogits:)` uses).
    let cache: KVCache

    init(config: ModelConfig, threads: Int, tokenEmbedding: WeightMatrix, embeddingScale: Float?,
         blocks: [TransformerBlock], ropes: [RotaryEmbedding], outputNorm: FloatBuffer, output: Linear,
         activation: FeedForwardActivation, finalLogitSoftcap: Float?) throws {
        self.config = config
        self.tokenEmbedding = tokenEmbedding
        self.embeddingScale = embeddingScale
        self.blocks = blocks
        self.ropes = ropes
        self.outputNorm = outputNorm
        self.output = output
        self.activation = activation
        self.finalLogitSoftcap = finalLogitSoftcap
        runtime = try DecoderRuntime(config: config, windows: blocks.map(\.attention.window), threads: threads)
        let fusedWidth = blocks.map { block -> Int in
            var width = 0
            if case .fused(let qkv) = block.projection { width = qkv.rows }
            if case .fused(let gateUp) = block.feedForward { width = max(width, gateUp.rows) }
            return width
        }.max() ?? 0
        scratch = Scratch(config: config, batch: runtime.maxBatch, fusedWidth: fusedWidth)
        cache = try runtime.makeCache()
    }

    func resetCache() { cache.reset() }

    var maxRewind: Int { cache.maxRewind }

    func forward(_ tokens: [Int32], startPosition: Int, allLogits: Bool) throws -> [Float] {
        try forward(tokens, startPosition: startPosition, allLogits: allLogits, cache: cache)
    }

    /// `forward(_:startPosition:allLogits:)` on the sequence whose keys and values `cache` holds.
    func forward(_ tokens: [Int32], startPosition: Int, allLogits: Bool, cache: KVCache) throws -> [Float] {
        let batches = try runtime.batches(of: tokens, startPosition: startPosition, cache: cache)
        return runtime.logits(rows: allLogits ? tokens.count : 1) { logits in
            var row = 0
            for batch in batches {
                let wanted = runtime.outputRows(of: batch, total: tokens.count, startPosition: startPosition,
                                                allLogits: allLogits)
                run([Segment(batch: batch, cache: cache, logitsRows: wanted, offset: 0)],
                    into: logits + row * config.vocabSize)
                row += wanted.count
                cache.didCache(upTo: batch.positions.upperBound)
            }
        }
    }

    /// Several sequences in one pass, one batch each (typically one decoding step each): every
    /// weight row is read once for all of them. Returns each batch's last-token logits, exactly
    /// as `forward` on that sequence alone would.
    ///
    /// - Precondition: each batch was made by `runtime.batches` for its cache, the caches are
    ///   distinct, and the batches hold at most `runtime.maxBatch` tokens in all.
    func forward(_ parts: [(batch: DecoderRuntime.Batch, cache: KVCache)]) -> [[Float]] {
        var segments: [Segment] = []
        var offset = 0
        for (batch, cache) in parts {
            segments.append(Segment(batch: batch, cache: cache, logitsRows: batch.count - 1..<batch.count, offset: offset))
            offset += batch.count
        }
        precondition(offset <= runtime.maxBatch, "multi-sequence forward of \(offset) tokens exceeds the batch size")
        let vocab = config.vocabSize
        let logits = runtime.logits(rows: parts.count) { logits in run(segments, into: logits) }
        for (batch, cache) in parts { cache.didCache(upTo: batch.positions.upperBound) }
        return (0..<parts.count).map { Array(logits[$0 * vocab..<($0 + 1) * vocab]) }
    }

    /// A run of consecutive tokens of one sequence within a pass.
    private struct Segment {
        let batch: DecoderRuntime.Batch
        /// The sequence's cache, which this batch extends.
        let cache: KVCache
        /// Rows of the batch whose logits are wanted.
        let logitsRows: Range<Int>
        /// Index of the batch's first token among all tokens of the pass.
        let offset: Int
    }

    /// The segments' tokens through every block together (products, norms, FFN on all of them;
    /// RoPE, cache stores and attention per segment), then logits for each segment's
    /// `logitsRows`, segment after segment.
    private func run(_ segments: [Segment], into logits: UnsafeMutablePointer<Float>) {
        let s = scratch, e = config.embeddingLength
        var owners: [Int] = []   // the segment of each token
        for (index, segment) in segments.enumerated() {
            for (t, id) in segment.batch.tokens.enumerated() {
                Kernels.dequantizeRow(tokenEmbedding, row: Int(id), into: s.x[offset: (segment.offset + t) * e])
            }
            owners += repeatElement(index, count: segment.batch.count)
        }
        let n = owners.count
        if let embeddingScale { Ops.scale(s.x.pointer, by: embeddingScale, count: n * e) }

        let tables = segments.map { segment in ropes.map { $0.table(for: segment.batch.positions) } }
        for (i, block) in blocks.enumerated() {
            attention(block, layer: i, segments: segments, owners: owners, tables: tables)
            feedForward(block, tokens: n)
        }

        var rows = 0
        for segment in segments where !segment.logitsRows.isEmpty {
            let first = segment.offset + segment.logitsRows.lowerBound
            Ops.rmsNorm(rows: segment.logitsRows.count, s.x[offset: first * e], weight: outputNorm.pointer,
                        count: e, epsilon: config.rmsEpsilon, into: s.normed[offset: rows * e])
            rows += segment.logitsRows.count
        }
        guard rows > 0 else { return }
        output.apply(s.normed.pointer, tokens: rows, into: logits, pool: runtime.pool)
        if let cap = finalLogitSoftcap {
            let vocab = config.vocabSize
            runtime.pool.parallelFor(rows) { r in Ops.softcap(logits + r * vocab, count: vocab, cap: cap) }
        }
    }

    /// x += [post-norm](attention(RMSNorm(x))·Wo), caching each segment's keys and values in its
    /// cache's layer `layer`. `owners[t]` is token t's segment, `tables[segment]` its RoPE tables.
    private func attention(_ block: TransformerBlock, layer: Int, segments: [Segment], owners: [Int],
                           tables: [[RotaryEmbedding.Table]]) {
        let s = scratch, n = owners.count, e = config.embeddingLength, eps = config.rmsEpsilon
        let heads = config.headCount, kvHeads = config.headCountKV, dk = config.keyLength
        let queryWidth = heads * dk, keyWidth = kvHeads * dk, valueWidth = kvHeads * config.valueLength
        let attentionWidth = heads * config.valueLength
        let pool = runtime.pool, rope = ropes[block.ropeIndex]

        Ops.rmsNorm(rows: n, s.x.pointer, weight: block.attentionNorm.pointer, count: e, epsilon: eps,
                    into: s.normed.pointer)
        switch block.projection {
        case .separate(let query, let key, let value):
            Linear.apply([(query, s.q.pointer), (key, s.k.pointer), (value, s.v.pointer)], s.normed.pointer, tokens: n, pool: pool)
        case .fused(let qkv):
            qkv.apply(s.normed.pointer, tokens: n, into: s.fused.pointer, pool: pool)
            let width = qkv.rows
            for t in 0..<n {
                let row = s.fused[offset: t * width]
                s.q[offset: t * queryWidth].update(from: row, count: queryWidth)
                s.k[offset: t * keyWidth].update(from: row + queryWidth, count: keyWidth)
                s.v[offset: t * valueWidth].update(from: row + queryWidth + keyWidth, count: valueWidth)
            }
        }

        pool.parallelFor(n) { t in
            let segment = segments[owners[t]], table = tables[owners[t]][block.ropeIndex]
            let position = segment.batch.firstPosition + t - segment.offset
            let q = s.q[offset: t * queryWidth], k = s.k[offset: t * keyWidth]
            if let queryNorm = block.queryNorm, let keyNorm = block.keyNorm {
                Ops.rmsNorm(rows: heads, q, weight: queryNorm.pointer, count: dk, epsilon: eps, into: q)
                Ops.rmsNorm(rows: kvHeads, k, weight: keyNorm.pointer, count: dk, epsilon: eps, into: k)
            }
            rope.apply(q, heads: heads, headStride: dk, position: position, table: table)
            rope.apply(k, heads: kvHeads, headStride: dk, position: position, table: table)
            segment.cache.layers[layer].store(position: position, key: k, value: s.v[offset: t * valueWidth])
        }

        let parts = segments.map { segment in
            AttentionPart(queries: s.q[offset: segment.offset * queryWidth], tokens: segment.batch.count,
                          firstPosition: segment.batch.firstPosition, cache: segment.cache.layers[layer],
                          output: s.attention[offset: segment.offset * attentionWidth])
        }
        Ops.attention(parts, shape: block.attention, pool: pool)
        block.attentionOutput.apply(s.attention.pointer, tokens: n, into: s.projected.pointer, pool: pool)
        if let norm = block.postAttentionNorm {
            Ops.rmsNorm(rows: n, s.projected.pointer, weight: norm.pointer, count: e, epsilon: eps,
                        into: s.projected.pointer)
        }
        Ops.add(s.projected.pointer, into: s.x.pointer, count: n * e)
    }

    /// x += [post-norm](FFN(RMSNorm(x, ffn_norm))), FFN(h) = (act(h·Wgate) ⊙ h·Wup)·Wdown.
    private func feedForward(_ block: TransformerBlock, tokens n: Int) {
        let s = scratch, e = config.embeddingLength, f = config.feedForwardLength
        let eps = config.rmsEpsilon, pool = runtime.pool, activation = activation

        Ops.rmsNorm(rows: n, s.x.pointer, weight: block.feedForwardNorm.pointer, count: e, epsilon: eps,
                    into: s.normed.pointer)
        switch block.feedForward {
        case .separate(let gate, let up):
            Linear.apply([(gate, s.gate.pointer), (up, s.up.pointer)], s.normed.pointer, tokens: n, pool: pool)
            pool.parallelFor(n) { t in
                activation.apply(gate: s.gate[offset: t * f], up: s.up[offset: t * f], count: f)
            }
        case .fused(let gateUp):
            gateUp.apply(s.normed.pointer, tokens: n, into: s.fused.pointer, pool: pool)
            pool.parallelFor(n) { t in
                let row = s.fused[offset: t * 2 * f]
                activation.apply(gate: row, up: row + f, count: f)
                s.gate[offset: t * f].update(from: row, count: f)
            }
        }
        block.down.apply(s.gate.pointer, tokens: n, into: s.projected.pointer, pool: pool)
        if let norm = block.postFeedForwardNorm {
            Ops.rmsNorm(rows: n, s.projected.pointer, weight: norm.pointer, count: e, epsilon: eps,
                        into: s.projected.pointer)
        }
        Ops.add(s.projected.pointer, into: s.x.pointer, count: n * e)
    }
}
