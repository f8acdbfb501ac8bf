// Kernels+Vector: float vector helpers for the models' elementwise work.

import CKernels

extension Kernels {
    /// sum(a[i] * b[i]) for i in 0..<count (float accumulation, several lanes).
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int,
                           isa: ISA? = nil) -> Float {
        ck_dot_f32((isa ?? activeISA).index, a, b, Int64(count))
    }

    /// y[i] += a * x[i] for i in 0..<count.
    public static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                            count: Int, isa: ISA? = nil) {
        ck_axpy_f32((isa ?? activeISA).index, a, x, y, Int64(count))
    }
}
