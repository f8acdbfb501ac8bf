// Activations: the tanh form of GELU (gemma), SiLU (llama, qwen), and the gated FFN product
// act(gate) ⊙ up that both families use.

import Kernels

#if canImport(Glibc)
import Glibc
#endif

extension Ops {
    /// GELU in its tanh approximation: 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³).
    /// (Not the erf form: gemma was trained with this one.) Computed as x·sigmoid(2u), which is
    /// the same function (0.5·(1 + tanh u) = 1 / (1 + e^(-2u))) with one exp and accurate for
    /// large |x| of either sign.
    @inlinable
    public static func geluTanh(_ x: Float) -> Float {
        let sqrt2OverPi: Float = 0.797_884_560_802_865_355_88
        let u = sqrt2OverPi * x * (1 + 0.044715 * x * x)
        return x / (1 + expf(-2 * u))
    }

    /// SiLU: x · sigmoid(x).
    @inlinable
    public static func silu(_ x: Float) -> Float {
        x / (1 + expf(-x))
    }

    /// gate[i] = geluTanh(gate[i]) * up[i] for `count` floats (vectorized in Kernels; the same
    /// formula as `geluTanh` to within a few float ulps).
    public static func geluGate(_ gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        Kernels.geluGate(gate, up: up, count: count)
    }

    /// gate[i] = silu(gate[i]) * up[i] for `count` floats.
    @inlinable
    public static func siluGate(_ gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { gate[i] = silu(gate[i]) * up[i] }
    }
}
