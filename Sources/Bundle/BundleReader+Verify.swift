// Full verification: the SHA-256 of every section and every tensor-data chunk, hashed in
// parallel, and the SHA-256 of the reassembled GGUF against the manifest.
import Synchronization

/// One failed check: what failed, where it lies in the file, and how.
public struct VerifyIssue: Sendable, CustomStringConvertible, Equatable {
    /// "section gguf-header", "tensor-data chunk 3", "reassembled GGUF", ...
    public let what: String
    /// The byte range in the file, when the check covers one.
    public let fileRange: Range<Int>?
    public let problem: String

    public var description: String {
        if let range = fileRange { return "\(what) (file bytes \(range.lowerBound)..<\(range.upperBound)): \(problem)" }
        return "\(what): \(problem)"
    }
}

extension BundleReader {
    /// Bytes hashed in one step between progress reports.
    private static let progressStep = 4 << 20

    /// Recomputes every checksum. Returns the failures, empty when the bundle is intact.
    /// `progress` gets the phase "verify" and bytes hashed so far out of all.
    public func verify(threads: Int = Parallel.processorCount, progress: ProgressHandler? = nil) -> [VerifyIssue] {
        let small: [SectionEntry] = index.sections.filter { $0.kind != .tensorData }
        let chunks = index.chunks
        let manifest = try? self.manifest()
        let reassembledLength = (section(.ggufHeader).rawLength).addingReportingOverflow(tensorDataLength)
        let total = small.reduce(0) { $0 + $1.storedLength } + chunks.reduce(0) { $0 + $1.storedLength }
            + (manifest != nil && !reassembledLength.overflow ? reassembledLength.partialValue : 0)
        let done = Atomic<Int>(0)
        let report: @Sendable (Int) -> Void = { count in
            let now = done.add(count, ordering: .relaxed).newValue
            progress?("verify", now, total)
        }
        let issues = Mutex<[(Int, VerifyIssue)]>([])
        // Item 0, the longest, first: the reassembled GGUF; then the small sections; then chunks.
        Parallel.forEach(1 + small.count + chunks.count, threads: threads) { [self] item in
            var found: VerifyIssue?
            if item == 0 {
                if let manifest { found = checkReassembled(against: manifest, report: report) }
            } else if item <= small.count {
                let entry = small[item - 1]
                let range = fileRange(offset: entry.offset, length: entry.storedLength)
                if hash(stored(entry), report: report) != entry.checksum {
                    found = VerifyIssue(what: "section \(entry.kind)", fileRange: range, problem: "SHA-256 mismatch")
                }
            } else {
                let number = item - 1 - small.count
                let chunk = chunks[number]
                let range = fileRange(offset: chunk.offset, length: chunk.storedLength)
                if hash(stored(chunk), report: report) != chunk.checksum {
                    found = VerifyIssue(what: "tensor-data chunk \(number) of \(chunks.count)", fileRange: range, problem: "SHA-256 mismatch")
                }
            }
            if let found { issues.withLock { $0.append((item, found)) } }
        }
        var result = issues.withLock { $0 }.sorted { $0.0 < $1.0 }.map { $0.1 }
        // A damaged section or chunk also spoils the reassembled hash: report only the cause.
        if result.count > 1 { result.removeAll { $0.what == "reassembled GGUF" } }
        return result
    }

    private func hash(_ bytes: UnsafeRawBufferPointer, report: (Int) -> Void) -> SHA256Digest {
        var sha = SHA256()
        var offset = 0
        while offset < bytes.count {
            let step = min(Self.progressStep, bytes.count - offset)
            sha.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + step)]))
            report(step)
            offset += step
        }
        return sha.finalize()
    }

    /// Rebuilds the GGUF stream (decompressing as needed) and compares its SHA-256 and size
    /// with the manifest's record of the source.
    private func checkReassembled(against manifest: Manifest, report: (Int) -> Void) -> VerifyIssue? {
        let what = "reassembled GGUF"
        var sha = SHA256()
        var length = 0
        do {
            try forEachGGUFPiece { piece in
                var offset = 0
                while offset < piece.count {
                    let step = min(Self.progressStep, piece.count - offset)
                    sha.update(UnsafeRawBufferPointer(rebasing: piece[offset..<(offset + step)]))
                    report(step)
                    offset += step
                }
                length += piece.count
            }
        } catch {
            return VerifyIssue(what: what, fileRange: nil, problem: "\(error)")
        }
        let digest = sha.finalize()
        guard length == manifest.source.size else {
            return VerifyIssue(what: what, fileRange: nil, problem: "\(length) bytes, the manifest records \(manifest.source.size)")
        }
        guard digest.hex == manifest.source.sha256.lowercased() else {
            return VerifyIssue(what: what, fileRange: nil, problem: "SHA-256 \(digest.hex) differs from the source's \(manifest.source.sha256)")
        }
        return nil
    }

    /// Calls `body` with the source GGUF's bytes in order: the header, then each tensor-data
    /// chunk (raw chunks straight from the file, zstd chunks decompressed into scratch memory).
    public func forEachGGUFPiece(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let header = try ggufHeader()
        try header.withUnsafeBytes { try body($0) }
        var scratch: [UInt8] = []
        for (number, chunk) in index.chunks.enumerated() {
            switch chunk.encoding {
            case .raw:
                try body(stored(chunk))
            default:
                if scratch.count < chunk.rawLength { scratch = [UInt8](repeating: 0, count: chunk.rawLength) }
                try scratch.withUnsafeMutableBytes { buffer in
                    try Zstd.decompress(stored(chunk), rawLength: chunk.rawLength, into: buffer.baseAddress!, what: "tensor-data chunk \(number)")
                    try body(UnsafeRawBufferPointer(rebasing: buffer[0..<chunk.rawLength]))
                }
            }
        }
    }
}
