// Qwen3 (general.architecture = "qwen3"), dense models.
//
// The shared transformer block (Transformer/TransformerBlock.swift) with an RMS norm on each
// query and key head (attn_q_norm, attn_k_norm, same epsilon) before RoPE, NeoX pairing
// (i, i + d/2), no projection biases, SwiGLU FFN. The head width (attention.key_length) need not
// be n_embd / n_head. Output: output.weight, or token_embd when the file has none (tied).

/// The qwen3 model family (dense).
public enum Qwen3Model: Architecture {
    static let names = ["qwen3"]

    static func load(_ source: ModelSource) throws -> any LanguageModel {
        let config = try ModelConfig.read(from: source.gguf, contextLength: source.contextLength)
        var recipe = TransformerRecipe()
        recipe.queryKeyNorms = true
        return try TransformerModel(source, config: config, recipe: recipe)
    }
}
