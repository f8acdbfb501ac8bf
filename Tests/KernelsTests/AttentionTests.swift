// The attention kernel on every ISA against a naive double-precision softmax attention: grouped
// heads, sliding windows, rings that wrap, key ranges longer than one tile, head sizes that are
// and are not multiples of the vector width, soft-capped scores; keys and values are float16 (the
// cache's format). And a row's result does not depend on the rows beside it in the call.

import Foundation
import Kernels
import Testing

@Suite("Attention kernel")
struct AttentionKernelTests {
    struct Case: CustomStringConvertible, Sendable {
        var group: Int, tokens: Int, firstPosition: Int, window: Int?, capacity: Int, dk: Int, dv: Int
        var softcap: Float? = nil
        var description: String {
            "group \(group) tokens \(tokens) first \(firstPosition) window \(window.map(String.init) ?? "-") ring \(capacity) dk \(dk) dv \(dv)"
                + (softcap.map { " softcap \($0)" } ?? "")
        }
    }

    static let cases: [Case] = [
        Case(group: 1, tokens: 1, firstPosition: 0, window: nil, capacity: 8, dk: 16, dv: 16),
        Case(group: 4, tokens: 8, firstPosition: 0, window: nil, capacity: 8, dk: 256, dv: 256),
        Case(group: 4, tokens: 5, firstPosition: 100, window: nil, capacity: 105, dk: 40, dv: 48),
        Case(group: 2, tokens: 13, firstPosition: 150, window: 20, capacity: 32, dk: 64, dv: 80),     // ring wraps
        Case(group: 3, tokens: 3, firstPosition: 300, window: 70, capacity: 72, dk: 24, dv: 64),      // window > tile
        Case(group: 1, tokens: 70, firstPosition: 0, window: 512, capacity: 600, dk: 32, dv: 32),     // rows of many tiles
        Case(group: 4, tokens: 1, firstPosition: 1000, window: 512, capacity: 600, dk: 256, dv: 256), // one query, ring
        Case(group: 2, tokens: 9, firstPosition: 40, window: nil, capacity: 49, dk: 64, dv: 64, softcap: 0.8), // gemma2-style cap
        // Two tokens (causal between them), a window inside a tile, a wrapping ring, dk not a
        // multiple of 16; one token of 8 soft-capped heads over several tiles.
        Case(group: 3, tokens: 2, firstPosition: 37, window: 10, capacity: 12, dk: 40, dv: 48),
        Case(group: 8, tokens: 1, firstPosition: 70, window: nil, capacity: 80, dk: 64, dv: 144, softcap: 0.8),
    ]

    @Test("matches naive attention", arguments: cases, isas)
    func matchesNaive(_ c: Case, isa: Kernels.ISA) throws {
        var rng = SeededRandom(seed: UInt64(c.tokens * 131 + c.dk * 7 + c.group))
        let heads = c.group  // one KV head in the kernel's view; other heads live at other offsets
        let lastPosition = c.firstPosition + c.tokens - 1
        // Ring: position p in slot p % capacity; fill the last `capacity` positions.
        let keyStride = c.dk + 3, valueStride = c.dv + 5   // strides wider than a head (other KV heads)
        let nanBits = Float16.nan.bitPattern
        var keys = [UInt16](repeating: nanBits, count: c.capacity * keyStride)
        var values = [UInt16](repeating: nanBits, count: c.capacity * valueStride)
        var keyOf: [Int: [Float]] = [:], valueOf: [Int: [Float]] = [:]
        for p in max(0, lastPosition - c.capacity + 1)...lastPosition {
            let k = (0..<c.dk).map { _ in Float16(rng.normal()) }, v = (0..<c.dv).map { _ in Float16(rng.normal()) }
            keyOf[p] = k.map(Float.init); valueOf[p] = v.map(Float.init)
            let slot = p % c.capacity
            for d in 0..<c.dk { keys[slot * keyStride + d] = k[d].bitPattern }
            for d in 0..<c.dv { values[slot * valueStride + d] = v[d].bitPattern }
        }
        let queryStride = heads * c.dk + 7, outputStride = heads * c.dv + 16
        let queries = (0..<c.tokens * queryStride).map { _ in rng.normal() * 2 }
        var output = [Float](repeating: 12345, count: c.tokens * outputStride)
        let scale = 1 / Float(c.dk).squareRoot()
        keys.withUnsafeBufferPointer { kb in
            values.withUnsafeBufferPointer { vb in
                let ring = Kernels.KVRing(keys: kb.baseAddress!, keyStride: keyStride, values: vb.baseAddress!,
                                          valueStride: valueStride, capacity: c.capacity)
                Kernels.attention(queries: queries, queryStride: queryStride, group: c.group, tokens: c.tokens,
                                  firstPosition: c.firstPosition, ring: ring, window: c.window, keyLength: c.dk,
                                  valueLength: c.dv, scale: scale, softcap: c.softcap, output: &output,
                                  outputStride: outputStride, isa: isa)
            }
        }
        for t in 0..<c.tokens {
            let position = c.firstPosition + t
            let lo = c.window.map { max(0, position - $0 + 1) } ?? 0
            for j in 0..<c.group {
                let q = queries[(t * queryStride + j * c.dk)...].prefix(c.dk)
                let scores = (lo...position).map { p in
                    let s = Double(scale) * zip(q, keyOf[p]!).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                    return c.softcap.map { Double($0) * tanh(s / Double($0)) } ?? s
                }
                let m = scores.max()!
                let e = scores.map { exp($0 - m) }, total = e.reduce(0, +)
                for d in 0..<c.dv {
                    var want = 0.0
                    for (k, p) in (lo...position).enumerated() { want += e[k] / total * Double(valueOf[p]![d]) }
                    let got = output[t * outputStride + j * c.dv + d]
                    try #require(abs(Double(got) - want) <= 2e-5 * max(1, abs(want)),
                                 "\(c) \(isa): token \(t) head \(j) dim \(d): \(got) vs \(want)")
                }
                // Nothing written between heads' outputs and past them.
                if j == c.group - 1 {
                    for pad in (c.group * c.dv)..<outputStride { try #require(output[t * outputStride + pad] == 12345) }
                }
            }
        }
    }

    /// The server's shared passes and its prompt cache rely on this: a query token's attention is
    /// the same (==) whether it is computed in a block of many tokens or alone (a decoding step,
    /// the one token after a cached prefix), windowed or not, wherever its window starts.
    @Test("a token's result does not depend on the tokens computed with it", arguments: isas)
    func rowsAreIndependent(isa: Kernels.ISA) throws {
        for (window, first) in [(nil, 90), (100, 150), (600, 5)] as [(Int?, Int)] {
            var rng = SeededRandom(seed: UInt64(first + (window ?? 0)))
            let group = 4, tokens = 8, dk = 64, dv = 64, capacity = 128
            let last = first + tokens - 1
            var keys = [UInt16](repeating: 0, count: capacity * dk), values = [UInt16](repeating: 0, count: capacity * dv)
            for p in max(0, last - capacity + 1)...last {
                for d in 0..<dk { keys[p % capacity * dk + d] = Float16(rng.normal()).bitPattern }
                for d in 0..<dv { values[p % capacity * dv + d] = Float16(rng.normal()).bitPattern }
            }
            let queries = (0..<tokens * group * dk).map { _ in rng.normal() }
            func attend(from t0: Int, count: Int) -> [Float] {
                var out = [Float](repeating: 0, count: count * group * dv)
                keys.withUnsafeBufferPointer { kb in
                    values.withUnsafeBufferPointer { vb in
                        queries.withUnsafeBufferPointer { q in
                            let ring = Kernels.KVRing(keys: kb.baseAddress!, keyStride: dk, values: vb.baseAddress!,
                                                      valueStride: dv, capacity: capacity)
                            Kernels.attention(queries: q.baseAddress! + t0 * group * dk, queryStride: group * dk,
                                              group: group, tokens: count, firstPosition: first + t0, ring: ring,
                                              window: window, keyLength: dk, valueLength: dv, scale: 0.125,
                                              output: &out, outputStride: group * dv, isa: isa)
                        }
                    }
                }
                return out
            }
            let block = attend(from: 0, count: tokens)
            for t in 0..<tokens {
                let alone = attend(from: t, count: 1)
                try #require(alone == Array(block[t * group * dv..<(t + 1) * group * dv]),
                             "\(isa) window \(window.map(String.init) ?? "-") token \(t): alone and in a block differ")
            }
            let tail = attend(from: 3, count: tokens - 3)
            try #require(tail == Array(block[(3 * group * dv)..<block.count]), "\(isa) window \(window.map(String.init) ?? "-"): a later block differs")
        }
    }
}
