// Inputs found by the fuzzers in fuzz/ (docs/FUZZING.md), kept as regression tests: each must give
// a clear error (or a clean result), never a crash.
import Foundation
import GGUF
import Testing

struct FuzzRegressionTests {
    /// fuzz/gguf, 2026-11-29: a 24-byte GGUF with no tensors and no metadata parses, and its data
    /// region (aligned to 32) starts past the end of the file. The parser allows it (there is no
    /// tensor to read); every caller that slices the data region must check, and does.
    @Test func aTensorlessFileEndingBeforeItsDataRegion() throws {
        let bytes: [UInt8] = Array("GGUF".utf8) + [3, 0, 0, 0] + [UInt8](repeating: 0, count: 16)
        let gguf = try GGUFFile.parse(bytes)
        #expect(gguf.tensors.isEmpty && gguf.metadata.isEmpty)
        #expect(gguf.dataOffset == 32 && gguf.dataSize == 0)

        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/empty.gguf"
        try write(bytes, to: path)
        expectFailure(try llmpack("build", path, "-o", folder + "/out.run", "--no-selftest"), status: 1, mentioning: "past the end of the file")
        expectFailure(try llmpack("build", path, "-o", folder + "/out.run"), status: 1, mentioning: "past the end of the file")
        expectFailure(try llmpack("run", path, "-p", "hi"), status: 1, mentioning: "past the end of the file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["empty.gguf"])
    }
}
