// TransformerModel: the forward pass shared by every decoder-only architecture here (llama,
// qwen2, qwen3, phi3, gemma2, gemma3). The block structure is in TransformerBlock.swift; what
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
    }

    func resetCache() { runtime.reset() }

    func forward(_ tokens: [Int32], startPosition: Int, allLogits: Bool) throws -> [Float] {
        let batches = try runtime.batches(of: tokens, startPosition: startPosition)
        return runtime.logits(rows: allLogits ? tokens.count : 1) { logits in
            var row = 0
            for batch in batches {
                let wanted = runtime.outputRows(of: batch, total: tokens.count, startPosition: startPosition,
                                                allLogits: allLogits)
                run(batch, logitsRows: wanted, into: logits + row * config.vocabSize)
                row += wanted.count
                runtime.didCache(upTo: batch.positions.upperBound)
            }
        }
    }

    /// One batch through every block, then logits for the rows `logitsRows` of the batch.
    private func run(_ batch: DecoderRuntime.Batch, logitsRows: Range<Int>, into logits: UnsafeMutablePointer<Float>) {
        let s = scratch, e = config.embeddingLength, n = batch.count

        for (t, id) in batch.tokens.enumerated() {
            Kernels.dequantizeRow(tokenEmbedding, row: Int(id), into: s.x[offset: t * e])
        }
        if let embeddingScale { Ops.scale(s.x.pointer, by: embeddingScale, count: n * e) }

        let tables = ropes.map { $0.table(for: batch.positions) }
        for (i, block) in blocks.enumerated() {
            attention(block, cache: runtime.cache[i], batch: batch, rope: ropes[block.ropeIndex],
                      table: tables[block.ropeIndex])
            feedForward(block, tokens: n)
        }

        guard !logitsRows.isEmpty else { return }
        let rows = logitsRows.count
        Ops.rmsNorm(rows: rows, s.x[offset: logitsRows.lowerBound * e], weight: outputNorm.pointer,
                    count: e, epsilon: config.rmsEpsilon, into: s.normed.pointer)
        output.apply(s.normed.pointer, tokens: rows, into: logits, pool: runtime.pool)
        if let cap = finalLogitSoftcap {
            let vocab = config.vocabSize
            runtime.pool.parallelFor(rows) { r in Ops.softcap(logits + r * vocab, count: vocab, cap: cap) }
        }
    }

    /// x += [post-norm](attention(RMSNorm(x))·Wo), caching this batch's keys and values.
    private func attention(_ block: TransformerBlock, cache: KVCacheLayer, batch: DecoderRuntime.Batch,
                           rope: RotaryEmbedding, table: RotaryEmbedding.Table) {
        let s = scratch, n = batch.count, e = config.embeddingLength, eps = config.rmsEpsilon
        let heads = config.headCount, kvHeads = config.headCountKV, dk = config.keyLength
        let queryWidth = heads * dk, keyWidth = kvHeads * dk, valueWidth = kvHeads * config.valueLength
        let pool = runtime.pool

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
            let position = batch.firstPosition + t
            let q = s.q[offset: t * queryWidth], k = s.k[offset: t * keyWidth]
            if let queryNorm = block.queryNorm, let keyNorm = block.keyNorm {
                Ops.rmsNorm(rows: heads, q, weight: queryNorm.pointer, count: dk, epsilon: eps, into: q)
                Ops.rmsNorm(rows: kvHeads, k, weight: keyNorm.pointer, count: dk, epsilon: eps, into: k)
            }
            rope.apply(q, heads: heads, headStride: dk, position: position, table: table)
            rope.apply(k, heads: kvHeads, headStride: dk, position: position, table: table)
            cache.store(position: position, key: k, value: s.v[offset: t * valueWidth])
        }

        Ops.attention(queries: s.q.pointer, tokens: n, firstPosition: batch.firstPosition, cache: cache,
                      shape: block.attention, into: s.attention.pointer, pool: pool)
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
