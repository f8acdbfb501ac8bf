// The elementwise kernels (GELU gate, float16 rounding, RMSNorm) on every ISA against their
// definitions.

import Foundation
import Kernels
import Testing

@Suite("Elementwise kernels")
struct ElementwiseTests {
    @Test("GELU gate: the tanh form times up", arguments: isas)
    func geluGate(_ isa: Kernels.ISA) throws {
        var rng = SeededRandom(seed: 11)
        // Vector body and tail; values from tiny to beyond where exp saturates.
        var x = (0..<203).map { _ in rng.normal() * 3 }
        x += [0, -0, 1e-30, -1e-30, 50, -50, 100, -100, 1e4, -1e4, 88, -88, 9.5, -9.5]
        let up = x.map { _ in rng.normal() }
        var gate = x
        Kernels.geluGate(&gate, up: up, count: x.count, isa: isa)
        for i in x.indices {
            let v = Double(x[i])
            let gelu = 0.5 * v * (1 + tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
            let want = gelu * Double(up[i])
            try #require(gate[i].isFinite && abs(Double(gate[i]) - want) <= 1e-6 * max(abs(want), 1e-3) + 1e-30,
                         "\(isa) x \(x[i]): \(gate[i]) vs \(want)")
        }
    }

    @Test("float16 rounding equals Swift's Float16 conversion", arguments: isas)
    func roundToHalf(_ isa: Kernels.ISA) throws {
        var rng = SeededRandom(seed: 12)
        var x = (0..<157).map { _ in rng.normal() * 100 }
        x += [1 + 1.0 / 4096, 1 + 3.0 / 4096, 65504, 65520, 70000, -70000, 6e-8, 3e-8, 1e-40, .infinity, -.infinity]
        var out = [Float](repeating: 0, count: x.count)
        Kernels.roundToHalf(x, into: &out, count: x.count, isa: isa)
        for i in x.indices { try #require(out[i] == Float(Float16(x[i])), "\(isa) \(x[i]): \(out[i])") }
        Kernels.roundToHalf(out, into: &out, count: out.count, isa: isa)   // in place; idempotent
        for i in x.indices { try #require(out[i] == Float(Float16(x[i]))) }
    }

    @Test("RMSNorm against the double-precision definition", arguments: isas)
    func rmsNorm(_ isa: Kernels.ISA) throws {
        var rng = SeededRandom(seed: 13)
        for n in [1, 7, 16, 640, 1001] {
            let rows = 3
            let x = (0..<rows * n).map { _ in rng.normal() * 4 }, w = (0..<n).map { _ in rng.normal() }
            var out = [Float](repeating: .nan, count: rows * n)
            Kernels.rmsNorm(rows: rows, x, weight: w, count: n, epsilon: 1e-6, into: &out, isa: isa)
            for r in 0..<rows {
                let mean = x[r * n..<(r + 1) * n].reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n)
                let inv = 1 / (mean + 1e-6).squareRoot()
                for i in 0..<n {
                    let want = Double(x[r * n + i]) * inv * Double(w[i])
                    try #require(abs(Double(out[r * n + i]) - want) <= 1e-6 * max(1, abs(want)), "\(isa) n \(n)")
                }
            }
            var inPlace = x
            inPlace.withUnsafeMutableBufferPointer { b in
                Kernels.rmsNorm(rows: rows, b.baseAddress!, weight: w, count: n, epsilon: 1e-6, into: b.baseAddress!, isa: isa)
            }
            #expect(inPlace == out)
        }
    }
}
