// Shared helpers of the kernel tests: fixtures, seeded random data, random quantized blocks and
// the plain double-precision reference for matrix products.

import Foundation
import GGUF
import Kernels

/// The folder of this file's fixtures (found from #filePath, no SwiftPM resources).
let fixturesURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// The default model, when it is on disk.
let modelPath = "/root/.cache/llmpack/models/gemma-3-270m-q4_k_m.gguf"

func fixtureData(_ name: String) throws -> Data {
    try Data(contentsOf: fixturesURL.appendingPathComponent(name))
}

/// The ggml type whose name llama.cpp prints as `name` ("Q4_K", "F32").
func ggmlType(named name: String) -> GGMLType? {
    GGMLType.allCases.first { $0.name == name }
}

/// Every ISA this machine can run, generic first.
let isas = Kernels.supportedISAs

/// SplitMix64: small, fast, reproducible.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A standard normal sample (Box-Muller).
    mutating func normal() -> Float {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return Float((-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}

func halfBits(_ value: Float) -> UInt16 { Float16(value).bitPattern }

/// Random but valid blocks of `type`: random quant bytes, sane float scale fields.
func randomBlocks(_ type: GGMLType, count: Int, rng: inout SeededRandom) -> [UInt8] {
    let size = type.bytesPerBlock
    var bytes = [UInt8](repeating: 0, count: count * size)
    for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
    func put(_ value: Float, block: Int, at offset: Int) {
        let bits = halfBits(value)
        bytes[block * size + offset] = UInt8(bits & 0xFF)
        bytes[block * size + offset + 1] = UInt8(bits >> 8)
    }
    for b in 0..<count {
        let d = Float.random(in: 0.001...0.02, using: &rng)
        let m = Float.random(in: -0.01...0.01, using: &rng)
        switch type {
        case .f32:
            let v = rng.normal() * 0.05
            withUnsafeBytes(of: v.bitPattern.littleEndian) { for k in 0..<4 { bytes[b * 4 + k] = $0[k] } }
        case .f16: put(rng.normal() * 0.05, block: b, at: 0)
        case .bf16:
            let bits = UInt16((rng.normal() * 0.05).bitPattern >> 16)
            bytes[b * 2] = UInt8(bits & 0xFF); bytes[b * 2 + 1] = UInt8(bits >> 8)
        case .q4_0, .q5_0, .q8_0: put(d, block: b, at: 0)
        case .q4_1, .q5_1: put(d, block: b, at: 0); put(m, block: b, at: 2)
        case .q2_K: put(d, block: b, at: 80); put(abs(m), block: b, at: 82)
        case .q3_K: put(d, block: b, at: 108)
        case .q4_K, .q5_K: put(d, block: b, at: 0); put(abs(m), block: b, at: 2)
        case .q6_K: put(d, block: b, at: 208)
        default: fatalError("no random blocks for \(type.name)")
        }
    }
    return bytes
}

/// A column count that is a whole number of blocks of `type` and exercises tails and several blocks.
func testColumns(_ type: GGMLType) -> Int {
    switch type.blockSize {
    case 1: 300         // not a multiple of 8 or 256: vector tails
    case 32: 160        // 5 blocks
    default: 768        // 3 super-blocks
    }
}

/// Dequantized weights (through the generic path, which the fixture tests check against numpy).
func dequantizedWeights(_ w: WeightMatrix) -> [Float] {
    var out = [Float](repeating: 0, count: w.rows * w.cols)
    out.withUnsafeMutableBufferPointer { buf in
        for r in 0..<w.rows { Kernels.dequantizeRow(w, row: r, into: buf.baseAddress! + r * w.cols, isa: .generic) }
    }
    return out
}

/// The reference product in double precision, and per output the bound a correct kernel must
/// meet: float-rounding slack plus, for quantized activations, `sigmas` standard deviations of the
/// error that 8-bit rounding of the activations (step amax/127 per block) introduces.
func referenceProduct(weights: [Float], rows: Int, cols: Int, x: [Float], tokens: Int,
                      activationBlock: Int?, sigmas: Double = 6) -> (values: [Double], tolerance: [Double]) {
    var values = [Double](repeating: 0, count: rows * tokens)
    var tolerance = [Double](repeating: 0, count: rows * tokens)
    for t in 0..<tokens {
        var step = [Double](repeating: 0, count: cols)
        if let block = activationBlock {
            for b in stride(from: 0, to: cols, by: block) {
                var amax: Float = 0
                for i in b..<(b + block) { amax = max(amax, abs(x[t * cols + i])) }
                for i in b..<(b + block) { step[i] = Double(amax) / 127 }
            }
        }
        for r in 0..<rows {
            var sum = 0.0, magnitude = 0.0, variance = 0.0
            for c in 0..<cols {
                let w = Double(weights[r * cols + c]), xv = Double(x[t * cols + c])
                sum += w * xv
                magnitude += abs(w * xv)
                variance += w * w * step[c] * step[c] / 12
            }
            values[t * rows + r] = sum
            tolerance[t * rows + r] = 1e-5 * magnitude + sigmas * variance.squareRoot() + 1e-6
        }
    }
    return (values, tolerance)
}

/// Activations on the 8-bit grid: every block of `block` values holds k / 64 with integer k in
/// -127...127 and one |k| = 127, so 8-bit quantization is exact and the product must match the
/// reference to float rounding.
func gridActivations(cols: Int, tokens: Int, block: Int, rng: inout SeededRandom) -> [Float] {
    var x = [Float](repeating: 0, count: cols * tokens)
    for t in 0..<tokens {
        for b in stride(from: 0, to: cols, by: block) {
            let end = min(b + block, cols)
            for i in b..<end { x[t * cols + i] = Float(Int.random(in: -127...127, using: &rng)) / 64 }
            let peak = Int.random(in: b..<end, using: &rng)
            x[t * cols + peak] = Bool.random(using: &rng) ? 127.0 / 64 : -127.0 / 64
        }
    }
    return x
}

func randomActivations(count: Int, rng: inout SeededRandom) -> [Float] {
    (0..<count).map { _ in rng.normal() }
}

/// Run `Kernels.matmul` on Swift arrays.
func runMatmul(_ w: WeightMatrix, _ x: [Float], tokens: Int, pool: ThreadPool, isa: Kernels.ISA) -> [Float] {
    var y = [Float](repeating: .nan, count: w.rows * tokens)
    x.withUnsafeBufferPointer { xb in
        y.withUnsafeMutableBufferPointer { yb in
            Kernels.matmul(w, xb.baseAddress!, tokens: tokens, yb.baseAddress!, pool: pool, isa: isa)
        }
    }
    return y
}

/// Index and excess of the worst output beyond its tolerance, or nil when all are within.
func worstViolation(_ y: [Float], _ ref: (values: [Double], tolerance: [Double])) -> (index: Int, got: Float, want: Double, tol: Double)? {
    var worst: (index: Int, got: Float, want: Double, tol: Double)? = nil
    var worstRatio = 1.0
    for i in y.indices {
        let err = abs(Double(y[i]) - ref.values[i])
        let ratio = y[i].isFinite ? err / ref.tolerance[i] : .infinity
        if ratio > worstRatio { worstRatio = ratio; worst = (i, y[i], ref.values[i], ref.tolerance[i]) }
    }
    return worst
}
