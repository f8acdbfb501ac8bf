// DecoderRuntime: what every decoder-only forward pass needs besides its maths: the thread pool,
// KV caches of the right shape (full-context layers and sliding-window rings), checks of the
// tokens and positions a caller passes, cutting a long prompt into batches, and the logits buffer
// that only holds the rows asked for.

import Kernels

/// Shared state and bookkeeping of a decoder forward pass.
final class DecoderRuntime {
    /// Most tokens processed through the layers together; longer inputs are cut into batches.
    let maxBatch: Int
    let pool: ThreadPool
    let config: ModelConfig
    /// Per layer, the slots of its KV cache: the context length, or a ring for a sliding window.
    let cacheCapacities: [Int]
    /// How far back a forward may rewind (limited by the sliding-window rings).
    let maxRewind: Int

    /// A run of consecutive tokens processed together.
    struct Batch {
        let tokens: ArraySlice<Int32>
        let firstPosition: Int
        var count: Int { tokens.count }
        var positions: Range<Int> { firstPosition..<firstPosition + tokens.count }
    }

    /// - Parameter windows: per layer, its sliding window, or nil for full attention.
    /// - Throws: when one sequence's KV cache for the context length would be too large.
    init(config: ModelConfig, windows: [Int?], threads: Int, maxBatch: Int = 512) throws {
        precondition(windows.count == config.blockCount)
        self.config = config
        let maxBatch = min(maxBatch, config.contextLength)
        self.maxBatch = maxBatch
        let width = config.headCountKV * (config.keyLength + config.valueLength)
        var rewind = config.contextLength
        var capacities: [Int] = []
        var totalHalves = 0
        for window in windows {
            var capacity = config.contextLength
            if let window, window - 1 + maxBatch < capacity {
                // A ring of window - 1 + maxBatch slots holds every key a batch can see.
                capacity = window - 1 + maxBatch
                rewind = maxBatch
            }
            let (halves, overflow) = capacity.multipliedReportingOverflow(by: width)
            let (total, overflow2) = totalHalves.addingReportingOverflow(halves)
            guard !overflow, !overflow2, total <= 1 << 36 else {
                throw ModelError("KV cache for context \(config.contextLength) is too large")
            }
            totalHalves = total
            capacities.append(capacity)
        }
        cacheCapacities = capacities
        maxRewind = rewind
        pool = ThreadPool(threads: threads)
    }

    /// A new, empty KV cache for one sequence.
    func makeCache() throws -> KVCache {
        let keyWidth = config.headCountKV * config.keyLength
        let valueWidth = config.headCountKV * config.valueLength
        return KVCache(layers: try cacheCapacities.map { try KVCacheLayer(capacity: $0, keyWidth: keyWidth, valueWidth: valueWidth) },
                       maxRewind: maxRewind)
    }

    /// Checks a forward call's arguments against `cache` and cuts its tokens into batches.
    func batches(of tokens: [Int32], startPosition: Int, cache: KVCache) throws -> [Batch] {
        let cachedCount = cache.cachedCount
        guard !tokens.isEmpty else { throw ModelError("forward called with no tokens") }
        guard startPosition >= 0, startPosition <= cachedCount else {
            throw ModelError("start position \(startPosition) is outside 0...\(cachedCount) (positions cached)")
        }
        guard cachedCount - startPosition <= cache.maxRewind else {
            throw ModelError("cannot rewind from \(cachedCount) to \(startPosition): at most \(cache.maxRewind) "
                + "positions back (sliding-window cache); reset the cache instead")
        }
        guard tokens.count <= config.contextLength - startPosition else {
            throw ModelError("\(startPosition) + \(tokens.count) tokens exceed the context length \(config.contextLength)")
        }
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError("token id \(bad) is outside 0..<\(config.vocabSize)")
        }
        return stride(from: 0, to: tokens.count, by: maxBatch).map { offset in
            Batch(tokens: tokens[offset..<min(offset + maxBatch, tokens.count)],
                  firstPosition: startPosition + offset)
        }
    }

    /// Logits for the requested rows: calls `body` with a buffer of `rows × vocabSize` floats.
    func logits(rows: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        let count = rows * config.vocabSize
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            body(buffer.baseAddress!)
            initialized = count
        }
    }

    /// Rows of one batch whose logits are wanted: all of them, or only the last token of the
    /// last batch.
    func outputRows(of batch: Batch, total: Int, startPosition: Int, allLogits: Bool) -> Range<Int> {
        if allLogits { return 0..<batch.count }
        return batch.positions.upperBound == startPosition + total ? batch.count - 1..<batch.count : 0..<0
    }
}
