// Ops: the numerical building blocks of transformer forward passes (norms, rotary embeddings,
// activations, softmax, attention), shared by every architecture file. Each op is written from
// its mathematical definition and tested against it on its own.
//
// Ops work on raw float pointers: callers own the buffers and their sizes.

/// Namespace of the shared transformer operations.
public enum Ops {}

extension Ops {
    /// y[i] += x[i] for `count` floats (residual connections).
    @inlinable
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }

    /// x[i] *= alpha for `count` floats.
    @inlinable
    public static func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
        for i in 0..<count { x[i] *= alpha }
    }
}
