// The default model end to end: build twice (identical), --info, --verify, extract (identical
// to the input), and a flipped byte that verify pins to its chunk. Skipped when the model is
// not downloaded.
import Foundation
import Testing

@Suite struct CLIRealModelTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: defaultModelPath)))
    func defaultModelEndToEnd() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = folder + "/brain.run", second = folder + "/again.run"
        let build = try llmpack("build", defaultModelPath, "-o", first)
        #expect(build.status == 0, "\(build)")
        #expect(try llmpack("build", defaultModelPath, "-o", second).status == 0)
        #expect(try sha256sum(first) == sha256sum(second))
        try FileManager.default.removeItem(atPath: second)

        let info = try run(first, ["--info"])
        #expect(info.status == 0, "\(info)")
        #expect(info.stdout.contains("gemma3"))
        #expect(info.stdout.contains("a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"))
        #expect(try run(first, ["--verify"]).status == 0)

        let extracted = folder + "/back.gguf"
        #expect(try llmpack("extract", first, "-o", extracted).status == 0)
        let compare = try run("/usr/bin/cmp", [extracted, defaultModelPath])
        #expect(compare.status == 0, "\(compare)")
        try FileManager.default.removeItem(atPath: extracted)

        // One flipped byte in the last chunk of tensor data.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: first))
        let size = try handle.seekToEnd()
        let position = size - 2_000_000
        try handle.seek(toOffset: position)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: position)
        try handle.write(contentsOf: Data([byte ^ 0x01]))
        try handle.close()
        let verify = try llmpack("verify", first)
        expectFailure(verify, status: 1, mentioning: "tensor-data chunk 3 of 4")
        #expect(verify.stderr.contains("SHA-256 mismatch"))
    }
}
