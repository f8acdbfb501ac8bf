// Damaged bundles through llmpack and through the damaged runner itself: a clear one-line
// error and a non-zero exit, never a signal.
import Foundation
import Testing
import Bundle

@Suite struct CLIBadBundleTests {
    /// A folder with a small model and its bundle; returns the folder and the bundle's bytes.
    func prepare(compress: Bool = false) throws -> (folder: String, bundle: [UInt8]) {
        let folder = temporaryFolder()
        try makeModel(at: folder + "/m.gguf", scale: 4)
        let outcome = try run(llmpackPath, ["build", "--no-model-check", folder + "/m.gguf", "-o", folder + "/m.run"] + (compress ? ["--compress", "weights"] : []))
        #expect(outcome.status == 0, "\(outcome)")
        return (folder, try bytes(of: folder + "/m.run"))
    }

    /// Writes damaged bytes as an executable and checks both llmpack and the runner on it.
    func check(_ damaged: [UInt8], in folder: String, llmpackCommand: String = "inspect", status: Int32? = nil, mentioning text: String,
               runnerArguments: [String] = ["--info"], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = folder + "/damaged.run"
        try write(damaged, to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        expectFailure(try llmpack(llmpackCommand, path), status: status, mentioning: text, sourceLocation: sourceLocation)
        expectFailure(try run(path, runnerArguments), status: status, mentioning: text, sourceLocation: sourceLocation)
    }

    @Test func truncated() throws {
        let (folder, bundle) = try prepare()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try check(Array(bundle.dropLast(1)), in: folder, status: 2, mentioning: "no llmpack payload")
        try check(Array(bundle.dropLast(100_000)), in: folder, llmpackCommand: "verify", status: 2, mentioning: "no llmpack payload")
    }

    @Test func trailingBytes() throws {
        let (folder, bundle) = try prepare()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try check(bundle + Array("appended".utf8), in: folder, status: 1, mentioning: "8 unexpected bytes follow the bundle trailer")
    }

    @Test func flippedBitInTheTrailer() throws {
        let (folder, bundle) = try prepare()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var damaged = bundle
        damaged[bundle.count - 60] ^= 0x04   // inside the index offset
        try check(damaged, in: folder, status: 1, mentioning: "trailer is corrupt")
    }

    @Test func aFutureFormatVersion() throws {
        let (folder, bundle) = try prepare()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var damaged = bundle
        damaged[bundle.count - BundleFormat.trailerSize] = 7
        try check(damaged, in: folder, status: 1, mentioning: "bundle format version 7 is newer than this llmpack supports")
    }

    @Test func flippedBitInTheIndex() throws {
        let (folder, bundle) = try prepare()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var damaged = bundle
        damaged[bundle.count - BundleFormat.trailerSize - 100] ^= 0x01
        try check(damaged, in: folder, status: 1, mentioning: "bundle index is corrupt")
    }

    @Test func flippedBitInTheHeaderSection() throws {
        let (folder, bundle) = try prepare()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let layout = try bundle.withUnsafeBytes { try BundleReader(file: $0, owner: nil).index.section(.ggufHeader)! }
        let payloadStart = try bundle.withUnsafeBytes { try BundleReader(file: $0, owner: nil).payloadStart }
        var damaged = bundle
        damaged[payloadStart + layout.offset + 10] ^= 0x20
        // Inspect and a plain launch parse the header; verify names it with its byte range.
        try check(damaged, in: folder, status: 1, mentioning: "section gguf-header is corrupt", runnerArguments: [])
        try check(damaged, in: folder, llmpackCommand: "verify", status: 1,
                  mentioning: "section gguf-header (file bytes \(payloadStart + layout.offset)..<\(payloadStart + layout.end)): SHA-256 mismatch",
                  runnerArguments: ["--verify"])
    }

    @Test(arguments: [false, true]) func flippedByteInTensorDataNamesTheChunk(compress: Bool) throws {
        let (folder, bundle) = try prepare(compress: compress)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (chunk, payloadStart) = try bundle.withUnsafeBytes { raw in
            let reader = try BundleReader(file: raw, owner: nil)
            return (reader.index.chunks[0], reader.payloadStart)
        }
        var damaged = bundle
        damaged[payloadStart + chunk.offset + chunk.storedLength / 2] ^= 0xFF
        try check(damaged, in: folder, llmpackCommand: "verify", status: 1,
                  mentioning: "tensor-data chunk 0 of 1 (file bytes \(payloadStart + chunk.offset)..<\(payloadStart + chunk.end)): SHA-256 mismatch",
                  runnerArguments: ["--verify"])
        // Extract refuses to write a GGUF that differs from the source.
        let path = folder + "/damaged.run"
        expectFailure(try llmpack("extract", path, "-o", folder + "/x.gguf"), status: 1, mentioning: compress ? "tensor-data chunk 0" : "SHA-256")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.gguf"))
    }

    @Test func sectionOffsetsOutOfBounds() throws {
        let (folder, bundle) = try prepare()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let reader = try bundle.withUnsafeBytes { try BundleReader(file: $0, owner: nil) }
        var index = reader.index
        index.sections[0].offset = 1 << 40   // gguf-header far past the end
        let indexBytes = index.serialized()
        var trailer = reader.trailer
        trailer.indexChecksum = SHA256.hash(indexBytes)
        let indexStart = reader.payloadStart + reader.trailer.indexOffset
        let damaged = Array(bundle[0..<indexStart]) + indexBytes + trailer.serialized()
        try check(damaged, in: folder, status: 1, mentioning: "out of bounds")
    }
}
