// Llama (general.architecture = "llama"): Llama 1/2/3, Mistral-style and many derived models.
//
// The plain shared transformer block (Transformer/TransformerBlock.swift):
//   - grouped-query attention, scale 1/√head_dim;
//   - RoPE with adjacent pairs (2i, 2i+1) (llama.cpp's LLAMA_ROPE_TYPE_NORM), base
//     `llama.rope.freq_base`, linear scaling when `rope.scaling.type` says so, and Llama 3.1's
//     `rope_freqs` frequency factors (each frequency divided by its factor) when the file has them;
//   - SwiGLU FFN: silu(h·Wgate) ⊙ h·Wup, then Wdown;
//   - biases on any projection when the file has them (attn_q.bias, attn_output.bias, ...).
// Output: output.weight, or token_embd when the file has none (tied). Mixture-of-experts files
// (Mixtral: `llama.expert_count` > 0) are refused by name.

import GGUF

/// The llama model family.
public enum LlamaModel: Architecture {
    static let names = ["llama"]

    static func load(_ source: ModelSource) throws -> any LanguageModel {
        let config = try ModelConfig.read(from: source.gguf, contextLength: source.contextLength)
        let meta = MetadataReader(gguf: source.gguf, prefix: config.architecture)
        if let experts = try meta.optionalInt("expert_count", in: 0...Int(Int32.max)), experts > 0 {
            throw ModelError("unsupported llama variant: mixture of experts (llama.expert_count = \(experts))")
        }
        var recipe = TransformerRecipe()
        recipe.ropePairing = .adjacent
        recipe.ropeFactors = true
        return try TransformerModel(source, config: config, recipe: recipe)
    }
}
