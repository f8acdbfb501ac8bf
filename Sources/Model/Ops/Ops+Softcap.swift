// Soft-capping: cap · tanh(x / cap), which bounds values to (-cap, cap) while leaving small ones
// almost unchanged. Gemma 2 caps its attention scores (attn_logit_softcapping) and its final
// logits (final_logit_softcapping) this way.

#if canImport(Glibc)
import Glibc
#endif

extension Ops {
    /// x[i] = cap · tanh(x[i] / cap) for `count` floats, in place (cap > 0).
    @inlinable
    public static func softcap(_ x: UnsafeMutablePointer<Float>, count: Int, cap: Float) {
        let inverse = 1 / cap
        for i in 0..<count { x[i] = cap * tanhf(x[i] * inverse) }
    }
}
