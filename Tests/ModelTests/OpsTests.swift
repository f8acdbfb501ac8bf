// Each shared op against its mathematical definition, computed here independently in double.
// These catch the mistakes that hide at the logit level: erf instead of tanh GELU, a bf16-rounded
// embedding scale, a sliding window off by one.

import Foundation
import Kernels
import Model
import Testing

/// Deterministic pseudo-random floats in -1...1.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> Float {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(Double(state >> 11) / Double(1 << 53) * 2 - 1)
    }
    mutating func floats(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in next() * scale } }
}

struct OpsTests {
    @Test func rmsNormMatchesDefinition() {
        var random = TestRandom(seed: 1)
        let n = 640
        let x = random.floats(n, scale: 0.01)   // small values, so that epsilon matters
        let w = random.floats(n, scale: 2)
        let eps: Float = 1e-6
        var out = [Float](repeating: 0, count: n)
        Ops.rmsNorm(x, weight: w, count: n, epsilon: eps, into: &out)
        let meanSquare = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n)
        for i in 0..<n {
            let expected = Double(x[i]) / (meanSquare + Double(eps)).squareRoot() * Double(w[i])
            #expect(abs(Double(out[i]) - expected) <= 1e-5 * max(1, abs(expected)))
        }
        // In place over several rows gives the same as row by row.
        var rows = x + x.map { $0 * 3 }
        Ops.rmsNorm(rows: 2, rows, weight: w, count: n, epsilon: eps, into: &rows)
        for i in 0..<n { #expect(abs(rows[i] - out[i]) <= 1e-6 * max(1, abs(out[i]))) }
    }

    @Test func ropeNeoXRotatesHalfPairsByPositionAngles() {
        var random = TestRandom(seed: 2)
        let d = 256
        for base: Float in [10_000, 1_000_000] {
            let rope = RotaryEmbedding(dimensions: d, base: base, pairing: .neox)
            let positions = 1295..<1303
            let table = rope.table(for: positions)
            for position in positions {
                let x = random.floats(2 * d)   // two heads
                var y = x
                rope.apply(&y, heads: 2, headStride: d, position: position, table: table)
                for h in 0..<2 {
                    for i in 0..<d / 2 {
                        let angle = Double(position) * pow(Double(base), -2 * Double(i) / Double(d))
                        let x0 = Double(x[h * d + i]), x1 = Double(x[h * d + i + d / 2])
                        let e0 = x0 * cos(angle) - x1 * sin(angle)
                        let e1 = x0 * sin(angle) + x1 * cos(angle)
                        #expect(abs(Double(y[h * d + i]) - e0) < 1e-5)
                        #expect(abs(Double(y[h * d + i + d / 2]) - e1) < 1e-5)
                    }
                }
            }
        }
    }

    @Test func ropeAdjacentPairingAndFrequencyScale() {
        var random = TestRandom(seed: 3)
        let d = 8
        let rope = RotaryEmbedding(dimensions: d, base: 10_000, freqScale: 0.25, pairing: .adjacent)
        let table = rope.table(for: 37..<38)
        let x = random.floats(d)
        var y = x
        rope.apply(&y, heads: 1, headStride: d, position: 37, table: table)
        for i in 0..<d / 2 {
            let angle = 37 * 0.25 * pow(10_000.0, -2 * Double(i) / Double(d))
            let x0 = Double(x[2 * i]), x1 = Double(x[2 * i + 1])
            #expect(abs(Double(y[2 * i]) - (x0 * cos(angle) - x1 * sin(angle))) < 1e-6)
            #expect(abs(Double(y[2 * i + 1]) - (x0 * sin(angle) + x1 * cos(angle))) < 1e-6)
        }
    }

    @Test func geluIsTheTanhForm() {
        for x: Float in [-4, -2, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 2, 4, 10] {
            let v = Double(x)
            let tanhForm = 0.5 * v * (1 + tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
            #expect(abs(Double(Ops.geluTanh(x)) - tanhForm) <= 2e-7 * max(1, abs(tanhForm)), "x = \(x)")
        }
        // The erf form differs by 1.5e-4 at x = 1: make sure we are not it.
        let erfForm = 0.5 * (1 + erf(1 / 2.0.squareRoot()))
        #expect(abs(Double(Ops.geluTanh(1)) - erfForm) > 1e-4)

        var gate: [Float] = [-1, 0.5, 2], up: [Float] = [3, -2, 0.5]
        Ops.geluGate(&gate, up: up, count: 3)
        for i in 0..<3 { #expect(abs(gate[i] - Ops.geluTanh([-1, 0.5, 2][i]) * up[i]) < 1e-7) }
    }

    @Test func softmaxMatchesDefinitionAndIsStable() {
        var x: [Float] = [1000, 1001, 999, -5]
        Ops.softmax(&x, count: 4)
        let e = [exp(0.0), exp(1.0), exp(-1.0), exp(-1006.0)]
        let s = e.reduce(0, +)
        for i in 0..<4 { #expect(abs(Double(x[i]) - e[i] / s) < 1e-6) }
        #expect(abs(x.reduce(0, +) - 1) < 1e-6)
    }

    @Test func gemmaEmbeddingScaleIsFloat32SquareRoot() {
        let scale = Gemma3Model.embeddingScale(embeddingLength: 640)
        #expect(abs(Double(scale) - 640.0.squareRoot()) < 2e-6)
        #expect(scale == Float(25.298221))
        #expect(abs(scale - 25.25) > 0.04)   // not the bf16-rounded 25.25
    }
}

/// Attention against a naive double implementation, with grouped-query heads, a sliding window
/// and a ring-buffer cache.
struct AttentionTests {
    /// Naive attention of one query at `position` over positions lo...position.
    static func naive(q: ArraySlice<Float>, keys: [[Float]], values: [[Float]], position: Int, window: Int?,
                      scale: Float) -> [Double] {
        let lo = window.map { max(0, position - $0 + 1) } ?? 0
        let scores = (lo...position).map { j in
            Double(scale) * zip(q, keys[j]).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        let m = scores.max()!
        let e = scores.map { exp($0 - m) }
        let s = e.reduce(0, +)
        var out = [Double](repeating: 0, count: values[0].count)
        for (k, j) in (lo...position).enumerated() {
            for d in out.indices { out[d] += e[k] / s * Double(values[j][d]) }
        }
        return out
    }

    @Test(arguments: [nil, 8] as [Int?])
    func matchesNaiveAttentionWithGroupedHeads(window: Int?) throws {
        var random = TestRandom(seed: 5)
        let heads = 4, kvHeads = 2, dk = 16, dv = 8, total = 30, first = 20, tokens = total - first
        let shape = AttentionShape(headCount: heads, kvHeadCount: kvHeads, keyLength: dk, valueLength: dv,
                                   scale: 0.25, window: window)
        // A ring smaller than the context when windowed: window - 1 + batch slots.
        let capacity = window.map { $0 - 1 + tokens } ?? total
        let cache = try KVCacheLayer(capacity: capacity, keyWidth: kvHeads * dk, valueWidth: kvHeads * dv)
        // Keys and values exactly representable in float16, the precision the cache keeps.
        let keys = (0..<total).map { _ in random.floats(kvHeads * dk, scale: 2).map { Float(Float16($0)) } }
        let values = (0..<total).map { _ in random.floats(kvHeads * dv).map { Float(Float16($0)) } }
        for p in 0..<total { cache.store(position: p, key: keys[p], value: values[p]) }
        let queries = random.floats(tokens * heads * dk, scale: 2)
        var output = [Float](repeating: .nan, count: tokens * heads * dv)
        Ops.attention(queries: queries, tokens: tokens, firstPosition: first, cache: cache, shape: shape,
                      into: &output, pool: ThreadPool(threads: 2))
        for t in 0..<tokens {
            for h in 0..<heads {
                let kv = h / (heads / kvHeads)
                let q = queries[(t * heads + h) * dk..<(t * heads + h + 1) * dk]
                let expected = Self.naive(q: q, keys: keys.map { Array($0[kv * dk..<(kv + 1) * dk]) },
                                          values: values.map { Array($0[kv * dv..<(kv + 1) * dv]) },
                                          position: first + t, window: window, scale: 0.25)
                for d in 0..<dv {
                    #expect(abs(Double(output[(t * heads + h) * dv + d]) - expected[d]) < 1e-5)
                }
            }
        }
    }

    /// The cache keeps float16 precision, like llama.cpp's F16 cache, in a ring of slots.
    @Test func cacheRoundsToHalfPrecisionInRingSlots() throws {
        let cache = try KVCacheLayer(capacity: 3, keyWidth: 2, valueWidth: 1)
        let key: [Float] = [1 + 1.0 / 4096, 70_000], value: [Float] = [0.1]
        cache.store(position: 7, key: key, value: value)
        #expect(cache.key(at: 7)[0] == 1)                 // 1 + 2^-12 rounds to 1 in float16
        #expect(cache.key(at: 7)[1] == .infinity)         // beyond float16's range
        #expect(cache.value(at: 7)[0] == Float(Float16(0.1)))
        #expect(cache.key(at: 7) == cache.key(at: 1))     // 7 % 3 == 1 % 3: the same slot
    }

    /// With equal scores the output is the mean of the visible values: a window of 512 at
    /// position 1000 sees positions 489...1000 (mean 744.5), not 488 (mean 744).
    @Test func slidingWindowSeesExactlyTheLastWindowPositions() throws {
        let window = 512, position = 1000
        let cache = try KVCacheLayer(capacity: window, keyWidth: 2, valueWidth: 1)
        for p in 0...position { cache.store(position: p, key: [0, 0], value: [Float(p)]) }
        let shape = AttentionShape(headCount: 1, kvHeadCount: 1, keyLength: 2, valueLength: 1, scale: 1, window: window)
        var out: [Float] = [0]
        Ops.attention(queries: [1, 1], tokens: 1, firstPosition: position, cache: cache, shape: shape,
                      into: &out, pool: ThreadPool(threads: 1))
        #expect(abs(out[0] - 744.5) < 1e-2)
        // Without a window: all of 0...1000.
        let full = try KVCacheLayer(capacity: position + 1, keyWidth: 2, valueWidth: 1)
        for p in 0...position { full.store(position: p, key: [0, 0], value: [Float(p)]) }
        let global = AttentionShape(headCount: 1, kvHeadCount: 1, keyLength: 2, valueLength: 1, scale: 1, window: nil)
        Ops.attention(queries: [1, 1], tokens: 1, firstPosition: position, cache: full, shape: global,
                      into: &out, pool: ThreadPool(threads: 1))
        #expect(abs(out[0] - 500) < 1e-2)
    }
}
