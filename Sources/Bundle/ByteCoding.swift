// Little-endian encoding and bounds-checked decoding of the trailer and the index.

/// Appends little-endian fields to a byte array.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }
}

/// Reads little-endian fields from a buffer; every read is bounds-checked and throws a
/// `BundleError` naming `what` when it would run past the end.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    let what: String
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer, what: String) {
        self.bytes = bytes
        self.what = what
    }

    private mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count <= bytes.count - position else {
            throw BundleError.corrupt("\(what) is truncated at byte \(position)")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    mutating func u32() throws -> UInt32 {
        let field = try take(4)
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(field[i]) << UInt32(8 * i) }
        return value
    }

    mutating func u64() throws -> UInt64 {
        let field = try take(8)
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(field[i]) << UInt64(8 * i) }
        return value
    }

    /// A u64 that must fit in `Int` (every size and offset here).
    mutating func size(_ field: String) throws -> Int {
        let offset = position
        let value = try u64()
        guard value <= UInt64(Int.max) else {
            throw BundleError.corrupt("\(what): \(field) \(value) at byte \(offset) is out of range")
        }
        return Int(value)
    }

    mutating func raw(_ count: Int) throws -> [UInt8] { Array(try take(count)) }
}

/// Checked arithmetic for sizes read from files.
enum Checked {
    /// a + b, or a thrown error naming `what`.
    static func add(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw BundleError.corrupt("\(what()) overflows") }
        return sum
    }

    /// a * b, or a thrown error naming `what`.
    static func multiply(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw BundleError.corrupt("\(what()) overflows") }
        return product
    }

    /// `value` rounded up to a multiple of `alignment` (a power of two).
    static func alignUp(_ value: Int, _ alignment: Int) throws -> Int {
        let sum = try add(value, alignment - 1, "aligning \(value)")
        return sum & ~(alignment - 1)
    }
}
