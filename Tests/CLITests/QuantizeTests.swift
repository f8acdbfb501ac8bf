// Quantizing whole models: GGUFQuantizer against llama.cpp's llama-quantize (types and bytes of
// every tensor), the type plan against llama.cpp's own gemma-3-270m Q4_K_M, and
// `llmpack build --quant` end to end (extract, verify, manifest, the bundle runs).
import Bundle
import Foundation
import GGUF
import LLMPackKit
import Testing

@Suite struct QuantizeTests {
    static let referenceModels = ["quant-tiny", "llama-spm-tiny", "qwen2-tiny", "llama3-bpe-tiny"]

    /// The source GGUF of a reference model (quant-tiny is generated into `folder`).
    static func sourcePath(_ model: String, folder: String) throws -> String {
        if model == "quant-tiny" {
            let path = folder + "/quant-tiny.gguf"
            try makeQuantTiny(at: path)
            return path
        }
        let path = syntheticModels.appendingPathComponent("\(model).gguf").path
        try #require(FileManager.default.fileExists(atPath: path), "missing \(path)")
        return path
    }

    @Test("every tensor has llama-quantize's type and bytes", arguments: referenceModels)
    func matchesLlamaQuantize(_ model: String) throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let reference = try #require(try llamaQuantizeReference()[model], "no reference for \(model)")
        let source = try Self.sourcePath(model, folder: folder)
        let sourceFile = try MappedFile(path: source)
        let sourceGGUF = try GGUFFile.parse(sourceFile.bytes)
        for mix in QuantizationMix.allCases {
            let expected = try #require(reference[mix.name], "no \(mix.name) reference for \(model)")
            let output = folder + "/\(model)-\(mix.name).gguf"
            let result = try GGUFQuantizer.quantize(source, to: output, mix: mix, threads: 2)
            let actual = try tensorDigests(of: output)
            #expect(Set(actual.keys) == Set(expected.keys), "\(model) \(mix.name)")
            for (name, want) in expected.sorted(by: { $0.key < $1.key }) {
                #expect(actual[name] == want, "\(model) \(mix.name) \(name): llmpack \(actual[name].map { "\($0)" } ?? "-"), llama.cpp \(want)")
            }
            // The header: every source key kept (in order), the file type and quantization version set.
            let file = try MappedFile(path: output)
            let gguf = try GGUFFile.parse(file.bytes)
            #expect(result.outputSize == file.bytes.count)
            #expect(gguf.metadata.map(\.key).filter { $0 != "general.quantization_version" }
                    == sourceGGUF.metadata.map(\.key).filter { $0 != "general.quantization_version" }
                       + (sourceGGUF.entry("general.file_type") == nil ? ["general.file_type"] : []))
            for entry in sourceGGUF.metadata where !["general.file_type", "general.quantization_version"].contains(entry.key) {
                #expect(gguf.entry(entry.key)?.value == entry.value, "\(entry.key)")
            }
            #expect(gguf["general.file_type"] == .uint32(mix.fileType))
            #expect(gguf["general.quantization_version"] == .uint32(2))
            #expect(gguf.tensors.map(\.name) == sourceGGUF.tensors.map(\.name))
            #expect(gguf.tensors.map(\.dims) == sourceGGUF.tensors.map(\.dims))
            #expect(result.sourceSHA256 == SHA256.hash(sourceFile.bytes).hex)
        }
    }

    @Test("requantizing is reported, fallbacks are named")
    func requantizedAndFallbacks() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = try Self.sourcePath("llama3-bpe-tiny", folder: folder)
        let result = try GGUFQuantizer.quantize(source, to: folder + "/out.gguf", mix: .q4_k_m, threads: 2)
        // Q8_0 matrices with rows of 32 (and 256 for ffn_down) become Q5_0 / Q4_K / Q6_K; the
        // Q4_0 embedding (also the output) becomes Q8_0.
        let requantized = Dictionary(uniqueKeysWithValues: result.requantized.map { ($0.name, $0) })
        #expect(requantized["token_embd.weight"]?.sourceType == .q4_0)
        #expect(requantized["token_embd.weight"]?.type == .q8_0)
        #expect(requantized["blk.0.attn_q.weight"]?.type == .q5_0)
        #expect(requantized["blk.0.attn_q.weight"]?.wanted == .q4_K)
        #expect(!result.fellBack.isEmpty && result.fellBack.allSatisfy { $0.dims[0] % 256 != 0 })
        // Norms and rope_freqs are 1-D: kept as they are.
        let kept = Dictionary(uniqueKeysWithValues: result.tensors.map { ($0.name, $0) })
        #expect(kept["rope_freqs.weight"]?.isConverted == false)
        #expect(kept["blk.0.attn_norm.weight"]?.isConverted == false)
    }

    @Test("the Q4_K_M plan of llama.cpp's own gemma-3-270m Q4_K_M changes nothing")
    func planMatchesRealModel() throws {
        guard FileManager.default.fileExists(atPath: defaultModelPath) else { return }
        let file = try MappedFile(path: defaultModelPath)
        let gguf = try GGUFFile.parse(file.bytes)
        let plan = QuantizationPlan.make(gguf, mix: .q4_k_m)
        #expect(plan.count == gguf.tensors.count)
        for tensor in plan {
            #expect(!tensor.isConverted, "\(tensor.name): \(tensor.sourceType.name) planned as \(tensor.type.name)")
        }
        // Its attn_v and ffn_down use Q6_K (attn_v's rows of 640 fall back to Q8_0) in layers
        // 0, 1, 4, 7, 10, 13, 15, 16, 17 of 18.
        let more = plan.filter { $0.name.hasSuffix("attn_v.weight") && $0.type == .q8_0 }.map(\.name)
        #expect(more == [0, 1, 4, 7, 10, 13, 15, 16, 17].map { "blk.\($0).attn_v.weight" })
    }

    @Test("build --quant q8_0 and q4_k_m: types, manifest, extract, verify, and the bundle runs")
    func buildWithQuant() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/quant-tiny.gguf"
        try makeQuantTiny(at: model)
        let reference = try llamaQuantizeReference()["quant-tiny"]!
        let original = try MappedFile(path: model)
        for mix in [QuantizationMix.q8_0, .q4_k_m] {
            let bundle = folder + "/tiny-\(mix.rawValue).run", extracted = folder + "/back-\(mix.rawValue).gguf"
            let build = try llmpack("build", model, "-o", bundle, "--quant", mix.rawValue)
            #expect(build.status == 0, "\(build)")
            #expect(build.stdout.contains("quantized \(model) to \(mix.name)"), "\(build)")
            #expect(!build.stderr.contains("warning"), "\(build)")
            // No scratch files left next to the output.
            let left = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".") }
            #expect(left.isEmpty, "\(left)")

            // Reproducible: the same inputs give the same bundle.
            let again = folder + "/again.run"
            #expect(try llmpack("build", model, "-o", again, "--quant", mix.rawValue).status == 0)
            #expect(try sha256sum(again) == sha256sum(bundle))
            try FileManager.default.removeItem(atPath: again)

            let extract = try llmpack("extract", bundle, "-o", extracted)
            #expect(extract.status == 0, "\(extract)")
            let tensors = try tensorDigests(of: extracted)
            #expect(tensors == reference[mix.name]!, "\(mix.name): the extracted GGUF is not llama-quantize's")

            let verify = try llmpack("verify", bundle)
            #expect(verify.status == 0 && verify.stdout.contains("OK"), "\(verify)")

            let info = try run(bundle, ["--info"])
            #expect(info.stdout.contains("Quantized:") && info.stdout.contains("\(mix.name) at build time, from quant-tiny.gguf"), "\(info)")

            let reader = try BundleReader(path: bundle)
            let manifest = try reader.manifest()
            let quantization = try #require(manifest.build.quantization)
            #expect(quantization.quant == mix.rawValue)
            #expect(quantization.sourceFile == "quant-tiny.gguf")
            #expect(quantization.sourceSize == original.bytes.count)
            #expect(quantization.sourceSha256 == SHA256.hash(original.bytes).hex)
            #expect(quantization.requantizedTensors == 0)
            #expect(manifest.source.fileName == "quant-tiny-\(mix.name).gguf")
            #expect(manifest.source.sha256 == (try sha256sum(extracted)))
            #expect(manifest.model.tensorTypes.contains { $0.type == (mix == .q8_0 ? "Q8_0" : "Q4_K") })

            let generation = try llmpack("run", bundle, "-p", "the cat", "-n", "8", "--temp", "0")
            #expect(generation.status == 0, "\(generation)")
            #expect(generation.stderr.contains("generated "), "\(generation)")
            #expect(!generation.stderr.contains("generated 0 tokens"), "\(generation)")
            let selfTest = try run(bundle, ["--selftest"])
            #expect(selfTest.status == 0 && selfTest.stdout.contains("passed"), "\(selfTest)")
        }
    }

    @Test("build --quant from a quantized model warns that it requantizes")
    func buildRequantizeWarns() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = try Self.sourcePath("llama3-bpe-tiny", folder: folder)
        let bundle = folder + "/l.run"
        // llama may not run in this llmpack yet: pack without loading the model.
        let build = try llmpack("build", source, "-o", bundle, "--quant", "q4_0", "--no-model-check")
        #expect(build.status == 0, "\(build)")
        #expect(build.stderr.contains("warning:") && build.stderr.contains("quantized again"), "\(build)")
        #expect(build.stderr.contains("note:") && build.stderr.contains("Q6_K blocks"), "\(build)")
        let manifest = try BundleReader(path: bundle).manifest()
        #expect((manifest.build.quantization?.requantizedTensors ?? 0) > 0)
        let extracted = folder + "/x.gguf"
        #expect(try llmpack("extract", bundle, "-o", extracted).status == 0)
        #expect(try tensorDigests(of: extracted) == (try llamaQuantizeReference())["llama3-bpe-tiny"]!["Q4_0"]!)
    }

    @Test("a tensor llmpack cannot convert fails the build with one clear line")
    func unconvertibleTensor() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // makeModel's noise.weight is an I8 matrix: llama.cpp would try to quantize it and fail too.
        try makeModel(at: folder + "/m.gguf")
        let outcome = try llmpack("build", folder + "/m.gguf", "-o", folder + "/m.run", "--quant", "q8_0")
        expectFailure(outcome, mentioning: "noise.weight")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["m.gguf"])
    }

    @Test("values that are not finite are refused, naming the tensor and place")
    func nonFiniteValues() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var writer = GGUFWriter()
        writer.add(key: "general.architecture", .string("llama"))
        var values = [Float](repeating: 0.5, count: 512)
        values[300] = .nan
        writer.addTensor(name: "blk.0.ffn_up.weight", dims: [256, 2], type: .f32, data: values.withUnsafeBytes { Array($0) })
        try writer.write(to: folder + "/nan.gguf")
        #expect {
            try GGUFQuantizer.quantize(folder + "/nan.gguf", to: folder + "/out.gguf", mix: .q8_0, threads: 1)
        } throws: { error in
            "\(error)".contains("blk.0.ffn_up.weight") && "\(error)".contains("row 1, column 44")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["nan.gguf"])
    }

    @Test("a bad --quant value is refused")
    func badQuantValue() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try makeModel(at: folder + "/m.gguf")
        let outcome = try llmpack("build", folder + "/m.gguf", "-o", folder + "/m.run", "--quant", "q3_k_s")
        #expect(outcome.status != 0 && !outcome.signalled, "\(outcome)")
        #expect(outcome.stderr.contains("q4_k_m"), "\(outcome)")
    }
}
