// Loading models: hyperparameters read from metadata, and clear errors for files that do not
// describe a model we can run.

import GGUF
import Model
import Testing

struct ModelLoadingTests {
    @Test func tinyGemmaConfigIsReadFromMetadata() throws {
        let tiny = try TinyGemma()
        let model = try tiny.load()
        let c = model.config
        #expect(c.architecture == "gemma3")
        #expect(c.vocabSize == 50)
        #expect(c.embeddingLength == 32 && c.blockCount == 3 && c.feedForwardLength == 48)
        #expect(c.headCount == 4 && c.headCountKV == 2 && c.headsPerKVHead == 2)
        #expect(c.keyLength == 16 && c.valueLength == 8)
        #expect(c.rmsEpsilon == 1e-6)
        #expect(c.ropeFreqBase == 1_000_000 && c.ropeFreqBaseLocal == 10_000)
        #expect(c.slidingWindow == 4)
        #expect(c.slidingWindowLayers == [true, true, false])
        #expect(c.trainedContextLength == 1024)
        #expect(c.contextLength == 1024)   // under the default cap
        #expect(try tiny.load(contextLength: 100).config.contextLength == 100)
    }

    @Test func defaultContextIsCappedAndPatternDefaultsToSix() throws {
        var spec = TinyGemmaSpec()
        spec.trainedContext = 32768
        spec.blocks = 7
        spec.pattern = nil
        let config = try TinyGemma(spec).load().config
        #expect(config.contextLength == ModelConfig.defaultContextLengthCap)
        #expect(config.slidingWindowLayers == [true, true, true, true, true, false, true])
    }

    @Test func realGemmaConfig() throws {
        guard let loaded = try LoadedModel.gemma() else { return }
        let c = loaded.model.config
        #expect(c.vocabSize == 262_144 && c.embeddingLength == 640 && c.blockCount == 18)
        #expect(c.headCount == 4 && c.headCountKV == 1 && c.keyLength == 256 && c.valueLength == 256)
        #expect(c.feedForwardLength == 2048 && c.slidingWindow == 512)
        #expect(c.ropeFreqBase == 1_000_000 && c.ropeFreqBaseLocal == 10_000)
        #expect(abs(c.rmsEpsilon - 1e-6) < 1e-12)
        #expect(c.slidingWindowLayers.indices.filter { !c.slidingWindowLayers[$0] } == [5, 11, 17])
        #expect(c.contextLength == 2048)
    }

    /// Loading `spec` fails with an error whose message contains `fragment`.
    func expectLoadError(_ spec: TinyGemmaSpec, contextLength: Int? = nil, _ fragment: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try TinyGemma(spec).load(contextLength: contextLength)
            Issue.record("loading succeeded; expected an error mentioning \(fragment)", sourceLocation: sourceLocation)
        } catch let error as ModelError {
            #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func invalidFilesGiveClearErrors() {
        var spec = TinyGemmaSpec()
        spec.architecture = "mamba9"
        expectLoadError(spec, "unsupported architecture 'mamba9' (supported: gemma2, gemma3, llama, phi3, qwen2, qwen3)")

        spec = TinyGemmaSpec()
        spec.omitKeys = ["gemma3.block_count"]
        expectLoadError(spec, "missing metadata key gemma3.block_count")

        spec = TinyGemmaSpec()
        spec.kvHeads = 3
        expectLoadError(spec, "gemma3.attention.head_count (4) is not a multiple of gemma3.attention.head_count_kv (3)")

        spec = TinyGemmaSpec()
        spec.omitTensors = ["blk.1.ffn_up.weight"]
        expectLoadError(spec, "missing tensor blk.1.ffn_up.weight")

        spec = TinyGemmaSpec()
        spec.dimsOverride = ["blk.2.attn_q.weight": [32, 60]]
        expectLoadError(spec, "tensor blk.2.attn_q.weight has dims [32, 60], expected [32, 64]")

        spec = TinyGemmaSpec()
        spec.dimsOverride = ["token_embd.weight": [31, 50]]
        expectLoadError(spec, "tensor token_embd.weight has dims [31, 50]")

        spec = TinyGemmaSpec()
        spec.pattern = .string("local")
        expectLoadError(spec, "sliding_window_pattern should be")

        expectLoadError(TinyGemmaSpec(), contextLength: 5000, "context length 5000 is outside 1...1024")
        expectLoadError(TinyGemmaSpec(), contextLength: 0, "context length 0 is outside")
    }

    @Test func badForwardArgumentsThrow() throws {
        let tiny = try TinyGemma()
        let model = try tiny.load(contextLength: 16)
        #expect(throws: ModelError.self) { try model.forward([], startPosition: 0, allLogits: false) }
        #expect(throws: ModelError.self) { try model.forward([50], startPosition: 0, allLogits: false) }
        #expect(throws: ModelError.self) { try model.forward([-1], startPosition: 0, allLogits: false) }
        #expect(throws: ModelError.self) { try model.forward([1], startPosition: 1, allLogits: false) }
        #expect(throws: ModelError.self) {
            try model.forward([Int32](repeating: 1, count: 17), startPosition: 0, allLogits: false)
        }
        _ = try model.forward([Int32](repeating: 1, count: 16), startPosition: 0, allLogits: false)
        #expect(throws: ModelError.self) { try model.forward([1], startPosition: 16, allLogits: false) }
        model.resetCache()
        #expect(try model.forward([1, 2], startPosition: 0, allLogits: true).count == 100)
    }
}
