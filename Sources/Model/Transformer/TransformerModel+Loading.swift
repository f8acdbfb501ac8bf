// Loading a TransformerModel: the tensors of every block, named as llama.cpp names them
// ("blk.N.attn_q.weight", ...), checked against the configuration, with the recipe deciding
// which optional pieces must or may be there.

import Kernels

extension TransformerModel {
    /// Loads the blocks and output head of `source` for `config` and `recipe`.
    convenience init(_ source: ModelSource, config: ModelConfig, recipe: TransformerRecipe) throws {
        let tensors = source.tensors
        let e = config.embeddingLength
        let tokenEmbedding = try tensors.matrix("token_embd.weight", rows: config.vocabSize, cols: e)
        let output = try tensors.optionalLinear("output", rows: config.vocabSize, cols: e)
            ?? Linear(weight: tokenEmbedding, bias: nil)
        let outputNorm = FloatBuffer(try tensors.vector("output_norm.weight", count: e))

        // RoPE: one per distinct (base, scale) in use, shared by the blocks that use it.
        let factors = recipe.ropeFactors ? try tensors.ropeFactors(config: config) : nil
        func rope(local: Bool) -> RotaryEmbedding {
            RotaryEmbedding(dimensions: config.ropeDimensionCount,
                            base: local ? recipe.localRopeBase ?? config.ropeFreqBase : config.ropeFreqBase,
                            freqScale: local ? recipe.localRopeFreqScale ?? config.ropeFreqScale : config.ropeFreqScale,
                            pairing: recipe.ropePairing, frequencyFactors: factors,
                            attentionFactor: config.ropeAttentionFactor)
        }
        var ropes: [RotaryEmbedding] = []
        func ropeIndex(local: Bool) -> Int {
            let wanted = rope(local: local)
            if let index = ropes.firstIndex(of: wanted) { return index }
            ropes.append(wanted)
            return ropes.count - 1
        }

        let blocks = try (0..<config.blockCount).map { i in
            let local = config.slidingWindow != nil && config.slidingWindowLayers[i]
            return try Self.loadBlock(i, tensors: tensors, config: config, recipe: recipe,
                                      window: local ? config.slidingWindow : nil, ropeIndex: ropeIndex(local: local))
        }
        try self.init(config: config, threads: source.threads, tokenEmbedding: tokenEmbedding,
                      embeddingScale: recipe.embeddingScale, blocks: blocks, ropes: ropes,
                      outputNorm: outputNorm, output: output, activation: recipe.activation,
                      finalLogitSoftcap: recipe.finalLogitSoftcap)
    }

    private static func loadBlock(_ i: Int, tensors: TensorLoader, config: ModelConfig, recipe: TransformerRecipe,
                                  window: Int?, ropeIndex: Int) throws -> TransformerBlock {
        let e = config.embeddingLength, f = config.feedForwardLength, dk = config.keyLength
        let queryWidth = config.headCount * dk
        let keyWidth = config.headCountKV * dk
        let valueWidth = config.headCountKV * config.valueLength
        let prefix = "blk.\(i)."
        func norm(_ name: String, count: Int = e) throws -> FloatBuffer {
            FloatBuffer(try tensors.vector(prefix + name + ".weight", count: count))
        }

        let projection: AttentionProjection
        if let fused = try tensors.optionalLinear(prefix + "attn_qkv", rows: queryWidth + keyWidth + valueWidth, cols: e) {
            projection = .fused(fused)
        } else {
            let biases = recipe.requiresProjectionBiases
            projection = .separate(
                query: try tensors.linear(prefix + "attn_q", rows: queryWidth, cols: e, biasRequired: biases),
                key: try tensors.linear(prefix + "attn_k", rows: keyWidth, cols: e, biasRequired: biases),
                value: try tensors.linear(prefix + "attn_v", rows: valueWidth, cols: e, biasRequired: biases))
        }

        let feedForward: FeedForwardProjection = recipe.fusedGateUp
            ? .fused(try tensors.linear(prefix + "ffn_up", rows: 2 * f, cols: e))
            : .separate(gate: try tensors.linear(prefix + "ffn_gate", rows: f, cols: e),
                        up: try tensors.linear(prefix + "ffn_up", rows: f, cols: e))

        return TransformerBlock(
            attentionNorm: try norm("attn_norm"),
            projection: projection,
            queryNorm: recipe.queryKeyNorms ? try norm("attn_q_norm", count: dk) : nil,
            keyNorm: recipe.queryKeyNorms ? try norm("attn_k_norm", count: dk) : nil,
            attentionOutput: try tensors.linear(prefix + "attn_output", rows: e, cols: config.headCount * config.valueLength),
            postAttentionNorm: recipe.postNorms ? try norm("post_attention_norm") : nil,
            feedForwardNorm: try norm("ffn_norm"),
            feedForward: feedForward,
            down: try tensors.linear(prefix + "ffn_down", rows: e, cols: f),
            postFeedForwardNorm: recipe.postNorms ? try norm("post_ffw_norm") : nil,
            attention: AttentionShape(headCount: config.headCount, kvHeadCount: config.headCountKV,
                                      keyLength: dk, valueLength: config.valueLength,
                                      scale: recipe.attentionScale ?? 1 / Float(dk).squareRoot(),
                                      window: window, softcap: recipe.attentionSoftcap),
            ropeIndex: ropeIndex)
    }
}
