// KVCacheLayer: the cached keys and values of one attention layer.
//
// Values are rounded to float16 when stored, as llama.cpp's F16 cache does (this matters at
// numerically sensitive positions: agreement with llama.cpp improves markedly), but are kept in
// float32 memory so that attention reads them without conversion.
//
// Position p lives in slot p % capacity. A layer that attends to the whole context has capacity
// = the context length, so slots are positions; a sliding-window layer only needs a ring of
// window - 1 + (the largest batch) slots, which keeps its memory and cost bounded by the window.

import Kernels

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

    /// Stores `keyWidth` floats of `key` and `valueWidth` floats of `value`, rounded to float16,
    /// in position's slot.
    public func store(position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        let slot = position % capacity
        Self.roundToHalf(key, into: keys.pointer + slot * keyWidth, count: keyWidth)
        Self.roundToHalf(value, into: values.pointer + slot * valueWidth, count: valueWidth)
    }

    /// The stored keys of `position` (valid while that position is the newest one in its slot).
    public func key(at position: Int) -> UnsafePointer<Float> {
        UnsafePointer(keys.pointer + (position % capacity) * keyWidth)
    }

    /// The stored values of `position`.
    public func value(at position: Int) -> UnsafePointer<Float> {
        UnsafePointer(values.pointer + (position % capacity) * valueWidth)
    }

    /// out[i] = x[i] rounded to the nearest float16 (to nearest even; ±inf beyond its range).
    static func roundToHalf(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        Kernels.roundToHalf(x, into: out, count: count)
    }
}
