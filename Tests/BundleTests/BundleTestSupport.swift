// Helpers for the bundle tests: synthetic stubs and payloads, bundles written to temporary
// files and read back into memory the reader can hold on to.
import Foundation
import Testing
import Bundle

/// Memory that outlives the closures of `withUnsafeBytes`, for `BundleReader`.
final class Memory {
    private let storage: UnsafeMutableRawBufferPointer
    let count: Int
    init(_ array: [UInt8]) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(array.count, 1), alignment: 65536)
        array.withUnsafeBytes { storage.copyMemory(from: $0) }
        self.storage = storage
        count = array.count
    }
    var view: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[0..<count]) }
    deinit { storage.deallocate() }
}

func readerFor(_ bytes: [UInt8]) throws -> BundleReader {
    let memory = Memory(bytes)
    return try BundleReader(file: memory.view, owner: memory)
}

func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("llmpack-bundle-test-\(UUID().uuidString)-\(name)").path
}

/// A fake runner: the ELF magic and some bytes.
func fakeStub(size: Int = 5000, seed: UInt8 = 1) -> [UInt8] {
    [0x7F, 0x45, 0x4C, 0x46] + (4..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}

/// Data that compresses well (slowly varying little-endian floats).
func smoothFloats(count: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count * 4)
    for i in 0..<count {
        let value = Float(sin(Double(i) * 0.001)).bitPattern & 0xFFFF_F000
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    return bytes
}

/// Data that does not compress.
func noise(count: Int, seed: UInt64 = 42) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}

/// A bundle of a fake GGUF (header bytes + tensor data) written to a file; its bytes and parts.
struct SampleBundle {
    var stub: [UInt8]
    var header: [UInt8]
    var tensorData: [UInt8]
    var bytes: [UInt8]
    var index: BundleIndex

    var source: [UInt8] { header + tensorData }

    static let chunkSize = 65_536

    static func make(stub: [UInt8] = fakeStub(), header: [UInt8] = Array("GGUF fake header".utf8) + noise(count: 3000, seed: 7),
                     tensorData: [UInt8] = noise(count: 200_000), compress: Bool = false,
                     runConfig: RunConfig = RunConfig(contextLength: 512, temperature: 0.5)) throws -> SampleBundle {
        let source = header + tensorData
        let manifest = Manifest(llmpackVersion: "test",
                                source: .init(fileName: "fake.gguf", size: source.count, sha256: SHA256.hash(source).hex, ggufVersion: 3, dataOffset: header.count),
                                model: .init(name: "fake", architecture: "none", parameterCount: 0, tensorCount: 0, contextLength: nil, tensorTypes: []),
                                license: nil,
                                build: .init(compressWeights: compress, chunkSize: chunkSize, headerZstdLevel: 19, weightsZstdLevel: 3))
        let path = temporaryPath("sample.run")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = try OutputFile(path: path)
        let index = try stub.withUnsafeBytes { stubBytes in
            try header.withUnsafeBytes { headerBytes in
                try tensorData.withUnsafeBytes { tensorBytes in
                    try BundleWriter.write(stub: stubBytes, contents: BundleContents(ggufHeader: headerBytes, tensorData: tensorBytes, runConfig: runConfig,
                                                                                      manifest: manifest, compressWeights: compress, chunkSize: chunkSize),
                                           to: output, threads: 2)
                }
            }
        }
        try output.commit()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return SampleBundle(stub: stub, header: header, tensorData: tensorData, bytes: bytes, index: index)
    }
}

/// Expects `body` to throw a `BundleError` whose message contains `text`; returns it.
@discardableResult
func expectBundleError(_ text: String, kind: BundleError.Kind? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                       _ body: () throws -> Void) -> BundleError? {
    do {
        try body()
        Issue.record("expected an error containing '\(text)'", sourceLocation: sourceLocation)
        return nil
    } catch let error as BundleError {
        #expect(error.message.contains(text), "message: \(error.message)", sourceLocation: sourceLocation)
        if let kind { #expect(error.kind == kind, "kind of: \(error.message)", sourceLocation: sourceLocation) }
        #expect(!error.message.contains("\n"), "one line: \(error.message)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
