// Damaged bundles: each gets a clear one-line error (or a verify issue naming the place),
// never a crash, a hang or a huge allocation.
import Foundation
import Testing
import Bundle

@Suite struct BundleBadInputTests {
    static let sample: SampleBundle = try! SampleBundle.make()

    /// Rewrites the index with `change`, then fixes the index checksum and the trailer, so only
    /// the index rule under test is broken.
    func withIndex(_ bytes: [UInt8], _ change: (inout [UInt8]) -> Void) throws -> [UInt8] {
        let reader = try readerFor(bytes)
        let start = reader.payloadStart + reader.trailer.indexOffset
        var index = Array(bytes[start..<(start + reader.trailer.indexLength)])
        change(&index)
        var trailer = reader.trailer
        trailer.indexChecksum = SHA256.hash(index)
        return Array(bytes[0..<start]) + index + trailer.serialized()
    }

    func putU64(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) }
    }

    @Test func truncated() {
        let bytes = Self.sample.bytes
        for cut in [1, 79, 80, 5000, bytes.count - 100] {
            expectBundleError("no llmpack payload", kind: .noPayload) { _ = try readerFor(Array(bytes.dropLast(cut))) }
        }
        expectBundleError("no llmpack payload", kind: .noPayload) { _ = try readerFor([]) }
    }

    @Test func trailingBytes() {
        let bytes = Self.sample.bytes
        expectBundleError("17 unexpected bytes follow the bundle trailer", kind: .corrupt) { _ = try readerFor(bytes + [UInt8](repeating: 0x55, count: 17)) }
        expectBundleError("1 unexpected bytes follow", kind: .corrupt) { _ = try readerFor(bytes + [0]) }
    }

    @Test func aBareStubHasNoPayload() {
        expectBundleError("no llmpack payload", kind: .noPayload) { _ = try readerFor(fakeStub()) }
        expectBundleError("trailer is corrupt", kind: .corrupt) { _ = try readerFor(fakeStub() + BundleFormat.trailerMagic) }
    }

    @Test func flippedBitsInTheTrailer() {
        let bytes = Self.sample.bytes
        let trailerStart = bytes.count - BundleFormat.trailerSize
        // Every bit of the trailer except the magic (a damaged magic reads as "no payload").
        for offset in 4..<(BundleFormat.trailerSize - 8) {
            for bit in [0, 7] {
                var damaged = bytes
                damaged[trailerStart + offset] ^= 1 << bit
                expectBundleError("trailer", kind: .corrupt) { _ = try readerFor(damaged) }
            }
        }
        var damaged = bytes
        damaged[bytes.count - 1] ^= 1
        expectBundleError("no llmpack payload", kind: .noPayload) { _ = try readerFor(damaged) }
    }

    @Test func aFutureFormatVersion() {
        var bytes = Self.sample.bytes
        bytes[bytes.count - BundleFormat.trailerSize] = 2
        expectBundleError("bundle format version 2 is newer than this llmpack supports (1)", kind: .unsupportedVersion) { _ = try readerFor(bytes) }
    }

    @Test func flippedBitsInTheIndex() throws {
        let reader = try readerFor(Self.sample.bytes)
        let start = reader.payloadStart + reader.trailer.indexOffset
        for offset in stride(from: 0, to: reader.trailer.indexLength, by: 7) {
            var damaged = Self.sample.bytes
            damaged[start + offset] ^= 0x10
            expectBundleError("bundle index is corrupt (checksum mismatch", kind: .corrupt) { _ = try readerFor(damaged) }
        }
    }

    @Test func flippedBitInTheHeaderSection() throws {
        var bytes = Self.sample.bytes
        let reader = try readerFor(bytes)
        let header = reader.section(.ggufHeader)
        let position = reader.payloadStart + header.offset + header.storedLength / 2
        bytes[position] ^= 0x01
        let damaged = try readerFor(bytes)   // structure still fine: no full hash at open
        expectBundleError("section gguf-header is corrupt (SHA-256 mismatch", kind: .corrupt) { _ = try damaged.ggufHeader() }
        let issues = damaged.verify()
        #expect(issues.count == 1)
        #expect(issues.first?.what == "section gguf-header")
        #expect(issues.first?.fileRange?.contains(position) == true)
    }

    @Test(arguments: [false, true]) func flippedBitInTensorDataNamesTheChunk(compress: Bool) throws {
        let sample = try SampleBundle.make(tensorData: smoothFloats(count: 60_000), compress: compress)
        let reader = try readerFor(sample.bytes)
        let chunk = reader.index.chunks[2]
        let position = reader.payloadStart + chunk.offset + chunk.storedLength / 3
        var bytes = sample.bytes
        bytes[position] ^= 0x80
        let issues = try readerFor(bytes).verify()
        #expect(issues.map(\.what) == ["tensor-data chunk 2 of \(reader.index.chunks.count)"])
        #expect(issues.first?.fileRange == (reader.payloadStart + chunk.offset)..<(reader.payloadStart + chunk.end))
        #expect(issues.first?.description.contains("SHA-256 mismatch") == true)
        let path = temporaryPath("damaged.gguf")
        #expect(throws: BundleError.self) { try readerFor(bytes).extractGGUF(to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func sectionOffsetsOutOfBounds() throws {
        let bytes = Self.sample.bytes
        // Section record 0 (gguf-header): its offset at index byte 24 + 8.
        let farOffset = try withIndex(bytes) { putU64(1 << 40, into: &$0, at: 24 + 8) }
        expectBundleError("out of bounds", kind: .corrupt) { _ = try readerFor(farOffset) }
        let hugeLength = try withIndex(bytes) { putU64(UInt64.max - 10, into: &$0, at: 24 + 16) }
        expectBundleError("out of range", kind: .corrupt) { _ = try readerFor(hugeLength) }
        let overflowing = try withIndex(bytes) { putU64(UInt64(Int.max - 5), into: &$0, at: 24 + 8) }
        expectBundleError("overflows", kind: .corrupt) { _ = try readerFor(overflowing) }
        // A zstd section claiming a huge raw size is refused before anything is allocated.
        let bomb = try withIndex(bytes) { putU64(1 << 40, into: &$0, at: 24 + 24) }
        expectBundleError("more than 64:1", kind: .corrupt) { _ = try readerFor(bomb) }
        // A chunk that does not continue where the previous one ended.
        let chunkRecord = 24 + 64 * 4
        let gap = try withIndex(bytes) { putU64(UInt64(Self.sample.index.chunks[0].offset + 1), into: &$0, at: chunkRecord + 8) }
        expectBundleError("tensor-data chunk 0 starts at", kind: .corrupt) { _ = try readerFor(gap) }
    }

    @Test func indexOutOfBoundsInTheTrailer() throws {
        let bytes = Self.sample.bytes
        let reader = try readerFor(bytes)
        var trailer = reader.trailer
        trailer.indexOffset = reader.trailer.payloadLength
        let moved = Array(bytes.dropLast(BundleFormat.trailerSize)) + trailer.serialized()
        expectBundleError("lies outside the payload", kind: .corrupt) { _ = try readerFor(moved) }
        var long = reader.trailer
        long.payloadLength = bytes.count + 65536
        let tooLong = Array(bytes.dropLast(BundleFormat.trailerSize)) + long.serialized()
        expectBundleError("does not fit in the file", kind: .corrupt) { _ = try readerFor(tooLong) }
    }

    @Test func aDamagedZstdFrameIsAnErrorNotACrash() throws {
        let sample = try SampleBundle.make(tensorData: smoothFloats(count: 40_000), compress: true)
        let reader = try readerFor(sample.bytes)
        let chunk = reader.index.chunks[1]
        var bytes = sample.bytes
        bytes[reader.payloadStart + chunk.offset + chunk.storedLength / 2] ^= 0xFF
        expectBundleError("tensor-data chunk 1", kind: .corrupt) { _ = try readerFor(bytes).loadTensorData() }
    }
}
