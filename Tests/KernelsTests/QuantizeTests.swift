// Quantization (floats to blocks): bit-exact agreement with the `gguf` Python package and with
// llama.cpp's llama-quantize on fixed inputs (fixtures made by scripts/make-quant-fixtures.py),
// round-trip error bounds per type, thread-count independence, and hostile inputs.

import Foundation
import GGUF
import Kernels
import Testing

let quantFixturesURL = fixturesURL.appendingPathComponent("quant")

/// The fixture input: 4096 floats in 16 groups of 256 of different shapes.
func quantFixtureInput() throws -> [Float] {
    let data = try Data(contentsOf: quantFixturesURL.appendingPathComponent("input.f32"))
    return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
}

/// Quantizes `values` to `type` with Kernels.quantize.
func quantized(_ values: [Float], as type: GGMLType) -> [UInt8] {
    let size = type.byteCount(elementCount: values.count)!
    var out = [UInt8](repeating: 0xAA, count: size)
    values.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBytes { Kernels.quantize(type: type, src.baseAddress!, count: values.count, into: $0.baseAddress!) }
    }
    return out
}

/// Dequantizes blocks of `type` with Kernels.dequantize.
func dequantized(_ blocks: [UInt8], as type: GGMLType, count: Int) -> [Float] {
    var out = [Float](repeating: .nan, count: count)
    blocks.withUnsafeBytes { src in
        out.withUnsafeMutableBufferPointer { Kernels.dequantize(type: type, src.baseAddress!, count: count, into: $0.baseAddress!) }
    }
    return out
}

/// Index and count of the first differing blocks, for readable failures.
func firstDifference(_ a: [UInt8], _ b: [UInt8], blockBytes: Int) -> String {
    guard a.count == b.count else { return "sizes \(a.count) and \(b.count)" }
    let blocks = a.count / blockBytes
    let differing = (0..<blocks).filter { a[($0 * blockBytes)..<(($0 + 1) * blockBytes)] != b[($0 * blockBytes)..<(($0 + 1) * blockBytes)] }
    guard let first = differing.first else { return "equal" }
    return "\(differing.count) of \(blocks) blocks differ, first block \(first)"
}

@Suite("Quantization")
struct QuantizeTests {
    static let pythonTypes: [GGMLType] = [.f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0]
    static let ggmlTypes: [GGMLType] = [.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K]

    @Test("matches the gguf Python package bit for bit", arguments: pythonTypes)
    func matchesGGUFPy(_ type: GGMLType) throws {
        let input = try quantFixtureInput()
        let expected = [UInt8](try Data(contentsOf: quantFixturesURL.appendingPathComponent("\(type.name).gguf-py.blocks")))
        let actual = quantized(input, as: type)
        #expect(actual == expected, "\(type.name): \(firstDifference(actual, expected, blockBytes: type.bytesPerBlock))")
    }

    @Test("matches llama.cpp's llama-quantize bit for bit", arguments: ggmlTypes)
    func matchesLlamaQuantize(_ type: GGMLType) throws {
        let input = try quantFixtureInput()
        let expected = [UInt8](try Data(contentsOf: quantFixturesURL.appendingPathComponent("\(type.name).ggml.blocks")))
        let actual = quantized(input, as: type)
        #expect(actual == expected, "\(type.name): \(firstDifference(actual, expected, blockBytes: type.bytesPerBlock))")
    }

    /// The relative round-trip error allowed for a type: 2^(1 - bits), bits being the precision of
    /// one value (the level bits, or the significand bits of a float format). Uniform rounding with
    /// a step of max/2^(bits-1) gives about a third of that on normal data.
    static let errorBounds: [(GGMLType, bits: Int)] = [
        (.f16, 11), (.bf16, 8), (.q8_0, 8), (.q6_K, 6), (.q5_0, 5), (.q5_1, 5), (.q5_K, 5), (.q4_0, 4), (.q4_1, 4), (.q4_K, 4),
    ]

    @Test("round trip error is within the type's precision", arguments: errorBounds)
    func roundTripError(_ type: GGMLType, bits: Int) {
        var rng = SeededRandom(seed: 42)
        // Normal data with a different scale per 256 values, like rows of a weight matrix.
        let values = (0..<(256 * 64)).map { i in rng.normal() * Float(0.01 + Double(i / 256) * 0.02) }
        let back = dequantized(quantized(values, as: type), as: type, count: values.count)
        var relative: [Double] = []
        for row in 0..<64 {
            var error = 0.0, power = 0.0
            for i in (row * 256)..<((row + 1) * 256) {
                error += Double(back[i] - values[i]) * Double(back[i] - values[i])
                power += Double(values[i]) * Double(values[i])
            }
            relative.append((error / power).squareRoot())
        }
        let bound = pow(2.0, Double(1 - bits))
        let worst = relative.max()!
        #expect(worst < bound, "\(type.name): relative RMSE \(worst), bound \(bound)")
        // And not suspiciously exact: rounding to `bits` bits must lose something.
        #expect(worst > bound / 64, "\(type.name): relative RMSE \(worst)")
    }

    @Test("K-quants beat the 32-value types of as many bits")
    func kQuantsAreBetter() {
        var rng = SeededRandom(seed: 7)
        let values = (0..<(256 * 64)).map { _ in rng.normal() * 0.03 }
        func error(_ type: GGMLType) -> Double {
            let back = dequantized(quantized(values, as: type), as: type, count: values.count)
            return zip(back, values).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        }
        #expect(error(.q4_K) < error(.q4_0))
        #expect(error(.q5_K) < error(.q5_0))
        #expect(error(.q6_K) < error(.q5_1))
    }

    @Test("zero rows give zero blocks that read back as zeros", arguments: Kernels.quantizableTypes)
    func zeros(_ type: GGMLType) {
        let values = [Float](repeating: 0, count: 512)
        let blocks = quantized(values, as: type)
        #expect(dequantized(blocks, as: type, count: 512).allSatisfy { $0 == 0 })
    }

    @Test("the output does not depend on the thread count", arguments: [GGMLType.q8_0, .q4_K, .q6_K, .q5_1])
    func threadCountIndependent(_ type: GGMLType) {
        var rng = SeededRandom(seed: 99)
        let rows = 37, cols = 512
        let values = (0..<(rows * cols)).map { _ in rng.normal() }
        let rowBytes = type.byteCount(elementCount: cols)!
        let serial = quantized(values, as: type)
        for threads in [1, 2, 3] {
            let pool = ThreadPool(threads: threads)
            var out = [UInt8](repeating: 0, count: rows * rowBytes)
            values.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBytes {
                    Kernels.quantizeRows(type: type, src.baseAddress!, rows: rows, cols: cols, into: $0.baseAddress!, pool: pool)
                }
            }
            #expect(out == serial, "\(type.name) with \(threads) threads")
        }
    }

    @Test("NaN, infinities and huge values do not crash", arguments: Kernels.quantizableTypes)
    func hostileValues(_ type: GGMLType) {
        var values = [Float](repeating: 1, count: 256)
        values[3] = .nan; values[40] = .infinity; values[77] = -.infinity; values[130] = 3e38; values[200] = -3e38
        values[250] = .leastNonzeroMagnitude
        let blocks = quantized(values, as: type)
        #expect(blocks.count == type.byteCount(elementCount: 256))
    }

    @Test("quantizing dequantized Q8_0 and Q4_0 data gives the blocks back")
    func idempotentOnItsOwnGrid() {
        var rng = SeededRandom(seed: 5)
        let values = (0..<4096).map { _ in rng.normal() }
        for type: GGMLType in [.q8_0, .q4_0, .q6_K] {
            let once = quantized(values, as: type)
            let twice = quantized(dequantized(once, as: type, count: values.count), as: type)
            let a = dequantized(once, as: type, count: values.count), b = dequantized(twice, as: type, count: values.count)
            let change = zip(a, b).map { Double(abs($0 - $1)) }.max()!
            #expect(change <= 1e-6, "\(type.name): requantizing moved a value by \(change)")
        }
    }
}
