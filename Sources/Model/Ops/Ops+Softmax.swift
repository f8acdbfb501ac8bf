// Softmax over a vector, in place, shifted by the maximum so that exp never overflows.

#if canImport(Glibc)
import Glibc
#endif

extension Ops {
    /// x[i] = exp(x[i] - max) / Σ exp(x[j] - max) for `count` floats (count ≥ 1), in place.
    @inlinable
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        for i in 0..<count { maximum = max(maximum, x[i]) }
        var sum: Double = 0
        for i in 0..<count {
            let e = expf(x[i] - maximum)
            x[i] = e
            sum += Double(e)
        }
        let inverse = Float(1 / sum)
        for i in 0..<count { x[i] *= inverse }
    }
}
