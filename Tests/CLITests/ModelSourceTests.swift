// LLMPackKit's ModelSource: the same model opened from a .gguf, a raw bundle and a compressed
// bundle gives the same GGUF and tensor bytes; a process without payload is told so.
import Foundation
import Testing
import Bundle
import GGUF
import LLMPackKit

@Suite struct ModelSourceTests {
    @Test func ggufAndBundlesOpenToTheSameModel() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/m.gguf"
        try makeModel(at: model, scale: 4)
        #expect(try llmpack("build", "--no-model-check", model, "-o", folder + "/raw.run", "--ctx", "64").status == 0)
        #expect(try llmpack("build", "--no-model-check", model, "-o", folder + "/zstd.run", "--compress", "weights").status == 0)

        let plain = try ModelSource.open(path: model)
        #expect(plain.kind == .gguf)
        #expect(plain.manifest == nil)
        let raw = try ModelSource.open(path: folder + "/raw.run")
        let compressed = try ModelSource.open(path: folder + "/zstd.run", threads: 2)
        for source in [raw, compressed] {
            #expect(source.kind == .bundle)
            #expect(source.gguf.tensors == plain.gguf.tensors)
            #expect(source.gguf.metadata == plain.gguf.metadata)
            #expect(Array(source.tensorData) == Array(plain.tensorData))
            #expect(source.manifest?.model.name == "Tiny Test")
            #expect(source.manifest?.model.parameterCount == plain.gguf.tensors.reduce(0) { $0 + $1.elementCount })
        }
        #expect(raw.runConfig.contextLength == 64)
        #expect(raw.bundle?.tensorDataIsMapped == true)
        #expect(compressed.bundle?.tensorDataIsMapped == false)
        // Raw tensor data is mapped in place: page-aligned (64 KiB aligned in the file).
        #expect(Int(bitPattern: raw.tensorData.baseAddress) % 4096 == 0)
    }

    @Test func theTestProcessCarriesNoPayload() {
        #expect {
            _ = try ModelSource.openEmbedded()
        } throws: { error in
            (error as? BundleError)?.kind == .noPayload
        }
    }

    @Test func junkIsNeitherAGGUFNorABundle() throws {
        let path = temporaryPath("junk.bin")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try write(Array(repeating: 7, count: 1000), to: path)
        #expect {
            _ = try ModelSource.open(path: path)
        } throws: { error in
            (error as? BundleError)?.kind == .noPayload
        }
    }
}
