// Scratch: the activation buffers of one batch (at most `batch` tokens), allocated once per model
// and reused by every layer.

/// Activation buffers for a batch of tokens of a standard decoder block.
final class Scratch {
    /// The residual stream, batch × n_embd.
    let x: FloatBuffer
    /// Normalised input to a matrix product, batch × n_embd.
    let normed: FloatBuffer
    /// Queries, keys, values of the batch.
    let q, k, v: FloatBuffer
    /// Attention output before Wo, batch × heads × value_length.
    let attention: FloatBuffer
    /// Output of Wo or Wdown, batch × n_embd.
    let projected: FloatBuffer
    /// FFN gate and up products, batch × n_ff.
    let gate, up: FloatBuffer
    /// Output of a fused projection (attn_qkv, or a fused gate/up), batch × `fusedWidth`.
    let fused: FloatBuffer

    /// - Parameter fusedWidth: output rows of the widest fused projection, 0 when none.
    init(config c: ModelConfig, batch: Int, fusedWidth: Int = 0) {
        x = FloatBuffer(count: batch * c.embeddingLength)
        normed = FloatBuffer(count: batch * c.embeddingLength)
        q = FloatBuffer(count: batch * c.headCount * c.keyLength)
        k = FloatBuffer(count: batch * c.headCountKV * c.keyLength)
        v = FloatBuffer(count: batch * c.headCountKV * c.valueLength)
        attention = FloatBuffer(count: batch * c.headCount * c.valueLength)
        projected = FloatBuffer(count: batch * c.embeddingLength)
        gate = FloatBuffer(count: batch * c.feedForwardLength)
        up = FloatBuffer(count: batch * c.feedForwardLength)
        fused = FloatBuffer(count: batch * fusedWidth)
    }
}
