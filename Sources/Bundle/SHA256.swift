// SHA-256: a small streaming Swift wrapper over the C implementation in CKernels
// (SHA-NI when the CPU has it, portable otherwise).
import CKernels

/// A 32-byte SHA-256 digest.
public struct SHA256Digest: Sendable, Hashable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 bytes; returns nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// Parses 64 hexadecimal digits.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(digits[i]), let low = Self.nibble(digits[i + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        bytes = out
    }

    /// Lower-case hexadecimal.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { hex }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// A streaming SHA-256 computation.
public struct SHA256: Sendable {
    /// Which block function to use.
    public enum Backend: Sendable {
        /// SHA-NI when the CPU has it, portable otherwise.
        case automatic
        /// Plain C; every CPU.
        case portable
    }

    private var context = ck_sha256_ctx()

    /// Starts a new computation.
    public init(backend: Backend = .automatic) {
        ck_sha256_init(&context, backend == .portable ? CK_SHA256_PORTABLE : CK_SHA256_AUTO)
    }

    /// True when this CPU has the SHA extensions.
    public static var cpuHasSHAExtensions: Bool { ck_sha256_cpu_has_shani() != 0 }

    /// True when this computation runs on the SHA extensions.
    public var usesSHAExtensions: Bool { withUnsafePointer(to: context) { ck_sha256_uses_shani($0) != 0 } }

    /// Feeds bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        ck_sha256_update(&context, base, bytes.count)
    }

    /// Feeds bytes.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything fed so far.
    public func finalize() -> SHA256Digest {
        var copy = context
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { ck_sha256_final(&copy, $0.baseAddress!) }
        return SHA256Digest(bytes: out)!
    }

    /// The digest of one buffer.
    public static func hash(_ bytes: UnsafeRawBufferPointer, backend: Backend = .automatic) -> SHA256Digest {
        var sha = SHA256(backend: backend)
        sha.update(bytes)
        return sha.finalize()
    }

    /// The digest of one array.
    public static func hash(_ bytes: [UInt8], backend: Backend = .automatic) -> SHA256Digest {
        bytes.withUnsafeBytes { hash($0, backend: backend) }
    }
}
