// RMSNorm: x / sqrt(mean(x²) + eps) · w, the normalisation of llama-family models.
// The weights are used as stored: Gemma's "+1" is already folded into its GGUF weights.

import Kernels

extension Ops {
    /// out[i] = x[i] / sqrt(mean(x²) + epsilon) * weight[i] for one vector of `count` floats.
    /// `out` may be `x` (in place). The mean of squares is summed in double, as ggml does.
    @inlinable
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, count: Int,
                               epsilon: Float, into out: UnsafeMutablePointer<Float>) {
        var sum: Double = 0
        for i in 0..<count {
            let v = x[i]
            sum += Double(v * v)
        }
        let mean = Float(sum / Double(count))
        let inverse = 1 / (mean + epsilon).squareRoot()
        for i in 0..<count { out[i] = x[i] * inverse * weight[i] }
    }

    /// RMSNorm of `rows` consecutive vectors of `count` floats each, all with the same weight
    /// (vectorized in Kernels, the same sums in double).
    public static func rmsNorm(rows: Int, _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, count: Int,
                               epsilon: Float, into out: UnsafeMutablePointer<Float>) {
        Kernels.rmsNorm(rows: rows, x, weight: weight, count: count, epsilon: epsilon, into: out)
    }
}
