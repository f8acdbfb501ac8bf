// ByteReader: a cursor over untrusted bytes. Every read checks the bytes left first and throws a
// GGUFError naming the field and its offset when they run out; nothing is read out of bounds and
// nothing is allocated before its size is known to fit.

/// A little-endian reader over a byte buffer that throws instead of reading past its end.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Bytes not yet read.
    var remaining: Int { bytes.count - offset }

    /// Throws unless `count` more bytes can be read. `what` names the field for the message.
    func require(_ count: Int, _ what: @autoclosure () -> String) throws {
        guard count <= remaining else {
            throw GGUFError("\(what()) at offset \(offset) is truncated: needs \(count) bytes, "
                + "only \(remaining) left (input is \(bytes.count) bytes)", offset: offset)
        }
    }

    /// Reads one little-endian integer.
    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        try require(MemoryLayout<T>.size, what())
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return value
    }

    /// The next `count` bytes, which the caller has checked with `require`.
    mutating func take(_ count: Int) -> UnsafeRawBufferPointer {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return slice
    }

    /// The next `count` elements of `T`, stored little-endian, which the caller has checked with
    /// `require`. One bulk copy on little-endian machines.
    mutating func takeArray<T: FixedWidthInteger>(of _: T.Type, count: Int) -> [T] {
        let raw = take(count * MemoryLayout<T>.size)
        var result = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw) }
            initialized = count
        }
        #if _endian(big)
        for i in result.indices { result[i] = T(littleEndian: result[i]) }
        #endif
        return result
    }
}

extension ByteReader {
    /// The next `count` float32s, checked by the caller with `require`.
    mutating func takeFloat32s(count: Int) -> [Float] {
        #if _endian(little)
        let raw = take(count * 4)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw) }
            initialized = count
        }
        #else
        return takeArray(of: UInt32.self, count: count).map(Float.init(bitPattern:))
        #endif
    }

    /// The next `count` float64s, checked by the caller with `require`.
    mutating func takeFloat64s(count: Int) -> [Double] {
        #if _endian(little)
        let raw = take(count * 8)
        return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw) }
            initialized = count
        }
        #else
        return takeArray(of: UInt64.self, count: count).map(Double.init(bitPattern:))
        #endif
    }
}
