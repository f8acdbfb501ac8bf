// Qwen2 (general.architecture = "qwen2"): Qwen1.5, Qwen2, Qwen2.5.
//
// The shared transformer block (Transformer/TransformerBlock.swift) with biases on the query,
// key and value projections (required), RoPE with NeoX pairing (i, i + d/2), SwiGLU FFN.
// Output: output.weight, or token_embd when the file has none (tied).

/// The qwen2 model family.
public enum Qwen2Model: Architecture {
    static let names = ["qwen2"]

    static func load(_ source: ModelSource) throws -> any LanguageModel {
        let config = try ModelConfig.read(from: source.gguf, contextLength: source.contextLength)
        var recipe = TransformerRecipe()
        recipe.requiresProjectionBiases = true
        return try TransformerModel(source, config: config, recipe: recipe)
    }
}
