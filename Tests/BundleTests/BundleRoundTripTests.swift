// Writing and reading bundles: layout, sections, tensor data (raw and compressed), extract,
// verify, rebase, and byte-identical output for identical inputs.
import Foundation
import Testing
import Bundle

@Suite struct BundleRoundTripTests {
    @Test func layoutFollowsTheFormat() throws {
        let sample = try SampleBundle.make()
        let reader = try readerFor(sample.bytes)
        #expect(reader.payloadStart % BundleFormat.alignment == 0)
        #expect(reader.payloadStart >= sample.stub.count)
        #expect(Array(sample.bytes[0..<sample.stub.count]) == sample.stub)
        #expect(Array(sample.bytes.suffix(8)) == BundleFormat.trailerMagic)
        #expect(reader.index == sample.index)
        let tensor = reader.section(.tensorData)
        #expect(tensor.encoding == .raw)
        #expect((reader.payloadStart + tensor.offset) % BundleFormat.alignment == 0)
        #expect(reader.index.chunks.count == (sample.tensorData.count + SampleBundle.chunkSize - 1) / SampleBundle.chunkSize)
        #expect(reader.index.sections.map(\.kind) == [.ggufHeader, .runConfig, .manifest, .tensorData])
        #expect(reader.section(.ggufHeader).encoding == .zstd)
    }

    @Test func sectionsReadBack() throws {
        let config = RunConfig(contextLength: 1024, temperature: 0.25, topP: 0.9, systemPrompt: "Be brief.", arguments: ["-n", "5"])
        let sample = try SampleBundle.make(runConfig: config)
        let reader = try readerFor(sample.bytes)
        #expect(try reader.ggufHeader() == sample.header)
        #expect(try reader.runConfig() == config)
        #expect(try reader.manifest().source.sha256 == SHA256.hash(sample.source).hex)
        #expect(reader.tensorDataIsMapped)
        let data = try reader.loadTensorData()
        #expect(Array(data.bytes) == sample.tensorData)
        // Raw tensor data is a view of the file, not a copy.
        #expect(data.bytes.baseAddress == reader.file.baseAddress! + reader.payloadStart + reader.section(.tensorData).offset)
        #expect(reader.verify().isEmpty)
    }

    @Test func compressedWeightsStoreOnlyChunksThatSaveEnough() throws {
        // Two compressible chunks, then two of noise, then a short compressible tail.
        let tensorData = smoothFloats(count: 32_768) + noise(count: 131_072) + smoothFloats(count: 5000)
        let sample = try SampleBundle.make(tensorData: tensorData, compress: true)
        let reader = try readerFor(sample.bytes)
        #expect(reader.section(.tensorData).encoding == .chunked)
        #expect(reader.index.chunks.map(\.encoding) == [.zstd, .zstd, .raw, .raw, .zstd])
        for chunk in reader.index.chunks where chunk.encoding == .zstd {
            #expect(Double(chunk.storedLength) <= 0.95 * Double(chunk.rawLength))
        }
        #expect(!reader.tensorDataIsMapped)
        let data = try reader.loadTensorData(threads: 3)
        #expect(Array(data.bytes) == tensorData)
        #expect(Int(bitPattern: data.bytes.baseAddress) % 4096 == 0)
        #expect(reader.verify().isEmpty)
    }

    @Test func noiseStaysRawEvenWhenCompressionIsAsked() throws {
        let sample = try SampleBundle.make(tensorData: noise(count: 150_000), compress: true)
        let reader = try readerFor(sample.bytes)
        #expect(reader.section(.tensorData).encoding == .raw)
        #expect(reader.index.chunks.allSatisfy { $0.encoding == .raw })
    }

    @Test func sameInputsGiveIdenticalBytes() throws {
        let tensorData = smoothFloats(count: 40_000) + noise(count: 70_000)
        for compress in [false, true] {
            let first = try SampleBundle.make(tensorData: tensorData, compress: compress)
            let second = try SampleBundle.make(tensorData: tensorData, compress: compress)
            #expect(first.bytes == second.bytes)
        }
    }

    @Test(arguments: [false, true]) func extractGivesTheSourceBackByteForByte(compress: Bool) throws {
        let sample = try SampleBundle.make(tensorData: smoothFloats(count: 50_000) + noise(count: 10_001), compress: compress)
        let reader = try readerFor(sample.bytes)
        let path = temporaryPath("extracted.gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try reader.extractGGUF(to: path)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == sample.source)
    }

    @Test func emptyTensorData() throws {
        let sample = try SampleBundle.make(tensorData: [])
        let reader = try readerFor(sample.bytes)
        #expect(reader.index.chunks.isEmpty)
        #expect(try reader.loadTensorData().bytes.count == 0)
        #expect(reader.verify().isEmpty)
    }

    @Test func rebaseKeepsThePayloadBehindANewStub() throws {
        let sample = try SampleBundle.make()
        let reader = try readerFor(sample.bytes)
        let newStub = fakeStub(size: 70_000, seed: 9)
        let path = temporaryPath("rebased.run")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = try OutputFile(path: path)
        try newStub.withUnsafeBytes { try BundleWriter.rebase(reader, stub: $0, to: output) }
        try output.commit()
        let rebased = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(rebased[0..<newStub.count]) == newStub)
        let second = try readerFor(rebased)
        #expect(second.payloadStart == 131_072)
        #expect(Array(second.payload) == Array(reader.payload))
        #expect(Array(try second.loadTensorData().bytes) == sample.tensorData)
        #expect(second.verify().isEmpty)
    }

    @Test func stubsMustBeBareExecutables() throws {
        let sample = try SampleBundle.make()
        expectBundleError("already carries a payload", kind: .invalidInput) {
            try sample.bytes.withUnsafeBytes { try BundleWriter.checkStub($0) }
        }
        expectBundleError("not an ELF executable", kind: .invalidInput) {
            try Array("#!/bin/sh\n".utf8).withUnsafeBytes { try BundleWriter.checkStub($0) }
        }
        try fakeStub().withUnsafeBytes { try BundleWriter.checkStub($0) }
    }

    @Test func outputFileLeavesNothingBehindWhenAbandoned() throws {
        let path = temporaryPath("abandoned.bin")
        var temporary = ""
        do {
            let output = try OutputFile(path: path)
            temporary = output.temporaryPath
            try output.write([1, 2, 3])
            #expect(FileManager.default.fileExists(atPath: temporary))
        }
        #expect(!FileManager.default.fileExists(atPath: temporary))
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
