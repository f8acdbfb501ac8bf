// DecoderRuntime: what every decoder-only forward pass needs besides its maths: the thread pool,
// the KV cache (full-context layers and sliding-window rings), checks of the tokens and
// positions a caller passes, cutting a long prompt into batches, and the logits buffer that only
// holds the rows asked for.

import Kernels

/// Shared state and bookkeeping of a decoder forward pass.
final class DecoderRuntime {
    /// Most tokens processed through the layers together; longer inputs are cut into batches.
    let maxBatch: Int
    let pool: ThreadPool
    /// One cache per layer.
    let cache: [KVCacheLayer]
    /// Positions currently cached: the next forward starts at or before this.
    private(set) var cachedCount = 0
    /// How far back a forward may rewind (limited by the sliding-window rings).
    let maxRewind: Int
    let config: ModelConfig

    /// A run of consecutive tokens processed together.
    struct Batch {
        let tokens: ArraySlice<Int32>
        let firstPosition: Int
        var count: Int { tokens.count }
        var positions: Range<Int> { firstPosition..<firstPosition + tokens.count }
    }

    /// - Parameter windows: per layer, its sliding window, or nil for full attention.
    init(config: ModelConfig, windows: [Int?], threads: Int, maxBatch: Int = 512) throws {
        precondition(windows.count == config.blockCount)
        self.config = config
        self.maxBatch = min(maxBatch, config.contextLength)
        pool = ThreadPool(threads: threads)
        let keyWidth = config.headCountKV * config.keyLength
        let valueWidth = config.headCountKV * config.valueLength
        var rewind = config.contextLength
        var layers: [KVCacheLayer] = []
        var totalFloats = 0
        for window in windows {
            var capacity = config.contextLength
            if let window, window - 1 + self.maxBatch < capacity {
                // A ring of window - 1 + maxBatch slots holds every key a batch can see.
                capacity = window - 1 + self.maxBatch
                rewind = self.maxBatch
            }
            let (floats, overflow) = capacity.multipliedReportingOverflow(by: keyWidth + valueWidth)   // halves
            let (total, overflow2) = totalFloats.addingReportingOverflow(floats)
            guard !overflow, !overflow2, total <= 1 << 36 else {
                throw ModelError("KV cache for context \(config.contextLength) is too large")
            }
            totalFloats = total
            layers.append(KVCacheLayer(capacity: capacity, keyWidth: keyWidth, valueWidth: valueWidth))
        }
        cache = layers
        maxRewind = rewind
    }

    /// Checks a forward call's arguments and cuts its tokens into batches.
    func batches(of tokens: [Int32], startPosition: Int) throws -> [Batch] {
        guard !tokens.isEmpty else { throw ModelError("forward called with no tokens") }
        guard startPosition >= 0, startPosition <= cachedCount else {
            throw ModelError("start position \(startPosition) is outside 0...\(cachedCount) (positions cached)")
        }
        guard cachedCount - startPosition <= maxRewind else {
            throw ModelError("cannot rewind from \(cachedCount) to \(startPosition): at most \(maxRewind) "
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

    /// Records that positions up to `end` (exclusive) are now cached.
    func didCache(upTo end: Int) { cachedCount = end }

    func reset() { cachedCount = 0 }

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
