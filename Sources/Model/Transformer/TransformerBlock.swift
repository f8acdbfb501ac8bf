// TransformerBlock: the weights of one pre-norm decoder block as llama.cpp's llama-family
// architectures store them, with the optional pieces some architectures add:
//
//   h = RMSNorm(x, attn_norm)
//   q, k, v = h·Wq (+bq), h·Wk (+bk), h·Wv (+bv)      or one fused h·Wqkv (+bqkv), split q|k|v
//   q, k = RMSNorm per head (attn_q_norm, attn_k_norm)                   [qwen3, gemma3]
//   q, k = RoPE(q), RoPE(k)
//   a = attention(q, cached k, v): scale, optional window, optional soft-cap
//   o = a·Wo (+bo), then RMSNorm(o, post_attention_norm)                 [gemma2, gemma3]
//   x = x + o
//   h = RMSNorm(x, ffn_norm)
//   f = act(h·Wgate) ⊙ h·Wup     or with one fused Wup of 2·n_ff rows: act(first half) ⊙ second half [phi3]
//   f = f·Wdown, then RMSNorm(f, post_ffw_norm)                          [gemma2, gemma3]
//   x = x + f

/// The query/key/value projections of a block.
enum AttentionProjection {
    /// attn_q, attn_k, attn_v.
    case separate(query: Linear, key: Linear, value: Linear)
    /// attn_qkv: one matrix whose output rows are the query, then the key, then the value rows.
    case fused(Linear)
}

/// The input projections of a block's feed-forward network.
enum FeedForwardProjection {
    /// ffn_gate and ffn_up.
    case separate(gate: Linear, up: Linear)
    /// One ffn_up of 2·n_ff rows: the gate rows first, then the up rows (Phi-3).
    case fused(Linear)
}

/// The gate activation of the feed-forward network.
enum FeedForwardActivation: Sendable {
    /// SiLU (llama, qwen, phi3).
    case silu
    /// GELU, tanh approximation (gemma).
    case geluTanh

    /// out[i] = act(gate[i]) · up[i] for `count` floats; `out` may be `gate`.
    func apply(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        switch self {
        case .silu: Ops.siluGate(gate, up: up, count: count)
        case .geluTanh: Ops.geluGate(gate, up: up, count: count)
        }
    }
}

/// One decoder block's weights (matrices are views into the mapped file).
struct TransformerBlock {
    let attentionNorm: FloatBuffer
    let projection: AttentionProjection
    /// Per-head RMS norm weights of queries and keys (key_length floats each), or nil.
    let queryNorm, keyNorm: FloatBuffer?
    let attentionOutput: Linear
    let postAttentionNorm: FloatBuffer?
    let feedForwardNorm: FloatBuffer
    let feedForward: FeedForwardProjection
    let down: Linear
    let postFeedForwardNorm: FloatBuffer?
    let attention: AttentionShape
    /// Index of this block's RoPE in the model's list of distinct ones.
    let ropeIndex: Int
}
