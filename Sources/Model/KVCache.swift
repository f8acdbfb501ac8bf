// KVCache: the keys and values of one sequence (a conversation), one KVCacheLayer per block, and
// how many positions of that sequence they hold. A model has one for its own sequence; a
// SharedDecoder gives each of its streams another, so that several sequences share one set of
// weights.

/// The KV cache of one sequence: a layer cache per block and the count of positions cached.
final class KVCache {
    /// One cache per layer.
    let layers: [KVCacheLayer]
    /// Positions currently cached: the next forward starts at or before this.
    private(set) var cachedCount = 0
    /// How far back a forward may rewind (limited by the sliding-window rings).
    let maxRewind: Int

    init(layers: [KVCacheLayer], maxRewind: Int) {
        self.layers = layers
        self.maxRewind = maxRewind
    }

    /// Records that positions up to `end` (exclusive) are now cached.
    func didCache(upTo end: Int) { cachedCount = end }

    /// Forgets every cached position.
    func reset() { cachedCount = 0 }
}
