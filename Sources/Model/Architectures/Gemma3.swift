// Gemma 3 (general.architecture = "gemma3"), text decoder.
//
// The shared transformer block (Transformer/TransformerBlock.swift) with:
//   - token embeddings scaled by √n_embd (float32);
//   - RMS norms of each query and key head (attn_q_norm, attn_k_norm) before RoPE (NeoX pairing);
//   - post norms on the attention and FFN outputs (post_attention_norm, post_ffw_norm);
//   - GELU (tanh form) as the FFN gate;
//   - sliding-window (local) layers: `{arch}.attention.sliding_window_pattern` (default period 6:
//     layer i is local when i % 6 < 5), window `{arch}.attention.sliding_window`; local layers use
//     RoPE base `rope.freq_base_swa` (default 10 000) without frequency scaling, global layers
//     `rope.freq_base`;
//   - attention scale 1/√head_dim, except the 27B model (62 blocks): 1/√(n_embd / n_head).
// Output: tied to token_embd unless the file has output.weight. Norm weights are used as
// stored (they include Gemma's +1).

import GGUF

/// The gemma3 text model.
public enum Gemma3Model: Architecture {
    static let names = ["gemma3"]

    /// √n_embd in float32 (25.298221 for n_embd 640), the scale of token embeddings.
    /// It is not rounded to bf16 as some other implementations do.
    public static func embeddingScale(embeddingLength: Int) -> Float {
        Float(embeddingLength).squareRoot()
    }

    static func load(_ source: ModelSource) throws -> any LanguageModel {
        var config = try ModelConfig.read(from: source.gguf, contextLength: source.contextLength)
        let meta = MetadataReader(gguf: source.gguf, prefix: config.architecture)
        if config.slidingWindow != nil {
            config.slidingWindowLayers = try meta.slidingWindowLayers(blockCount: config.blockCount, defaultPattern: 6)
        }
        config.ropeFreqBaseLocal = try meta.optionalFloat("rope.freq_base_swa", in: 1...1e12) ?? 10_000

        var recipe = TransformerRecipe()
        recipe.activation = .geluTanh
        recipe.queryKeyNorms = true
        recipe.postNorms = true
        recipe.embeddingScale = embeddingScale(embeddingLength: config.embeddingLength)
        if config.blockCount == 62 {
            recipe.attentionScale = 1 / Float(config.embeddingLength / config.headCount).squareRoot()
        }
        recipe.localRopeBase = config.ropeFreqBaseLocal
        recipe.localRopeFreqScale = 1
        return try TransformerModel(source, config: config, recipe: recipe)
    }
}
