// The index: where each section and each tensor-data chunk lies, how it is stored, and its
// SHA-256. Parsing checks every bound, so later code can slice the payload without re-checking.

/// One section of the payload.
public struct SectionEntry: Sendable, Equatable {
    public var kind: SectionKind
    public var encoding: SectionEncoding
    /// Offset of the stored bytes, relative to the payload start.
    public var offset: Int
    public var storedLength: Int
    public var rawLength: Int
    /// SHA-256 of the stored bytes (for tensor data: of the concatenated chunk checksums).
    public var checksum: SHA256Digest

    public init(kind: SectionKind, encoding: SectionEncoding, offset: Int, storedLength: Int, rawLength: Int, checksum: SHA256Digest) {
        self.kind = kind
        self.encoding = encoding
        self.offset = offset
        self.storedLength = storedLength
        self.rawLength = rawLength
        self.checksum = checksum
    }

    /// The end of the stored bytes, relative to the payload start.
    public var end: Int { offset + storedLength }
}

/// One tensor-data chunk.
public struct ChunkEntry: Sendable, Equatable {
    /// `.raw` or `.zstd`.
    public var encoding: SectionEncoding
    public var offset: Int
    public var storedLength: Int
    public var rawLength: Int
    /// SHA-256 of the stored bytes.
    public var checksum: SHA256Digest

    public init(encoding: SectionEncoding, offset: Int, storedLength: Int, rawLength: Int, checksum: SHA256Digest) {
        self.encoding = encoding
        self.offset = offset
        self.storedLength = storedLength
        self.rawLength = rawLength
        self.checksum = checksum
    }

    public var end: Int { offset + storedLength }
}

/// The bundle index.
public struct BundleIndex: Sendable, Equatable {
    /// Sections in payload order.
    public var sections: [SectionEntry]
    /// Raw bytes per tensor-data chunk.
    public var chunkSize: Int
    /// Tensor-data chunks in order.
    public var chunks: [ChunkEntry]

    public init(sections: [SectionEntry], chunkSize: Int, chunks: [ChunkEntry]) {
        self.sections = sections
        self.chunkSize = chunkSize
        self.chunks = chunks
    }

    /// The section of a kind (parsing guarantees each kind is present once).
    public func section(_ kind: SectionKind) -> SectionEntry? { sections.first { $0.kind == kind } }

    /// The checksum a tensor-data section records: SHA-256 of the concatenated chunk checksums.
    public static func tensorDataChecksum(_ chunks: [ChunkEntry]) -> SHA256Digest {
        var sha = SHA256()
        for chunk in chunks { sha.update(chunk.checksum.bytes) }
        return sha.finalize()
    }

    /// The index's bytes.
    public func serialized() -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(BundleFormat.indexMagic)
        writer.u32(UInt32(sections.count))
        writer.u32(UInt32(chunks.count))
        writer.u32(0)
        writer.u64(UInt64(chunkSize))
        for section in sections {
            writer.u32(section.kind.rawValue)
            writer.u32(section.encoding.rawValue)
            writer.u64(UInt64(section.offset))
            writer.u64(UInt64(section.storedLength))
            writer.u64(UInt64(section.rawLength))
            writer.raw(section.checksum.bytes)
        }
        for chunk in chunks {
            writer.u32(chunk.encoding.rawValue)
            writer.u32(0)
            writer.u64(UInt64(chunk.offset))
            writer.u64(UInt64(chunk.storedLength))
            writer.u64(UInt64(chunk.rawLength))
            writer.raw(chunk.checksum.bytes)
        }
        return writer.bytes
    }

    /// Parses an index and checks every rule of docs/FORMAT.md. `indexOffset` is where the
    /// index lies in the payload: sections must end before it.
    public static func parse(_ bytes: UnsafeRawBufferPointer, indexOffset: Int) throws -> BundleIndex {
        var reader = ByteReader(bytes, what: "bundle index")
        guard try reader.raw(4) == BundleFormat.indexMagic else { throw BundleError.corrupt("bundle index has a wrong magic") }
        let sectionCount = Int(try reader.u32())
        let chunkCount = Int(try reader.u32())
        guard try reader.u32() == 0 else { throw BundleError.corrupt("bundle index: reserved field is not zero") }
        let chunkSize = try reader.size("chunk size")
        guard sectionCount <= BundleFormat.maximumSections else {
            throw BundleError.corrupt("bundle index lists \(sectionCount) sections (at most \(BundleFormat.maximumSections))")
        }
        let records = try Checked.add(sectionCount, chunkCount, "record count")
        let expected = try Checked.add(BundleFormat.indexHeaderSize, try Checked.multiply(records, BundleFormat.recordSize, "index size"), "index size")
        guard expected == bytes.count else {
            throw BundleError.corrupt("bundle index is \(bytes.count) bytes but lists \(sectionCount) sections and \(chunkCount) chunks (\(expected) bytes)")
        }
        guard chunkSize >= BundleFormat.alignment, chunkSize <= 1 << 30, chunkSize % BundleFormat.alignment == 0 else {
            throw BundleError.corrupt("bundle index: chunk size \(chunkSize) is not a multiple of 64 KiB between 64 KiB and 1 GiB")
        }

        var sections: [SectionEntry] = []
        for number in 0..<sectionCount {
            let kindValue = try reader.u32()
            guard let kind = SectionKind(rawValue: kindValue) else { throw BundleError.corrupt("bundle index: section \(number) has unknown kind \(kindValue)") }
            let encodingValue = try reader.u32()
            guard let encoding = SectionEncoding(rawValue: encodingValue) else { throw BundleError.corrupt("bundle index: section \(kind) has unknown encoding \(encodingValue)") }
            let entry = SectionEntry(kind: kind, encoding: encoding, offset: try reader.size("\(kind) offset"),
                                     storedLength: try reader.size("\(kind) length"), rawLength: try reader.size("\(kind) raw length"),
                                     checksum: SHA256Digest(bytes: try reader.raw(32))!)
            _ = try Checked.add(entry.offset, entry.storedLength, "\(kind) end")
            sections.append(entry)
        }
        var chunks: [ChunkEntry] = []
        chunks.reserveCapacity(chunkCount)
        for number in 0..<chunkCount {
            let encodingValue = try reader.u32()
            guard let encoding = SectionEncoding(rawValue: encodingValue), encoding != .chunked else {
                throw BundleError.corrupt("bundle index: chunk \(number) has unknown encoding \(encodingValue)")
            }
            guard try reader.u32() == 0 else { throw BundleError.corrupt("bundle index: chunk \(number) reserved field is not zero") }
            let entry = ChunkEntry(encoding: encoding, offset: try reader.size("chunk \(number) offset"),
                                   storedLength: try reader.size("chunk \(number) length"), rawLength: try reader.size("chunk \(number) raw length"),
                                   checksum: SHA256Digest(bytes: try reader.raw(32))!)
            _ = try Checked.add(entry.offset, entry.storedLength, "chunk \(number) end")
            chunks.append(entry)
        }
        let index = BundleIndex(sections: sections, chunkSize: chunkSize, chunks: chunks)
        try index.validate(indexOffset: indexOffset)
        return index
    }

    /// Checks the rules of docs/FORMAT.md.
    func validate(indexOffset: Int) throws {
        for kind in SectionKind.allCases {
            let count = sections.filter { $0.kind == kind }.count
            if kind.isRequired {
                guard count == 1 else { throw BundleError.corrupt("bundle index has \(count) \(kind) sections (need exactly one)") }
            } else {
                guard count <= 1 else { throw BundleError.corrupt("bundle index has \(count) \(kind) sections (at most one)") }
            }
        }
        var previousEnd = 0
        for section in sections.sorted(by: { $0.offset < $1.offset }) {
            guard section.offset >= previousEnd else { throw BundleError.corrupt("section \(section.kind) at \(section.offset) overlaps the section before it") }
            guard section.end <= indexOffset else {
                throw BundleError.corrupt("section \(section.kind) [\(section.offset), \(section.end)) is out of bounds (payload data ends at \(indexOffset))")
            }
            previousEnd = section.end
            switch section.encoding {
            case .raw:
                guard section.rawLength == section.storedLength else { throw BundleError.corrupt("raw section \(section.kind) has stored length \(section.storedLength) but raw length \(section.rawLength)") }
            case .zstd:
                guard section.kind != .tensorData else { throw BundleError.corrupt("tensor-data section cannot be one zstd frame") }
                try Self.checkRatio(raw: section.rawLength, stored: section.storedLength, what: "section \(section.kind)")
            case .chunked:
                guard section.kind == .tensorData else { throw BundleError.corrupt("section \(section.kind) cannot be chunked") }
            }
            if section.kind == .runConfig || section.kind == .manifest {
                guard section.rawLength <= BundleFormat.maximumJSONSize else { throw BundleError.corrupt("section \(section.kind) is \(section.rawLength) bytes (at most 16 MiB)") }
            }
        }
        try validateChunks()
    }

    private func validateChunks() throws {
        let tensor = section(.tensorData)!
        var position = tensor.offset
        var remaining = tensor.rawLength
        for (number, chunk) in chunks.enumerated() {
            let expectedRaw = min(chunkSize, remaining)
            guard chunk.offset == position else { throw BundleError.corrupt("tensor-data chunk \(number) starts at \(chunk.offset), expected \(position)") }
            guard chunk.rawLength == expectedRaw, expectedRaw > 0 else {
                throw BundleError.corrupt("tensor-data chunk \(number) holds \(chunk.rawLength) bytes, expected \(expectedRaw)")
            }
            switch chunk.encoding {
            case .raw:
                guard chunk.storedLength == chunk.rawLength else { throw BundleError.corrupt("raw tensor-data chunk \(number) has stored length \(chunk.storedLength) but raw length \(chunk.rawLength)") }
            default:
                guard tensor.encoding == .chunked else { throw BundleError.corrupt("tensor-data chunk \(number) is compressed but the section is raw") }
                try Self.checkRatio(raw: chunk.rawLength, stored: chunk.storedLength, what: "tensor-data chunk \(number)")
            }
            position = chunk.end
            remaining -= chunk.rawLength
        }
        guard remaining == 0, position == tensor.end else {
            throw BundleError.corrupt("tensor-data chunks do not cover the section (\(remaining) raw bytes missing, stored bytes end at \(position) not \(tensor.end))")
        }
        if tensor.encoding == .raw {
            guard tensor.offset % BundleFormat.alignment == 0 else { throw BundleError.corrupt("raw tensor-data section at \(tensor.offset) is not 64 KiB aligned") }
        }
        guard Self.tensorDataChecksum(chunks) == tensor.checksum else {
            throw BundleError.corrupt("tensor-data section checksum does not match its chunk table")
        }
    }

    private static func checkRatio(raw: Int, stored: Int, what: String) throws {
        let limit = try Checked.multiply(stored, BundleFormat.maximumCompressionRatio, "\(what) size")
        guard raw <= limit else { throw BundleError.corrupt("\(what) claims \(raw) raw bytes from \(stored) stored bytes (more than 64:1)") }
    }
}
