// Matrix products against a double-precision reference on the dequantized weights: every type,
// one and several tokens, one and two threads, every ISA this machine runs.

import Foundation
import GGUF
import Kernels
import Testing

let matmulTypes: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

/// The activation block a type's products quantize to, nil for float weights.
func activationBlock(_ type: GGMLType) -> Int? {
    switch Kernels.traits(type)!.activation {
    case .float: nil
    case .q8_0: 32
    case .q8_K: 256
    }
}

@Suite("Matrix products")
struct MatmulTests {
    static let pools = [ThreadPool(threads: 1), ThreadPool(threads: 2)]

    @Test("random activations: within the 8-bit rounding error", arguments: matmulTypes, isas)
    func randomActivations(_ type: GGMLType, isa: Kernels.ISA) throws {
        var rng = SeededRandom(seed: 1000 + UInt64(type.rawValue))
        let rows = 37, cols = testColumns(type)
        let bytes = randomBlocks(type, count: rows * cols / type.blockSize, rng: &rng)
        try bytes.withUnsafeBytes { raw in
            let w = WeightMatrix(type: type, data: raw.baseAddress!, rows: rows, cols: cols)
            let weights = dequantizedWeights(w)
            for tokens in [1, 2, 3, 4, 5, 7, 9] {
                let x = Kernels_randomActivations(cols * tokens, &rng)
                let ref = referenceProduct(weights: weights, rows: rows, cols: cols, x: x, tokens: tokens,
                                           activationBlock: activationBlock(type))
                for pool in Self.pools {
                    let y = runMatmul(w, x, tokens: tokens, pool: pool, isa: isa)
                    let bad = worstViolation(y, ref)
                    try #require(bad == nil, "\(type.name) \(isa) tokens \(tokens) threads \(pool.threads): \(String(describing: bad))")
                }
            }
        }
    }

    @Test("activations on the 8-bit grid: exact up to float rounding", arguments: matmulTypes, isas)
    func gridActivations(_ type: GGMLType, isa: Kernels.ISA) throws {
        var rng = SeededRandom(seed: 2000 + UInt64(type.rawValue))
        let rows = 29, cols = testColumns(type)
        let bytes = randomBlocks(type, count: rows * cols / type.blockSize, rng: &rng)
        try bytes.withUnsafeBytes { raw in
            let w = WeightMatrix(type: type, data: raw.baseAddress!, rows: rows, cols: cols)
            let weights = dequantizedWeights(w)
            for tokens in [1, 4, 6] {
                let x = KernelsTests.gridActivations(cols: cols, tokens: tokens, block: activationBlock(type) ?? 32, rng: &rng)
                let ref = referenceProduct(weights: weights, rows: rows, cols: cols, x: x, tokens: tokens,
                                           activationBlock: nil)
                for pool in Self.pools {
                    let y = runMatmul(w, x, tokens: tokens, pool: pool, isa: isa)
                    let bad = worstViolation(y, ref)
                    try #require(bad == nil, "\(type.name) \(isa) tokens \(tokens) threads \(pool.threads): \(String(describing: bad))")
                }
            }
        }
    }

    @Test("every ISA agrees with the generic path", arguments: matmulTypes)
    func isasAgree(_ type: GGMLType) throws {
        var rng = SeededRandom(seed: 3000 + UInt64(type.rawValue))
        let rows = 19, cols = testColumns(type), tokens = 5
        let bytes = randomBlocks(type, count: rows * cols / type.blockSize, rng: &rng)
        let x = Kernels_randomActivations(cols * tokens, &rng)
        try bytes.withUnsafeBytes { raw in
            let w = WeightMatrix(type: type, data: raw.baseAddress!, rows: rows, cols: cols)
            let weights = dequantizedWeights(w)
            let generic = runMatmul(w, x, tokens: tokens, pool: Self.pools[0], isa: .generic)
            for isa in isas where isa != .generic {
                let y = runMatmul(w, x, tokens: tokens, pool: Self.pools[1], isa: isa)
                for t in 0..<tokens {
                    for r in 0..<rows {
                        var magnitude: Float = 0
                        for c in 0..<cols { magnitude += abs(weights[r * cols + c] * x[t * cols + c]) }
                        let i = t * rows + r
                        try #require(abs(y[i] - generic[i]) <= 2e-5 * magnitude + 1e-6,
                                     "\(type.name) \(isa) row \(r) token \(t): \(y[i]) vs generic \(generic[i])")
                    }
                }
            }
        }
    }

    @Test("a token's row dots do not depend on the tokens beside it (batched decoding)", arguments: matmulTypes, isas)
    func tokenIndependence(_ type: GGMLType, isa: Kernels.ISA) throws {
        var rng = SeededRandom(seed: 5000 + UInt64(type.rawValue))
        let rows = 23, cols = testColumns(type), tokens = 11   // more than one pass of CK_MAX_NTOK
        let bytes = randomBlocks(type, count: rows * cols / type.blockSize, rng: &rng)
        let x = Kernels_randomActivations(cols * tokens, &rng)
        try bytes.withUnsafeBytes { raw in
            let w = WeightMatrix(type: type, data: raw.baseAddress!, rows: rows, cols: cols)
            let together = runMatmul(w, x, tokens: tokens, pool: Self.pools[1], isa: isa)
            for t in 0..<tokens {
                let alone = runMatmul(w, Array(x[t * cols..<(t + 1) * cols]), tokens: 1, pool: Self.pools[0], isa: isa)
                let row = Array(together[t * rows..<(t + 1) * rows])
                try #require(row == alone, "\(type.name) \(isa) token \(t): batched and alone differ")
            }
        }
    }

    /// One token takes the multi-row kernels (4 rows a pass on x86, then a tail of 1-3 rows):
    /// every row count must agree with the generic path, and be bit-identical to the same token's
    /// rows in a two-token call (which uses the one-row kernels).
    @Test("one token, every row count: multi-row kernels agree with the generic path and with row dots",
          arguments: matmulTypes)
    func oneTokenRowCounts(_ type: GGMLType) throws {
        var rng = SeededRandom(seed: 6000 + UInt64(type.rawValue))
        let cols = testColumns(type)
        for rows in [1, 2, 3, 4, 5, 6, 7, 8, 9, 14] {
            let bytes = randomBlocks(type, count: rows * cols / type.blockSize, rng: &rng)
            let x = Kernels_randomActivations(cols * 2, &rng)
            let first = Array(x[0..<cols])
            try bytes.withUnsafeBytes { raw in
                let w = WeightMatrix(type: type, data: raw.baseAddress!, rows: rows, cols: cols)
                let weights = dequantizedWeights(w)
                let generic = runMatmul(w, first, tokens: 1, pool: Self.pools[0], isa: .generic)
                for isa in isas {
                    let alone = runMatmul(w, first, tokens: 1, pool: Self.pools[0], isa: isa)
                    let pair = runMatmul(w, x, tokens: 2, pool: Self.pools[0], isa: isa)
                    try #require(alone == Array(pair[0..<rows]), "\(type.name) \(isa) rows \(rows): alone and paired differ")
                    for r in 0..<rows {
                        var magnitude: Float = 0
                        for c in 0..<cols { magnitude += abs(weights[r * cols + c] * first[c]) }
                        try #require(abs(alone[r] - generic[r]) <= 2e-5 * magnitude + 1e-6,
                                     "\(type.name) \(isa) rows \(rows) row \(r): \(alone[r]) vs generic \(generic[r])")
                    }
                }
            }
        }
    }

    @Test("many tokens (more than one token group) and many rows, on the best ISA")
    func largeShapes() throws {
        var rng = SeededRandom(seed: 4000)
        for (type, rows, tokens) in [(GGMLType.q4_K, 75, 67), (.q8_0, 1001, 3), (.q6_K, 130, 13), (.q5_0, 257, 66)] {
            let cols = type.blockSize == 256 ? 512 : 640
            let bytes = randomBlocks(type, count: rows * cols / type.blockSize, rng: &rng)
            let x = Kernels_randomActivations(cols * tokens, &rng)
            try bytes.withUnsafeBytes { raw in
                let w = WeightMatrix(type: type, data: raw.baseAddress!, rows: rows, cols: cols)
                let ref = referenceProduct(weights: dequantizedWeights(w), rows: rows, cols: cols, x: x, tokens: tokens,
                                           activationBlock: activationBlock(type))
                for pool in Self.pools {
                    let y = runMatmul(w, x, tokens: tokens, pool: pool, isa: Kernels.activeISA)
                    let bad = worstViolation(y, ref)
                    try #require(bad == nil, "\(type.name) rows \(rows) tokens \(tokens) threads \(pool.threads): \(String(describing: bad))")
                }
            }
        }
    }

    @Test("zero tokens and zero activations")
    func degenerateInputs() {
        var rng = SeededRandom(seed: 5000)
        let type = GGMLType.q4_K, rows = 4, cols = 256
        let bytes = randomBlocks(type, count: rows, rng: &rng)
        bytes.withUnsafeBytes { raw in
            let w = WeightMatrix(type: type, data: raw.baseAddress!, rows: rows, cols: cols)
            // Zero tokens: nothing written.
            var y = [Float](repeating: 42, count: rows)
            let x = [Float](repeating: 0, count: cols)
            x.withUnsafeBufferPointer { xb in
                Kernels.matmul(w, xb.baseAddress!, tokens: 0, &y, pool: Self.pools[1])
            }
            #expect(y == [42, 42, 42, 42])
            // All-zero activations (scale 0): exactly zero out, no NaN.
            for isa in isas {
                #expect(runMatmul(w, x, tokens: 1, pool: Self.pools[0], isa: isa) == [0, 0, 0, 0])
            }
        }
    }

    @Test("the active ISA is supported and named")
    func activeISA() {
        #expect(Kernels.activeISA.isSupported)
        #expect(Kernels.isa == Kernels.activeISA.rawValue)
        #expect(Kernels.supportedISAs.first == .generic)
        #expect(Kernels.supportedISAs.contains(Kernels.activeISA))
    }
}

/// Random normal activations (a free function so the test methods above can shadow nothing).
func Kernels_randomActivations(_ count: Int, _ rng: inout SeededRandom) -> [Float] {
    randomActivations(count: count, rng: &rng)
}
