// KVCacheLayer: the cached keys and values of one attention layer, stored as float16 (an F16 KV
// cache, as llama.cpp's default): half the memory of floats and half the bytes attention reads.
// Rounding to float16 also matters for agreement with llama.cpp at numerically sensitive
// positions.
//
// Position p lives in slot p % capacity. A layer that attends to the whole context has capacity
// = the context length, so slots are positions; a sliding-window layer only needs a ring of
// window - 1 + (the largest batch) slots, which keeps its memory and cost bounded by the window.
// The memory comes zero-filled from calloc, so pages of a long context that are never reached
// are never touched (and never count in the resident set).

#if canImport(Glibc)
import Glibc
#endif
import Kernels

/// Keys and values of one layer, `keyWidth` and `valueWidth` halves per position
/// (all KV heads of a position side by side).
public final class KVCacheLayer {
    /// Slots in the ring; position p is stored in slot p % capacity.
    public let capacity: Int
    public let keyWidth: Int
    public let valueWidth: Int
    /// float16 bits, `capacity × keyWidth` and `capacity × valueWidth`.
    let keys: UnsafeMutablePointer<UInt16>
    let values: UnsafeMutablePointer<UInt16>

    /// - Precondition: all sizes positive and their products within bounds (checked by the caller).
    /// - Throws: `ModelError` when the memory cannot be had.
    public init(capacity: Int, keyWidth: Int, valueWidth: Int) throws {
        precondition(capacity > 0 && keyWidth > 0 && valueWidth > 0)
        self.capacity = capacity
        self.keyWidth = keyWidth
        self.valueWidth = valueWidth
        guard let keys = calloc(capacity * keyWidth, 2) else {
            throw ModelError("out of memory for a KV cache of \(capacity) positions")
        }
        guard let values = calloc(capacity * valueWidth, 2) else {
            free(keys)
            throw ModelError("out of memory for a KV cache of \(capacity) positions")
        }
        self.keys = keys.bindMemory(to: UInt16.self, capacity: capacity * keyWidth)
        self.values = values.bindMemory(to: UInt16.self, capacity: capacity * valueWidth)
    }

    deinit {
        free(keys)
        free(values)
    }

    /// Stores `keyWidth` floats of `key` and `valueWidth` floats of `value`, rounded to float16,
    /// in position's slot.
    public func store(position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        let slot = position % capacity
        Kernels.toHalf(key, into: keys + slot * keyWidth, count: keyWidth)
        Kernels.toHalf(value, into: values + slot * valueWidth, count: valueWidth)
    }

    /// The stored keys of `position` as floats (valid while that position is the newest one in its slot).
    public func key(at position: Int) -> [Float] {
        Self.floats(keys + (position % capacity) * keyWidth, count: keyWidth)
    }

    /// The stored values of `position` as floats.
    public func value(at position: Int) -> [Float] {
        Self.floats(values + (position % capacity) * valueWidth, count: valueWidth)
    }

    private static func floats(_ halves: UnsafePointer<UInt16>, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            Kernels.fromHalf(halves, into: buffer.baseAddress!, count: count)
            initialized = count
        }
    }
}
