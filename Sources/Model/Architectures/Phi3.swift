// Phi-3 (general.architecture = "phi3"): Phi-3 mini/medium, Phi-3.5 mini, Phi-4 (dense).
//
// The shared transformer block (Transformer/TransformerBlock.swift) with:
//   - one fused projection attn_qkv (query rows, then key rows, then value rows), or separate
//     attn_q/attn_k/attn_v when the file has those;
//   - one fused ffn_up of 2·n_ff rows and no ffn_gate: silu(first half) ⊙ second half, then Wdown;
//   - RoPE with NeoX pairing (i, i + d/2) over `phi3.rope.dimension_count` dimensions, and the
//     long-context factors when the file has them: `rope_factors_long` when the context is longer
//     than `phi3.rope.scaling.original_context_length`, else `rope_factors_short` (each frequency
//     divided by its factor), with cosines and sines times `rope.scaling.attn_factor`.
// llama.cpp ignores Phi-3's sliding window (every layer attends to the whole context); so does
// this file. Output: output.weight (with output.bias when present), else token_embd.

/// The phi3 model family.
public enum Phi3Model: Architecture {
    static let names = ["phi3"]

    static func load(_ source: ModelSource) throws -> any LanguageModel {
        var config = try ModelConfig.read(from: source.gguf, contextLength: source.contextLength)
        config.slidingWindow = nil
        var recipe = TransformerRecipe()
        recipe.fusedGateUp = true
        recipe.ropeFactors = true
        return try TransformerModel(source, config: config, recipe: recipe)
    }
}
