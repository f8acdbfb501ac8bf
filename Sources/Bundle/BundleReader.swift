// Opening a bundle: find the trailer, check the index and every bound (milliseconds, no full
// hash), then hand out sections: the GGUF header, the run config, the manifest, the tensor data.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Reports progress: a phase name, the units done and the units in all.
public typealias ProgressHandler = @Sendable (_ phase: String, _ done: Int, _ total: Int) -> Void

/// A bundle opened for reading; structurally checked when created.
public final class BundleReader: @unchecked Sendable {
    /// The whole file.
    public let file: UnsafeRawBufferPointer
    /// Keeps `file`'s memory alive (a mapping).
    private let owner: AnyObject?
    public let trailer: BundleTrailer
    public let index: BundleIndex
    /// Where the payload starts in the file.
    public let payloadStart: Int

    /// Checks the trailer, the index and its checksum, and all bounds. Throws a `BundleError`
    /// of kind `.noPayload` when the file does not end with a bundle trailer.
    public init(file: UnsafeRawBufferPointer, owner: AnyObject?) throws {
        guard let trailer = try BundleTrailer.find(in: file) else {
            throw BundleError(.noPayload, "no llmpack payload: the file does not end with a bundle trailer (not a bundle, or truncated)")
        }
        let payloadStart = file.count - trailer.payloadLength
        let indexStart = payloadStart + trailer.indexOffset
        let indexBytes = UnsafeRawBufferPointer(rebasing: file[indexStart..<(indexStart + trailer.indexLength)])
        guard SHA256.hash(indexBytes) == trailer.indexChecksum else {
            throw BundleError.corrupt("bundle index is corrupt (checksum mismatch, file bytes \(indexStart)..<\(indexStart + trailer.indexLength))")
        }
        self.index = try BundleIndex.parse(indexBytes, indexOffset: trailer.indexOffset)
        self.file = file
        self.owner = owner
        self.trailer = trailer
        self.payloadStart = payloadStart
    }

    /// The payload: from its start to the end of the file.
    public var payload: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: file[payloadStart...]) }

    /// The section of a kind (every kind is present: the index was checked).
    public func section(_ kind: SectionKind) -> SectionEntry {
        precondition(kind.isRequired, "optional sections are read with optionalSection(_:)")
        return index.section(kind)!
    }

    /// A section that a bundle may lack (the self-test).
    public func optionalSection(_ kind: SectionKind) -> SectionEntry? { index.section(kind) }

    /// Where a payload range lies in the file.
    public func fileRange(offset: Int, length: Int) -> Range<Int> { (payloadStart + offset)..<(payloadStart + offset + length) }

    /// The stored bytes of a payload range (bounds were checked with the index).
    public func stored(offset: Int, length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file[fileRange(offset: offset, length: length)])
    }

    /// The stored bytes of a section.
    public func stored(_ section: SectionEntry) -> UnsafeRawBufferPointer { stored(offset: section.offset, length: section.storedLength) }

    /// The stored bytes of a chunk.
    public func stored(_ chunk: ChunkEntry) -> UnsafeRawBufferPointer { stored(offset: chunk.offset, length: chunk.storedLength) }

    /// A small section's content: checksum checked, decompressed. Not for tensor data.
    public func contents(of kind: SectionKind) throws -> [UInt8] {
        precondition(kind != .tensorData, "tensor data is read with loadTensorData()")
        guard let entry = index.section(kind) else { throw BundleError.corrupt("the bundle has no \(kind) section") }
        let bytes = stored(entry)
        guard SHA256.hash(bytes) == entry.checksum else {
            let range = fileRange(offset: entry.offset, length: entry.storedLength)
            throw BundleError.corrupt("section \(kind) is corrupt (SHA-256 mismatch, file bytes \(range.lowerBound)..<\(range.upperBound))")
        }
        switch entry.encoding {
        case .raw: return Array(bytes)
        default: return try Zstd.decompress(bytes, rawLength: entry.rawLength, what: "section \(kind)")
        }
    }

    /// The source GGUF's bytes before its tensor data.
    public func ggufHeader() throws -> [UInt8] { try contents(of: .ggufHeader) }

    /// The run defaults.
    public func runConfig() throws -> RunConfig { try RunConfig.decode(contents(of: .runConfig)) }

    /// The provenance record.
    public func manifest() throws -> Manifest { try Manifest.decode(contents(of: .manifest)) }

    /// The self-test record (JSON) written at build time, or nil for a bundle built without one.
    public func selfTest() throws -> [UInt8]? {
        index.section(.selfTest) == nil ? nil : try contents(of: .selfTest)
    }

    /// Length of the tensor data once decompressed.
    public var tensorDataLength: Int { section(.tensorData).rawLength }

    /// True when tensor data is stored raw and is mapped without a copy.
    public var tensorDataIsMapped: Bool { section(.tensorData).encoding == .raw }

    /// The tensor data: a view of the file when stored raw, else decompressed in parallel into
    /// new memory (the chunks' zstd frame checksums are checked; their SHA-256 is not).
    public func loadTensorData(threads: Int = Parallel.processorCount) throws -> TensorData {
        let entry = section(.tensorData)
        if entry.encoding == .raw {
            return TensorData(bytes: stored(entry), owner: self)
        }
        let buffer = try TensorData.allocate(count: entry.rawLength)
        let chunks = index.chunks
        let chunkSize = index.chunkSize
        let failures = ErrorList()
        Parallel.forEach(chunks.count, threads: threads) { [self] number in
            let chunk = chunks[number]
            let destination = UnsafeMutableRawPointer(mutating: buffer.bytes.baseAddress!) + number * chunkSize
            let source = stored(chunk)
            switch chunk.encoding {
            case .raw: destination.copyMemory(from: source.baseAddress!, byteCount: chunk.rawLength)
            default:
                do { try Zstd.decompress(source, rawLength: chunk.rawLength, into: destination, what: "tensor-data chunk \(number)") }
                catch { failures.append(number, error) }
            }
        }
        if let first = failures.first { throw first }
        return buffer
    }
}

/// Tensor data in memory: a view of a mapped bundle or GGUF, or decompressed bytes it owns.
public final class TensorData: @unchecked Sendable {
    /// The bytes (page-aligned when decompressed; 64 KiB aligned in a raw bundle).
    public let bytes: UnsafeRawBufferPointer
    private let owner: AnyObject?
    private let ownsMapping: Bool

    /// A view of memory that `owner` keeps alive.
    public init(bytes: UnsafeRawBufferPointer, owner: AnyObject?) {
        self.bytes = bytes
        self.owner = owner
        self.ownsMapping = false
    }

    private init(mapping: UnsafeRawBufferPointer) {
        self.bytes = mapping
        self.owner = nil
        self.ownsMapping = true
    }

    /// Fresh anonymous memory of `count` bytes.
    static func allocate(count: Int) throws -> TensorData {
        guard count > 0 else { return TensorData(bytes: UnsafeRawBufferPointer(start: nil, count: 0), owner: nil) }
        let pointer = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let pointer, pointer != MAP_FAILED else {
            throw BundleError.io("cannot allocate \(count) bytes for the decompressed tensor data")
        }
        return TensorData(mapping: UnsafeRawBufferPointer(start: pointer, count: count))
    }

    deinit {
        if ownsMapping, let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}

/// Errors collected from parallel work, sorted by item number.
final class ErrorList: Sendable {
    private let items = Mutex<[(Int, any Error)]>([])

    func append(_ number: Int, _ error: any Error) {
        items.withLock { $0.append((number, error)) }
    }

    var all: [any Error] { items.withLock { $0.sorted { $0.0 < $1.0 }.map { $0.1 } } }

    var first: (any Error)? { all.first }
}
