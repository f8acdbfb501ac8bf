// The fixed-size trailer at the very end of a bundle: how a runner finds its payload.

/// The last `BundleFormat.trailerSize` bytes of a bundle.
public struct BundleTrailer: Sendable, Equatable {
    public var version: UInt32
    /// Bytes from the payload start to the end of the file, trailer included.
    public var payloadLength: Int
    /// Index position, relative to the payload start.
    public var indexOffset: Int
    public var indexLength: Int
    public var indexChecksum: SHA256Digest

    public init(version: UInt32 = BundleFormat.version, payloadLength: Int, indexOffset: Int, indexLength: Int, indexChecksum: SHA256Digest) {
        self.version = version
        self.payloadLength = payloadLength
        self.indexOffset = indexOffset
        self.indexLength = indexLength
        self.indexChecksum = indexChecksum
    }

    /// The trailer's bytes.
    public func serialized() -> [UInt8] {
        var writer = ByteWriter()
        writer.u32(version)
        writer.u32(0)
        writer.u64(UInt64(payloadLength))
        writer.u64(UInt64(indexOffset))
        writer.u64(UInt64(indexLength))
        writer.raw(indexChecksum.bytes)
        writer.raw(Array(SHA256.hash(writer.bytes).bytes.prefix(8)))
        writer.raw(BundleFormat.trailerMagic)
        return writer.bytes
    }

    /// Reads the trailer at the end of `file`. Returns nil when the file does not end with the
    /// trailer magic and no valid trailer sits shortly before the end either (no payload).
    /// Throws when a trailer is there but wrong, or when bytes follow a valid trailer.
    public static func find(in file: UnsafeRawBufferPointer) throws -> BundleTrailer? {
        let size = BundleFormat.trailerSize
        guard file.count >= size else { return nil }
        if endsWithMagic(file, at: file.count) {
            return try parse(UnsafeRawBufferPointer(rebasing: file[(file.count - size)...]), fileSize: file.count)
        }
        // Bytes appended after a bundle: look for a trailer that checks out in the last 1 MiB.
        let searchStart = max(size, file.count - (1 << 20))
        var end = file.count - 1
        while end >= searchStart {
            if endsWithMagic(file, at: end),
               let trailer = try? parse(UnsafeRawBufferPointer(rebasing: file[(end - size)..<end]), fileSize: end) {
                _ = trailer
                throw BundleError.corrupt("\(file.count - end) unexpected bytes follow the bundle trailer (ending at byte \(end))")
            }
            end -= 1
        }
        return nil
    }

    private static func endsWithMagic(_ file: UnsafeRawBufferPointer, at end: Int) -> Bool {
        let magic = BundleFormat.trailerMagic
        guard end >= magic.count else { return false }
        for i in 0..<magic.count where file[end - magic.count + i] != magic[i] { return false }
        return true
    }

    /// Parses and checks a trailer that ends a file of `fileSize` bytes.
    static func parse(_ bytes: UnsafeRawBufferPointer, fileSize: Int) throws -> BundleTrailer {
        var reader = ByteReader(bytes, what: "bundle trailer")
        let version = try reader.u32()
        let check = SHA256.hash(UnsafeRawBufferPointer(rebasing: bytes[0..<64])).bytes.prefix(8)
        let checkHolds = Array(check) == Array(bytes[64..<72])
        // A newer format may lay out its trailer differently: the version is read before the
        // check (a plausible number only, so that noise does not pass for a future version).
        guard version <= BundleFormat.version || (!checkHolds && version > 1000) else {
            throw BundleError(.unsupportedVersion, "bundle format version \(version) is newer than this llmpack supports (\(BundleFormat.version)); use a newer llmpack")
        }
        guard checkHolds else { throw BundleError.corrupt("bundle trailer is corrupt (trailer checksum mismatch)") }
        guard version != 0 else { throw BundleError.corrupt("bundle trailer is corrupt: format version 0") }
        let flags = try reader.u32()
        guard flags == 0 else { throw BundleError.corrupt("bundle trailer has unknown flags \(flags)") }
        let payloadLength = try reader.size("payload length")
        let indexOffset = try reader.size("index offset")
        let indexLength = try reader.size("index length")
        let checksum = SHA256Digest(bytes: try reader.raw(32))!

        guard payloadLength >= BundleFormat.trailerSize, payloadLength <= fileSize else {
            throw BundleError.corrupt("payload length \(payloadLength) does not fit in the file of \(fileSize) bytes (truncated?)")
        }
        guard (fileSize - payloadLength) % BundleFormat.alignment == 0 else {
            throw BundleError.corrupt("payload start \(fileSize - payloadLength) is not 64 KiB aligned (bytes added or removed?)")
        }
        let indexEnd = try Checked.add(indexOffset, indexLength, "index offset + length")
        guard indexEnd <= payloadLength - BundleFormat.trailerSize else {
            throw BundleError.corrupt("index [\(indexOffset), \(indexEnd)) lies outside the payload of \(payloadLength - BundleFormat.trailerSize) bytes")
        }
        return BundleTrailer(version: version, payloadLength: payloadLength, indexOffset: indexOffset, indexLength: indexLength, indexChecksum: checksum)
    }
}
