// Writing a bundle: the stub, then the payload laid out as docs/FORMAT.md says. Everything is
// deterministic: fixed zstd levels, sections in a fixed order, sorted JSON, no timestamps.
import Synchronization

/// What goes into a payload.
public struct BundleContents {
    /// The source GGUF's bytes before its tensor data.
    public var ggufHeader: UnsafeRawBufferPointer
    /// The source GGUF's tensor data, to the end of the file.
    public var tensorData: UnsafeRawBufferPointer
    public var runConfig: RunConfig
    public var manifest: Manifest
    /// The self-test record (JSON), if one was made.
    public var selfTest: [UInt8]?
    /// Store tensor-data chunks as zstd frames where that saves at least 5 %.
    public var compressWeights: Bool
    /// Raw bytes per tensor-data chunk: a multiple of 64 KiB (64 MiB unless testing).
    public var chunkSize: Int

    public init(ggufHeader: UnsafeRawBufferPointer, tensorData: UnsafeRawBufferPointer, runConfig: RunConfig, manifest: Manifest,
                compressWeights: Bool, chunkSize: Int = BundleFormat.chunkSize, selfTest: [UInt8]? = nil) {
        self.selfTest = selfTest
        self.ggufHeader = ggufHeader
        self.tensorData = tensorData
        self.runConfig = runConfig
        self.manifest = manifest
        self.compressWeights = compressWeights
        self.chunkSize = chunkSize
    }
}

/// Writes bundles.
public enum BundleWriter {
    /// Writes `stub` followed by the payload of `contents` to `output` (not committed).
    /// Returns the index written. `progress` gets the phase "pack" and tensor bytes done.
    @discardableResult
    public static func write(stub: UnsafeRawBufferPointer, contents: BundleContents, to output: OutputFile,
                             threads: Int = Parallel.processorCount, progress: ProgressHandler? = nil) throws -> BundleIndex {
        try checkStub(stub)
        guard contents.chunkSize >= BundleFormat.alignment, contents.chunkSize <= 1 << 30, contents.chunkSize % BundleFormat.alignment == 0 else {
            throw BundleError.invalid("chunk size \(contents.chunkSize) is not a multiple of 64 KiB between 64 KiB and 1 GiB")
        }
        try output.write(stub)
        try output.pad(to: BundleFormat.alignment)
        let payloadStart = output.bytesWritten
        var sections: [SectionEntry] = []

        func addSection(_ kind: SectionKind, encoding: SectionEncoding, stored: [UInt8], rawLength: Int) throws {
            sections.append(SectionEntry(kind: kind, encoding: encoding, offset: output.bytesWritten - payloadStart,
                                         storedLength: stored.count, rawLength: rawLength, checksum: SHA256.hash(stored)))
            try output.write(stored)
        }

        let header = try Zstd.compress(contents.ggufHeader, level: BundleFormat.headerZstdLevel)
        try addSection(.ggufHeader, encoding: .zstd, stored: header, rawLength: contents.ggufHeader.count)
        let config = try contents.runConfig.encoded()
        try addSection(.runConfig, encoding: .raw, stored: config, rawLength: config.count)
        let manifest = try contents.manifest.encoded()
        try addSection(.manifest, encoding: .raw, stored: manifest, rawLength: manifest.count)
        if let selfTest = contents.selfTest {
            try addSection(.selfTest, encoding: .raw, stored: selfTest, rawLength: selfTest.count)
        }

        try output.pad(to: BundleFormat.alignment)
        let tensorOffset = output.bytesWritten - payloadStart
        let chunks = try writeChunks(contents.tensorData, chunkSize: contents.chunkSize, compress: contents.compressWeights, to: output,
                                     payloadStart: payloadStart, threads: threads, progress: progress)
        let anyCompressed = chunks.contains { $0.encoding != .raw }
        sections.append(SectionEntry(kind: .tensorData, encoding: anyCompressed ? .chunked : .raw, offset: tensorOffset,
                                     storedLength: output.bytesWritten - payloadStart - tensorOffset,
                                     rawLength: contents.tensorData.count, checksum: BundleIndex.tensorDataChecksum(chunks)))

        let index = BundleIndex(sections: sections, chunkSize: contents.chunkSize, chunks: chunks)
        let indexBytes = index.serialized()
        let indexOffset = output.bytesWritten - payloadStart
        try output.write(indexBytes)
        let payloadLength = output.bytesWritten - payloadStart + BundleFormat.trailerSize
        let trailer = BundleTrailer(payloadLength: payloadLength, indexOffset: indexOffset, indexLength: indexBytes.count,
                                    indexChecksum: SHA256.hash(indexBytes))
        try output.write(trailer.serialized())
        return index
    }

    /// Writes the payload of an existing bundle behind a new stub (`llmpack rebase`).
    public static func rebase(_ bundle: BundleReader, stub: UnsafeRawBufferPointer, to output: OutputFile, progress: ProgressHandler? = nil) throws {
        try checkStub(stub)
        try output.write(stub)
        try output.pad(to: BundleFormat.alignment)
        let payload = bundle.payload
        var offset = 0
        while offset < payload.count {
            let step = min(64 << 20, payload.count - offset)
            try output.write(UnsafeRawBufferPointer(rebasing: payload[offset..<(offset + step)]))
            offset += step
            progress?("rebase", offset, payload.count)
        }
    }

    /// A stub must be an ELF executable and carry no payload of its own.
    public static func checkStub(_ stub: UnsafeRawBufferPointer) throws {
        guard stub.count >= 4, Array(stub[0..<4]) == [0x7F, 0x45, 0x4C, 0x46] else {
            throw BundleError.invalid("the runner is not an ELF executable")
        }
        let carriesPayload: Bool
        do { carriesPayload = try BundleTrailer.find(in: stub) != nil } catch { carriesPayload = true }
        guard !carriesPayload else {
            throw BundleError.invalid("the runner already carries a payload (it is a bundle, not a bare runner)")
        }
    }

    /// Hashes (and with `compress`, compresses) the chunks a batch at a time on all threads,
    /// writing each batch in order.
    private static func writeChunks(_ data: UnsafeRawBufferPointer, chunkSize: Int, compress: Bool, to output: OutputFile,
                                    payloadStart: Int, threads: Int, progress: ProgressHandler?) throws -> [ChunkEntry] {
        let count = (data.count + chunkSize - 1) / chunkSize
        let batchSize = max(1, threads)
        var chunks: [ChunkEntry] = []
        chunks.reserveCapacity(count)
        var batchStart = 0
        while batchStart < count {
            let batch = batchStart..<min(count, batchStart + batchSize)
            let results = Mutex<[Int: PreparedChunk]>([:])
            let failures = ErrorList()
            let shared = SharedBytes(bytes: data)
            Parallel.forEach(batch.count, threads: threads) { item in
                let number = batch.lowerBound + item
                let start = number * chunkSize
                let data = shared.bytes
                let raw = UnsafeRawBufferPointer(rebasing: data[start..<min(data.count, start + chunkSize)])
                do {
                    let prepared = try PreparedChunk(raw: raw, compress: compress)
                    results.withLock { $0[number] = prepared }
                } catch {
                    failures.append(number, error)
                }
            }
            if let failure = failures.first { throw failure }
            let prepared = results.withLock { $0 }
            for number in batch {
                let chunk = prepared[number]!
                let start = number * chunkSize
                let raw = UnsafeRawBufferPointer(rebasing: data[start..<min(data.count, start + chunkSize)])
                let offset = output.bytesWritten - payloadStart
                if let frame = chunk.frame { try output.write(frame) } else { try output.write(raw) }
                chunks.append(ChunkEntry(encoding: chunk.frame == nil ? .raw : .zstd, offset: offset,
                                         storedLength: output.bytesWritten - payloadStart - offset, rawLength: raw.count,
                                         checksum: chunk.checksum))
                progress?("pack", start + raw.count, data.count)
            }
            batchStart = batch.upperBound
        }
        return chunks
    }
}

/// One chunk ready to write: its zstd frame when compression pays, and the stored bytes' hash.
private struct PreparedChunk: Sendable {
    let frame: [UInt8]?
    let checksum: SHA256Digest

    init(raw: UnsafeRawBufferPointer, compress: Bool) throws {
        if compress {
            let frame = try Zstd.compress(raw, level: BundleFormat.weightsZstdLevel)
            let saves = Double(frame.count) <= Double(raw.count) * (1 - BundleFormat.minimumSaving)
            let withinRatio = raw.count <= frame.count * BundleFormat.maximumCompressionRatio
            if saves && withinRatio {
                self.frame = frame
                self.checksum = SHA256.hash(frame)
                return
            }
        }
        self.frame = nil
        self.checksum = SHA256.hash(raw)
    }
}
