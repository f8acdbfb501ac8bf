// FloatBuffer: a fixed-size, zero-filled block of floats owned by a class, for scratch activations
// and the KV cache (raw pointers keep the hot loops free of array bookkeeping).

/// An owned, fixed-size float buffer, freed on deinit.
final class FloatBuffer {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    /// Start of element `index` (no bounds check beyond a debug assertion).
    subscript(offset index: Int) -> UnsafeMutablePointer<Float> {
        assert(index >= 0 && index <= count)
        return pointer + index
    }
}

extension FloatBuffer {
    /// A buffer holding a copy of `values`.
    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        pointer.update(from: values, count: values.count)
    }
}
