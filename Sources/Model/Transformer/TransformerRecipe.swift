// TransformerRecipe: what sets one architecture's decoder apart from the plain llama block. An
// architecture file reads its hyperparameters, fills in a recipe and hands both to
// TransformerModel, which loads the tensors and runs the shared forward pass.

/// The per-architecture choices of a decoder-only transformer. The defaults are llama's
/// (except the RoPE pairing, NeoX, which most architectures use).
struct TransformerRecipe {
    /// Which dimensions RoPE pairs.
    var ropePairing: RotaryEmbedding.Pairing = .neox
    /// The FFN gate activation.
    var activation: FeedForwardActivation = .silu
    /// Per-head RMS norms of queries and keys before RoPE (attn_q_norm, attn_k_norm).
    var queryKeyNorms = false
    /// RMS norms of the attention and FFN outputs before the residual adds
    /// (post_attention_norm, post_ffw_norm).
    var postNorms = false
    /// Whether attn_q, attn_k and attn_v must carry biases (qwen2); otherwise biases are used
    /// when present.
    var requiresProjectionBiases = false
    /// Whether the FFN has one ffn_up of 2·n_ff rows (gate rows, then up rows) and no ffn_gate.
    var fusedGateUp = false
    /// Token embeddings are multiplied by this (gemma: √n_embd).
    var embeddingScale: Float?
    /// Multiplies q·k; nil for 1/√key_length.
    var attentionScale: Float?
    /// Attention scores s become cap·tanh(s/cap) before the softmax.
    var attentionSoftcap: Float?
    /// Logits z become cap·tanh(z/cap).
    var finalLogitSoftcap: Float?
    /// RoPE base of the sliding-window layers; nil for the global base.
    var localRopeBase: Float?
    /// RoPE frequency scale of the sliding-window layers; nil for the global scale.
    var localRopeFreqScale: Float?
    /// Whether RoPE uses the file's frequency factors: Llama 3's rope_freqs, or Phi-3's
    /// rope_factors_long / rope_factors_short.
    var ropeFactors = false
}

extension TensorLoader {
    /// RoPE frequency factors as llama.cpp picks them: `rope_freqs.weight` when present; else
    /// `rope_factors_long.weight` when the context exceeds the original training context and
    /// `rope_factors_short.weight` otherwise; nil when the chosen tensor is absent.
    func ropeFactors(config: ModelConfig) throws -> [Float]? {
        let count = config.ropeDimensionCount / 2
        let name: String
        if gguf.tensor(named: "rope_freqs.weight") != nil {
            name = "rope_freqs.weight"
        } else if config.contextLength > config.ropeOriginalContextLength {
            name = "rope_factors_long.weight"
        } else {
            name = "rope_factors_short.weight"
        }
        guard let factors = try optionalVector(name, count: count) else { return nil }
        if let bad = factors.first(where: { !($0.isFinite && $0 > 0) }) {
            throw ModelError("tensor \(name) holds \(bad); RoPE frequency factors must be positive")
        }
        return factors
    }
}
