// Gemma 2 (general.architecture = "gemma2").
//
// The shared transformer block (Transformer/TransformerBlock.swift) with:
//   - token embeddings scaled by √n_embd (float32);
//   - post norms on the attention and FFN outputs (post_attention_norm, post_ffw_norm);
//   - GELU (tanh form) as the FFN gate;
//   - attention scores soft-capped: s = cap·tanh(s/cap), cap `gemma2.attn_logit_softcapping`
//     (default 50), and the final logits likewise with `gemma2.final_logit_softcapping`
//     (default 30);
//   - alternating sliding-window layers: `gemma2.attention.sliding_window_pattern` (default
//     period 2: layer i is local when i % 2 < 1, so the even layers 0, 2, 4, ... are local and the
//     odd ones global), window `gemma2.attention.sliding_window` (default 4096); local layers use
//     `rope.freq_base_swa` when present, else the global base;
//   - RoPE with NeoX pairing; attention scale 1/√head_dim, except the 27B model (46 blocks):
//     1/√(n_embd / n_head).
// Output: tied to token_embd (unless the file has output.weight). Norm weights are used as
// stored (they include Gemma's +1).

import GGUF

/// The gemma2 model family.
public enum Gemma2Model: Architecture {
    static let names = ["gemma2"]

    static func load(_ source: ModelSource) throws -> any LanguageModel {
        var config = try ModelConfig.read(from: source.gguf, contextLength: source.contextLength)
        let meta = MetadataReader(gguf: source.gguf, prefix: config.architecture)
        config.slidingWindow = config.slidingWindow ?? 4096
        config.slidingWindowLayers = try meta.slidingWindowLayers(blockCount: config.blockCount, defaultPattern: 2)
        config.ropeFreqBaseLocal = try meta.optionalFloat("rope.freq_base_swa", in: 1...1e12) ?? config.ropeFreqBase

        var recipe = TransformerRecipe()
        recipe.activation = .geluTanh
        recipe.postNorms = true
        recipe.embeddingScale = Float(config.embeddingLength).squareRoot()
        if config.blockCount == 46 {
            recipe.attentionScale = 1 / Float(config.embeddingLength / config.headCount).squareRoot()
        }
        recipe.attentionSoftcap = try meta.optionalFloat("attn_logit_softcapping", in: 1e-3...1e6) ?? 50
        recipe.finalLogitSoftcap = try meta.optionalFloat("final_logit_softcapping", in: 1e-3...1e6) ?? 30
        recipe.localRopeBase = config.ropeFreqBaseLocal
        return try TransformerModel(source, config: config, recipe: recipe)
    }
}
