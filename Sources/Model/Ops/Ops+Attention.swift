// Causal self-attention over a KV cache, with grouped-query heads and an optional sliding window.
//
// For a query at position p and head h (sharing KV head h / (heads / kvHeads)):
//   visible keys   j in lo...p, lo = max(0, p - window + 1) with a window, else 0
//   scores         s_j = scale · q·k_j, then cap · tanh(s_j / cap) when soft-capped (gemma2)
//   output         Σ_j softmax(s)_j · v_j
// so the cost of a sliding-window layer scales with the window, not with the context. The cache
// holds float16; the tiled kernel converts each tile of keys and values once.
// Work is split over (token, head) pairs on the thread pool; several sequences (each with its
// own cache) can share one call.

import Kernels

/// The shape of one attention layer.
public struct AttentionShape: Sendable, Equatable {
    public var headCount: Int
    public var kvHeadCount: Int
    public var keyLength: Int
    public var valueLength: Int
    /// Multiplies every q·k (1/√keyLength for most models).
    public var scale: Float
    /// When set, a query at position p sees only keys at p - window + 1 ... p.
    public var window: Int?
    /// When set, scores s become softcap · tanh(s / softcap) before the softmax.
    public var softcap: Float?

    public init(headCount: Int, kvHeadCount: Int, keyLength: Int, valueLength: Int, scale: Float, window: Int?,
                softcap: Float? = nil) {
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        self.keyLength = keyLength
        self.valueLength = valueLength
        self.scale = scale
        self.window = window
        self.softcap = softcap
    }

    /// The first position a query at `position` may see.
    @inlinable
    public func firstVisible(from position: Int) -> Int {
        guard let window else { return 0 }
        return max(0, position - window + 1)
    }
}

/// One sequence's share of a multi-sequence attention call: its queries, its cache, its output.
struct AttentionPart {
    /// tokens × headCount × keyLength floats.
    let queries: UnsafePointer<Float>
    let tokens: Int
    let firstPosition: Int
    let cache: KVCacheLayer
    /// tokens × headCount × valueLength floats, overwritten.
    let output: UnsafeMutablePointer<Float>
}

extension Ops {
    /// Attention of `tokens` queries at positions firstPosition..<firstPosition+tokens over the
    /// keys and values already in `cache` (which must hold every position each query sees,
    /// including the queries' own).
    ///
    /// - Parameters:
    ///   - queries: tokens × headCount × keyLength floats.
    ///   - output: tokens × headCount × valueLength floats, overwritten.
    public static func attention(queries: UnsafePointer<Float>, tokens: Int, firstPosition: Int,
                                 cache: KVCacheLayer, shape: AttentionShape,
                                 into output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        attention([AttentionPart(queries: queries, tokens: tokens, firstPosition: firstPosition, cache: cache,
                                 output: output)],
                  shape: shape, pool: pool)
    }

    /// The attention of several sequences, each over its own cache, in one fork/join. Each part's
    /// output is exactly what a call with that part alone computes.
    static func attention(_ parts: [AttentionPart], shape: AttentionShape, pool: ThreadPool) {
        guard Kernels.attentionSupports(valueLength: shape.valueLength) else {
            for part in parts {
                attentionByRows(queries: part.queries, tokens: part.tokens, firstPosition: part.firstPosition,
                                cache: part.cache, shape: shape, into: part.output, pool: pool)
            }
            return
        }
        let heads = shape.headCount, kvHeads = shape.kvHeadCount, group = heads / kvHeads
        let dk = shape.keyLength, dv = shape.valueLength
        // Units of work: per part, (KV head, block of query tokens), about 32 query rows each; a
        // part's last blocks see the most keys, so they go first.
        let blockTokens = parts.map { max(1, min($0.tokens, 32 / group)) }
        let blocks = parts.indices.map { (parts[$0].tokens + blockTokens[$0] - 1) / blockTokens[$0] }
        var ends: [Int] = []
        var total = 0
        for count in blocks { total += count * kvHeads; ends.append(total) }
        pool.parallelFor(total) { index in
            var p = 0
            while index >= ends[p] { p += 1 }
            let part = parts[p], unit = index - (p == 0 ? 0 : ends[p - 1])
            let block = blocks[p] - 1 - unit / kvHeads, kv = unit % kvHeads
            let t0 = block * blockTokens[p], count = min(blockTokens[p], part.tokens - t0)
            let cache = part.cache
            let ring = Kernels.KVRing(keys: UnsafePointer(cache.keys) + kv * dk, keyStride: cache.keyWidth,
                                      values: UnsafePointer(cache.values) + kv * dv,
                                      valueStride: cache.valueWidth, capacity: cache.capacity)
            Kernels.attention(queries: part.queries + t0 * heads * dk + kv * group * dk, queryStride: heads * dk,
                              group: group, tokens: count, firstPosition: part.firstPosition + t0, ring: ring,
                              window: shape.window, keyLength: dk, valueLength: dv, scale: shape.scale,
                              softcap: shape.softcap, output: part.output + t0 * heads * dv + kv * group * dv, outputStride: heads * dv)
        }
    }

    /// The same attention one (token, head) row at a time with float dot products and a plain
    /// softmax: the path for value lengths the tiled kernel does not take.
    static func attentionByRows(queries: UnsafePointer<Float>, tokens: Int, firstPosition: Int,
                                cache: KVCacheLayer, shape: AttentionShape,
                                into output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let heads = shape.headCount, group = shape.headCount / shape.kvHeadCount
        let dk = shape.keyLength, dv = shape.valueLength
        let capacity = cache.capacity, keyWidth = cache.keyWidth, valueWidth = cache.valueWidth
        let keys = UnsafePointer(cache.keys), values = UnsafePointer(cache.values)

        pool.parallelFor(tokens * heads) { unit in
            let t = unit / heads, h = unit % heads
            let position = firstPosition + t
            let first = shape.firstVisible(from: position)
            let count = position - first + 1
            let q = queries + unit * dk
            let out = output + unit * dv
            let keyOffset = (h / group) * dk, valueOffset = (h / group) * dv

            withUnsafeTemporaryAllocation(of: Float.self, capacity: count + max(dk, dv)) { buffer in
                let scores = buffer.baseAddress!, row = scores + count   // row: one key or value as floats
                var slot = first % capacity
                for j in 0..<count {
                    Kernels.fromHalf(keys + slot * keyWidth + keyOffset, into: row, count: dk)
                    scores[j] = shape.scale * Kernels.dot(q, row, count: dk)
                    slot += 1
                    if slot == capacity { slot = 0 }
                }
                if let cap = shape.softcap { softcap(scores, count: count, cap: cap) }
                softmax(scores, count: count)
                out.initialize(repeating: 0, count: dv)
                slot = first % capacity
                for j in 0..<count {
                    Kernels.fromHalf(values + slot * valueWidth + valueOffset, into: row, count: dv)
                    Kernels.axpy(scores[j], row, out, count: dv)
                    slot += 1
                    if slot == capacity { slot = 0 }
                }
            }
        }
    }
}
