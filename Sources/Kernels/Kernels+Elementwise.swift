// Kernels+Elementwise: the per-element and per-row work of a forward pass (GELU gate, RMSNorm,
// float16 rounding), vectorized in CKernels for each ISA.

import CKernels

extension Kernels {
    /// gate[i] = gelu_tanh(gate[i]) * up[i] for `count` floats, GELU computed as x·sigmoid(2u),
    /// u = √(2/π)·(x + 0.044715·x³) (the tanh form, with one exp; relative error ~1e-6).
    public static func geluGate(_ gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int,
                                isa: ISA? = nil) {
        guard count > 0 else { return }
        ck_gelu_gate((isa ?? activeISA).index, gate, up, Int64(count))
    }

    /// out[i] = x[i] rounded to the nearest float16 value (ties to even, ±inf past its range);
    /// `out` may be `x`.
    public static func roundToHalf(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int,
                                   isa: ISA? = nil) {
        guard count > 0 else { return }
        ck_round_f16((isa ?? activeISA).index, x, out, Int64(count))
    }

    /// out[i] = the IEEE float16 bits of x[i] (rounded to nearest even, ±inf past its range).
    public static func toHalf(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<UInt16>, count: Int,
                              isa: ISA? = nil) {
        guard count > 0 else { return }
        ck_f32_to_f16((isa ?? activeISA).index, x, out, Int64(count))
    }

    /// out[i] = the float16 whose bits are x[i] (exact).
    public static func fromHalf(_ x: UnsafePointer<UInt16>, into out: UnsafeMutablePointer<Float>, count: Int,
                                isa: ISA? = nil) {
        guard count > 0 else { return }
        ck_f16_to_f32((isa ?? activeISA).index, x, out, Int64(count))
    }

    /// RMSNorm of `rows` consecutive rows of `count` floats: out = x / √(mean(x²) + ε) · weight,
    /// the mean of squares summed in double (as ggml does); `out` may be `x`.
    public static func rmsNorm(rows: Int, _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, count: Int,
                               epsilon: Float, into out: UnsafeMutablePointer<Float>, isa: ISA? = nil) {
        guard rows > 0, count > 0 else { return }
        ck_rms_norm((isa ?? activeISA).index, x, weight, out, Int64(rows), Int64(count), epsilon)
    }
}
