// Ops: the numerical building blocks of transformer forward passes (norms, rotary embeddings,
// activations, softmax, attention), shared by every architecture file. Each op is written from
// its mathematical definition and tested against it on its own.
//
// Ops work on raw float pointers: callers own the buffers and their sizes.

/// Namespace of the shared transformer operations.
public enum Ops {}

extension Ops {
    /// The dot product of `count` floats at `a` and `b`.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= count {
            acc0.addProduct(ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self),
                            rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self))
            acc1.addProduct(ra.loadUnaligned(fromByteOffset: (i &+ 8) &* 4, as: SIMD8<Float>.self),
                            rb.loadUnaligned(fromByteOffset: (i &+ 8) &* 4, as: SIMD8<Float>.self))
            i &+= 16
        }
        let acc = acc0 + acc1
        var sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
        while i < count {
            sum += a[i] * b[i]
            i &+= 1
        }
        return sum
    }

    /// y[i] += alpha * x[i] for `count` floats.
    @inlinable
    public static func addScaled(_ x: UnsafePointer<Float>, _ alpha: Float, into y: UnsafeMutablePointer<Float>, count: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let a = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i + 8 <= count {
            var v = ry.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            v.addProduct(a, rx.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self))
            ry.storeBytes(of: v, toByteOffset: i &* 4, as: SIMD8<Float>.self)
            i &+= 8
        }
        while i < count {
            y[i] += alpha * x[i]
            i &+= 1
        }
    }

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
