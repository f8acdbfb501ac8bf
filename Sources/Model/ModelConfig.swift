// ModelConfig: the hyperparameters of a decoder-only transformer, as read from GGUF metadata,
// plus the context length the KV cache is sized for.

/// Hyperparameters shared by the transformer architectures this package runs.
///
/// Read with `ModelConfig.read(from:contextLength:)`; architecture files add or adjust what is
/// particular to them (for example the sliding-window layers of gemma3).
public struct ModelConfig: Sendable, Equatable {
    /// `general.architecture`, e.g. "gemma3".
    public var architecture: String
    /// Rows of the token embedding: logits per position.
    public var vocabSize: Int
    /// Positions the KV cache holds (the most `startPosition + tokens.count` may reach).
    public var contextLength: Int
    /// `{arch}.context_length`: the context the model was trained for.
    public var trainedContextLength: Int
    /// `{arch}.embedding_length`: width of the residual stream.
    public var embeddingLength: Int
    /// `{arch}.block_count`: transformer blocks.
    public var blockCount: Int
    /// `{arch}.feed_forward_length`: hidden width of the FFN.
    public var feedForwardLength: Int
    /// `{arch}.attention.head_count`: query heads.
    public var headCount: Int
    /// `{arch}.attention.head_count_kv`: key/value heads (grouped-query attention when fewer).
    public var headCountKV: Int
    /// `{arch}.attention.key_length`: width of one query/key head.
    public var keyLength: Int
    /// `{arch}.attention.value_length`: width of one value head.
    public var valueLength: Int
    /// `{arch}.attention.layer_norm_rms_epsilon`.
    public var rmsEpsilon: Float
    /// `{arch}.rope.freq_base` (used by global layers).
    public var ropeFreqBase: Float
    /// 1 / `{arch}.rope.scaling.factor` when the scaling type is linear, else 1.
    public var ropeFreqScale: Float
    /// `{arch}.rope.dimension_count`: dimensions of each query/key head that RoPE rotates (the
    /// leading ones; the rest pass through). Defaults to the key length.
    public var ropeDimensionCount: Int
    /// `{arch}.rope.scaling.attn_factor`: multiplies RoPE's cosines and sines (1 when absent).
    public var ropeAttentionFactor: Float
    /// `{arch}.rope.scaling.original_context_length`, else the trained context: a context longer
    /// than this selects Phi-3's long RoPE factors.
    public var ropeOriginalContextLength: Int
    /// `{arch}.attention.sliding_window`, when the architecture uses sliding-window layers.
    public var slidingWindow: Int?
    /// One entry per block: true where the block attends only to the last `slidingWindow` positions.
    public var slidingWindowLayers: [Bool]
    /// RoPE base of the sliding-window layers.
    public var ropeFreqBaseLocal: Float

    /// Query heads that share one key/value head.
    public var headsPerKVHead: Int { headCount / headCountKV }

    /// The context length used when the caller does not ask for one: the trained context, capped
    /// so that the KV cache stays small.
    public static let defaultContextLengthCap = 4096
}
