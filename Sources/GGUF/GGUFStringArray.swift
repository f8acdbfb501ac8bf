// GGUFStringArray: an array of GGUF strings kept as their exact bytes in one buffer, so a
// 262,144-token vocabulary costs two allocations instead of a quarter million, and token strings
// that are not valid UTF-8 (byte-fallback pieces, cut multi-byte characters) survive unchanged.

/// Strings of a GGUF array, stored as exact bytes. Reading an element as `String` repairs invalid
/// UTF-8 with U+FFFD; `bytes(at:)` gives the bytes exactly as they are in the file.
public struct GGUFStringArray: RandomAccessCollection, Sendable, Equatable {
    /// All strings' bytes, back to back.
    private let storage: [UInt8]
    /// `ends[i]` is where string i ends in `storage` (it starts where string i-1 ends).
    private let ends: [Int]

    init(storage: [UInt8], ends: [Int]) {
        self.storage = storage
        self.ends = ends
    }

    /// Strings from Swift strings (stored as their UTF-8).
    public init(_ strings: [String]) {
        var storage: [UInt8] = []
        var ends: [Int] = []
        ends.reserveCapacity(strings.count)
        for string in strings {
            storage.append(contentsOf: string.utf8)
            ends.append(storage.count)
        }
        self.init(storage: storage, ends: ends)
    }

    /// Strings from raw bytes, which need not be valid UTF-8.
    public init(byteStrings: [[UInt8]]) {
        var storage: [UInt8] = []
        var ends: [Int] = []
        ends.reserveCapacity(byteStrings.count)
        for bytes in byteStrings {
            storage.append(contentsOf: bytes)
            ends.append(storage.count)
        }
        self.init(storage: storage, ends: ends)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { ends.count }

    /// String `i`, with invalid UTF-8 replaced by U+FFFD.
    public subscript(i: Int) -> String {
        let range = range(at: i)
        return storage.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// All strings as `[String]` (invalid UTF-8 repaired).
    public var strings: [String] {
        storage.withUnsafeBufferPointer { all in
            var start = 0
            return ends.map { end in
                defer { start = end }
                return String(decoding: UnsafeBufferPointer(rebasing: all[start..<end]), as: UTF8.self)
            }
        }
    }

    /// The exact bytes of string `i`.
    public func bytes(at i: Int) -> ArraySlice<UInt8> {
        storage[range(at: i)]
    }

    /// Calls `body` with the exact bytes of string `i`, without copying.
    public func withBytes<R>(at i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let range = range(at: i)
        return try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Whether string `i` is valid UTF-8 (so `self[i]` gives its bytes back exactly).
    public func isValidUTF8(at i: Int) -> Bool {
        withBytes(at: i) { String(validating: $0, as: UTF8.self) != nil }
    }

    /// Total bytes of all strings.
    public var totalByteCount: Int { storage.count }

    /// Calls `body` with all strings' bytes back to back and where each string ends in them.
    func withStorage<R>(_ body: (UnsafeRawBufferPointer, [Int]) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { try body($0, ends) }
    }

    private func range(at i: Int) -> Range<Int> {
        (i == 0 ? 0 : ends[i - 1])..<ends[i]
    }
}
