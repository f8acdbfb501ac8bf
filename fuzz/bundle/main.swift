// libFuzzer harness for the bundle reader: the trailer, the index, the section contents (zstd,
// run config and manifest JSON, the packed GGUF header) and the tensor data, as a runner meets them
// in a file it did not write. Nothing may crash, hang or allocate without bound; bad input throws.
//
// Checksums would stop a fuzzer at the door (a random index never matches its SHA-256), so the
// structured input is fixed up before use: the input is PAYLOAD || INDEX || u32le(index length);
// the harness recomputes every section and chunk checksum the index lists, the tensor-data
// checksum and the trailer, and opens the result with `BundleReader`. The raw input is also given
// to the trailer search, the trailer parser (its own check fixed), the index parser, zstd and the
// JSON section decoders directly.
//
// Built by scripts/fuzz with Sources/Bundle/*.swift (module Bundle), GGUF, SHA-256 (C) and zstd.
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)

    // The raw file, as found on disk.
    if let reader = try? BundleReader(file: input, owner: nil) { exercise(reader) }

    // The trailer with a valid trailer check, against a file size taken from the input.
    if size >= BundleFormat.trailerSize {
        var trailer = Array(input[(size - BundleFormat.trailerSize)...])
        let check = SHA256.hash(Array(trailer[0..<64])).bytes.prefix(8)
        trailer.replaceSubrange(64..<72, with: check)
        let fileSize = Int(input.load(fromByteOffset: 0, as: UInt32.self)) + BundleFormat.trailerSize
        _ = trailer.withUnsafeBytes { try? BundleTrailer.parse($0, fileSize: fileSize) }
    }

    // The index alone.
    _ = try? BundleIndex.parse(input, indexOffset: size)

    // Section contents decoded directly.
    if size > 0, input[0] == UInt8(ascii: "{") {
        _ = try? RunConfig.decode(Array(input))
        _ = try? Manifest.decode(Array(input))
    }
    if size >= 4 {
        let rawLength = Int(input.load(fromByteOffset: size - 4, as: UInt32.self) & 0xF_FFFF)
        _ = try? Zstd.decompress(UnsafeRawBufferPointer(rebasing: input[0..<(size - 4)]), rawLength: rawLength, what: "fuzz")
    }

    // The structured bundle with every checksum made to match.
    if let file = structuredBundle(input) {
        file.withUnsafeBytes { bytes in
            do { exercise(try BundleReader(file: bytes, owner: nil)) } catch { if verbose { print("structured: \(error)") } }
        }
    }
    return 0
}

/// FUZZ_VERBOSE=1 prints what the structured bundle gives (to check that seeds get deep).
private let verbose = getenv("FUZZ_VERBOSE") != nil

/// Reads everything a runner, `inspect` and `verify` read.
private func exercise(_ reader: BundleReader) {
    _ = try? reader.runConfig()
    _ = try? reader.manifest()
    _ = try? reader.selfTest()
    let gguf = Result { try reader.parseGGUF() }
    if verbose { print("parsed GGUF: \(gguf.map { "\($0.tensors.count) tensors" })") }
    if let data = try? reader.loadTensorData(threads: 1) {
        precondition(data.bytes.count == reader.tensorDataLength, "tensor data has the wrong length")
    }
    let issues = reader.verify(threads: 1)
    if verbose { print("verify: \(issues.isEmpty ? "intact" : "\(issues)")") }
    var total = 0
    _ = try? reader.forEachGGUFPiece { total += $0.count }
}

/// PAYLOAD || INDEX || u32le(index length) -> a whole bundle whose checksums all match.
private func structuredBundle(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
    guard input.count >= 4 + BundleFormat.indexHeaderSize else { return nil }
    let body = UnsafeRawBufferPointer(rebasing: input[0..<(input.count - 4)])
    let indexLength = min(Int(input.load(fromByteOffset: input.count - 4, as: UInt32.self)), body.count)
    let indexOffset = body.count - indexLength
    guard indexLength >= BundleFormat.indexHeaderSize else { return nil }
    let payload = UnsafeRawBufferPointer(rebasing: body[0..<indexOffset])
    var index = Array(body[indexOffset...])

    func field(_ at: Int) -> Int {
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(index[at + i]) << (8 * UInt64(i)) }
        return value > UInt64(Int.max) ? -1 : Int(value)
    }
    func u32(_ at: Int) -> Int { Int(index[at]) | Int(index[at + 1]) << 8 | Int(index[at + 2]) << 16 | Int(index[at + 3]) << 24 }
    /// Sets the checksum of the record at `record` to that of the payload bytes it names.
    func fix(record: Int) -> [UInt8]? {
        let offset = field(record + 8), stored = field(record + 16)
        guard offset >= 0, stored >= 0, offset <= payload.count, stored <= payload.count - offset else { return nil }
        let digest = SHA256.hash(UnsafeRawBufferPointer(rebasing: payload[offset..<(offset + stored)])).bytes
        index.replaceSubrange((record + 32)..<(record + 64), with: digest)
        return digest
    }

    let sectionCount = u32(4), chunkCount = u32(8)
    let size = BundleFormat.recordSize, header = BundleFormat.indexHeaderSize
    let records = (index.count - header) / size
    var tensorRecord: Int?
    for number in 0..<min(sectionCount, records) {
        let record = header + number * size
        if u32(record) == SectionKind.tensorData.rawValue { tensorRecord = record } else { _ = fix(record: record) }
    }
    var chunkDigests = SHA256()
    for number in 0..<min(chunkCount, max(0, records - sectionCount)) {
        let record = header + (sectionCount + number) * size
        if let digest = fix(record: record) { chunkDigests.update(digest) } else {
            chunkDigests.update(Array(index[(record + 32)..<(record + 64)]))
        }
    }
    if let tensorRecord { index.replaceSubrange((tensorRecord + 32)..<(tensorRecord + 64), with: chunkDigests.finalize().bytes) }

    let trailer = BundleTrailer(payloadLength: payload.count + index.count + BundleFormat.trailerSize,
                                indexOffset: payload.count, indexLength: index.count,
                                indexChecksum: SHA256.hash(index))
    return Array(payload) + index + trailer.serialized()
}
