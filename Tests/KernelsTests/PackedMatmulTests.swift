// The packed-panel matrix product (prompt processing) on every ISA: against the double-precision
// reference, with activations on the 8-bit grid (exact), and against the row-dot path.

import Foundation
import GGUF
import Kernels
import Testing

/// The quantized types that have a packed form.
let packedTypes: [GGMLType] = [.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

@Suite("Packed matrix products")
struct PackedMatmulTests {
    static let pools = [ThreadPool(threads: 1), ThreadPool(threads: 2)]

    func packed(_ w: WeightMatrix, _ x: [Float], tokens: Int, pool: ThreadPool, isa: Kernels.ISA) -> [Float] {
        var y = [Float](repeating: .nan, count: w.rows * tokens)
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                Kernels.matmul(w, xb.baseAddress!, tokens: tokens, yb.baseAddress!, pool: pool, isa: isa,
                               strategy: .packedPanels)
            }
        }
        return y
    }

    @Test("random activations: within the 8-bit rounding error", arguments: packedTypes, isas)
    func randomActivations(_ type: GGMLType, isa: Kernels.ISA) throws {
        var rng = SeededRandom(seed: 6000 + UInt64(type.rawValue))
        // 37 rows: two full panels of 16 and a partial one.
        let rows = 37, cols = testColumns(type)
        let bytes = randomBlocks(type, count: rows * cols / type.blockSize, rng: &rng)
        try bytes.withUnsafeBytes { raw in
            let w = WeightMatrix(type: type, data: raw.baseAddress!, rows: rows, cols: cols)
            let weights = dequantizedWeights(w)
            for tokens in [1, 7, 8, 9, 17, 33] {
                let x = Kernels_randomActivations(cols * tokens, &rng)
                let ref = referenceProduct(weights: weights, rows: rows, cols: cols, x: x, tokens: tokens,
                                           activationBlock: activationBlock(type))
                for pool in Self.pools {
                    let y = packed(w, x, tokens: tokens, pool: pool, isa: isa)
                    let bad = worstViolation(y, ref)
                    try #require(bad == nil, "\(type.name) \(isa) tokens \(tokens) threads \(pool.threads): \(String(describing: bad))")
                }
            }
        }
    }

    @Test("activations on the 8-bit grid: exact up to float rounding", arguments: packedTypes, isas)
    func gridActivations(_ type: GGMLType, isa: Kernels.ISA) throws {
        var rng = SeededRandom(seed: 7000 + UInt64(type.rawValue))
        let rows = 21, cols = testColumns(type)
        let bytes = randomBlocks(type, count: rows * cols / type.blockSize, rng: &rng)
        try bytes.withUnsafeBytes { raw in
            let w = WeightMatrix(type: type, data: raw.baseAddress!, rows: rows, cols: cols)
            let weights = dequantizedWeights(w)
            for tokens in [3, 8, 11] {
                let x = KernelsTests.gridActivations(cols: cols, tokens: tokens, block: activationBlock(type) ?? 32, rng: &rng)
                let ref = referenceProduct(weights: weights, rows: rows, cols: cols, x: x, tokens: tokens,
                                           activationBlock: nil)
                let y = packed(w, x, tokens: tokens, pool: Self.pools[1], isa: isa)
                let bad = worstViolation(y, ref)
                try #require(bad == nil, "\(type.name) \(isa) tokens \(tokens): \(String(describing: bad))")
            }
        }
    }

    @Test("automatic strategy on a prompt-sized batch agrees with row dots", arguments: packedTypes)
    func automaticMatchesRowDots(_ type: GGMLType) throws {
        var rng = SeededRandom(seed: 8000 + UInt64(type.rawValue))
        let rows = 50, cols = type.blockSize == 256 ? 512 : 640, tokens = 40
        let bytes = randomBlocks(type, count: rows * cols / type.blockSize, rng: &rng)
        let x = Kernels_randomActivations(cols * tokens, &rng)
        try bytes.withUnsafeBytes { raw in
            let w = WeightMatrix(type: type, data: raw.baseAddress!, rows: rows, cols: cols)
            let weights = dequantizedWeights(w)
            var auto = [Float](repeating: .nan, count: rows * tokens), dots = auto
            x.withUnsafeBufferPointer { xb in
                Kernels.matmul(w, xb.baseAddress!, tokens: tokens, &auto, pool: Self.pools[1])
                Kernels.matmul(w, xb.baseAddress!, tokens: tokens, &dots, pool: Self.pools[1], strategy: .rowDots)
            }
            for t in 0..<tokens {
                for r in 0..<rows {
                    var magnitude: Float = 0
                    for c in 0..<cols { magnitude += abs(weights[r * cols + c] * x[t * cols + c]) }
                    let i = t * rows + r
                    try #require(abs(auto[i] - dots[i]) <= 1e-5 * magnitude + 1e-6,
                                 "\(type.name) row \(r) token \(t): \(auto[i]) vs row dots \(dots[i])")
                }
            }
        }
    }

    @Test("the packed path is chosen for prompt batches on AVX2 and AVX-512")
    func strategyChoice() {
        for isa in [Kernels.ISA.avx2, .avx512] {
            for type in packedTypes { #expect(Kernels.usesPackedPanels(type, tokens: 512, isa: isa)) }
            #expect(Kernels.usesPackedPanels(.q4_K, tokens: 32, isa: isa))
            #expect(!Kernels.usesPackedPanels(.q4_K, tokens: 31, isa: isa))
            #expect(!Kernels.usesPackedPanels(.q5_0, tokens: 1, isa: isa))
            #expect(!Kernels.usesPackedPanels(.f16, tokens: 512, isa: isa))
        }
        #expect(!Kernels.usesPackedPanels(.q5_0, tokens: 512, isa: .generic))
    }

    @Test("extreme quants and activations: no 16-bit saturation, exact up to float rounding",
          arguments: packedTypes, isas)
    func extremes(_ type: GGMLType, isa: Kernels.ISA) throws {
        // Every quant at its largest (0xFF) or smallest (0x00) packed value, Q8_0 also at -128 (0x80)
        // and 127 (0x7F), against activations of one sign and the largest 8-bit magnitude: every
        // byte-pair product sum is as large as it gets (AVX2 adds such sums in 16 bits).
        var rng = SeededRandom(seed: 7500 + UInt64(type.rawValue))
        let rows = 17, cols = testColumns(type), tokens = 9
        let count = rows * cols / type.blockSize
        let halves: [Int] = switch type {
        case .q4_0, .q5_0, .q8_0: [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: [0, 2]
        case .q2_K: [80, 82]
        case .q3_K: [108]
        case .q6_K: [208]
        default: []
        }
        for fill: UInt8 in [0x00, 0xFF, 0x80, 0x7F] {
            var bytes = randomBlocks(type, count: count, rng: &rng)
            for b in 0..<count {
                for i in 0..<type.bytesPerBlock where !halves.contains(where: { i == $0 || i == $0 + 1 }) {
                    bytes[b * type.bytesPerBlock + i] = fill
                }
            }
            var x = [Float](repeating: 127.0 / 64, count: cols * tokens)
            for t in 0..<tokens where t % 2 == 1 { for c in 0..<cols { x[t * cols + c] = -127.0 / 64 } }
            try bytes.withUnsafeBytes { raw in
                let w = WeightMatrix(type: type, data: raw.baseAddress!, rows: rows, cols: cols)
                let ref = referenceProduct(weights: dequantizedWeights(w), rows: rows, cols: cols, x: x,
                                           tokens: tokens, activationBlock: nil)
                let y = packed(w, x, tokens: tokens, pool: Self.pools[0], isa: isa)
                let bad = worstViolation(y, ref)
                try #require(bad == nil, "\(type.name) \(isa) fill \(fill): \(String(describing: bad))")
            }
        }
    }
}

@Suite("Products sharing one input")
struct SharedInputMatmulTests {
    @Test("each product equals its own call, for mixed types and both strategies", arguments: [1, 3, 40])
    func sharedInput(tokens: Int) throws {
        var rng = SeededRandom(seed: 9000 + UInt64(tokens))
        let cols = 512
        // Q5_0 and Q8_0 share the 32-value activation format; Q4_K and Q6_K the 256-value one; F16 floats.
        let shapes: [(GGMLType, Int)] = [(.q5_0, 40), (.q8_0, 17), (.q4_K, 33), (.q6_K, 16), (.f16, 9), (.q5_0, 5)]
        let blocks = shapes.map { randomBlocks($0.0, count: $0.1 * cols / $0.0.blockSize, rng: &rng) }
        let x = Kernels_randomActivations(cols * tokens, &rng)
        let pool = ThreadPool(threads: 2)
        for strategy in [Kernels.MatmulStrategy.automatic, .rowDots, .packedPanels] {
            var separate: [[Float]] = [], together: [[Float]] = shapes.map { [Float](repeating: .nan, count: $0.1 * tokens) }
            try withPointers(blocks) { pointers in
                let matrices = zip(shapes, pointers).map { WeightMatrix(type: $0.0, data: $1, rows: $0.1, cols: cols) }
                for w in matrices {
                    var y = [Float](repeating: .nan, count: w.rows * tokens)
                    x.withUnsafeBufferPointer { Kernels.matmul(w, $0.baseAddress!, tokens: tokens, &y, pool: pool, strategy: strategy) }
                    separate.append(y)
                }
                let outputs = together.map { UnsafeMutablePointer<Float>.allocate(capacity: $0.count) }
                defer { outputs.forEach { $0.deallocate() } }
                x.withUnsafeBufferPointer { xb in
                    Kernels.matmul(Array(zip(matrices, outputs)).map { (weights: $0.0, output: $0.1) }, xb.baseAddress!,
                                   tokens: tokens, pool: pool, strategy: strategy)
                }
                for (i, out) in outputs.enumerated() { together[i] = Array(UnsafeBufferPointer(start: out, count: together[i].count)) }
            }
            for i in shapes.indices { try #require(together[i] == separate[i], "\(shapes[i].0.name) \(strategy)") }
        }
    }

    /// Calls `body` with stable base addresses of all the byte arrays.
    func withPointers(_ arrays: [[UInt8]], _ body: ([UnsafeRawPointer]) throws -> Void) rethrows {
        let copies = arrays.map { a -> UnsafeMutableRawPointer in
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(a.count, 1), alignment: 64)
            a.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: a.count) }
            return p
        }
        defer { copies.forEach { $0.deallocate() } }
        try body(copies.map { UnsafeRawPointer($0) })
    }
}
