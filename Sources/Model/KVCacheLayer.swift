// KVCacheLayer: the cached keys and values of one attention layer, in float32.
//
// Position p lives in slot p % capacity. A layer that attends to the whole context has capacity
// = the context length, so slots are positions; a sliding-window layer only needs a ring of
// window - 1 + (the largest batch) slots, which keeps its memory and cost bounded by the window.

/// Keys and values of one layer, `keyWidth` and `valueWidth` floats per position
/// (all KV heads of a position side by side).
public final class KVCacheLayer {
    /// Slots in the ring; position p is stored in slot p % capacity.
    public let capacity: Int
    public let keyWidth: Int
    public let valueWidth: Int
    let keys: FloatBuffer
    let values: FloatBuffer

    /// - Precondition: all sizes positive and their products within memory (checked by the caller).
    public init(capacity: Int, keyWidth: Int, valueWidth: Int) {
        precondition(capacity > 0 && keyWidth > 0 && valueWidth > 0)
        self.capacity = capacity
        self.keyWidth = keyWidth
        self.valueWidth = valueWidth
        keys = FloatBuffer(count: capacity * keyWidth)
        values = FloatBuffer(count: capacity * valueWidth)
    }

    /// Copies `keyWidth` floats of `key` and `valueWidth` floats of `value` into position's slot.
    public func store(position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        let slot = position % capacity
        (keys.pointer + slot * keyWidth).update(from: key, count: keyWidth)
        (values.pointer + slot * valueWidth).update(from: value, count: valueWidth)
    }

    /// The keys of `position` (valid while that position is the newest one in its slot).
    public func key(at position: Int) -> UnsafePointer<Float> {
        UnsafePointer(keys.pointer + (position % capacity) * keyWidth)
    }

    /// The values of `position`.
    public func value(at position: Int) -> UnsafePointer<Float> {
        UnsafePointer(values.pointer + (position % capacity) * valueWidth)
    }
}
