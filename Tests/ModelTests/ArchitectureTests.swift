// Every architecture on tiny random models against the double-precision reference of
// TinyTransformer.swift: phi3 (fused QKV, fused gate/up, long/short RoPE factors, attention
// factor) and gemma2 (soft-capping, alternating sliding window, post norms, embedding scale),
// which have no llama.cpp reference data, plus llama, qwen2, qwen3 and gemma3 features the
// synthetic references do not reach (partial rotary, untied output, biases on a fused QKV).

import Foundation
import GGUF
import Kernels
import Model
import Testing

/// Logits of a model for all of `tokens` in one call.
private func logits(_ tiny: TinyTransformer, _ tokens: [Int32], contextLength: Int) throws -> [Float] {
    let model = try tiny.load(contextLength: contextLength)
    return try model.forward(tokens, startPosition: 0, allLogits: true)
}

private let tokens: [Int32] = [3, 17, 42, 5, 9, 63, 0, 28, 28, 11, 50, 7, 33, 2, 19, 44]

/// Agreement needed with the reference: float32 arithmetic and float16 keys/values in both
/// (measured: 3e-6 to 1e-3).
private let tolerance = 5e-3

/// How much a feature (window, soft-caps, RoPE factors) must change the reference for the
/// agreement above to prove it is implemented.
private let featureEffect = 0.2

struct Phi3Tests {
    static func spec() -> TinyTransformerSpec {
        var spec = TinyTransformerSpec()
        spec.architecture = "phi3"
        spec.heads = 4; spec.kvHeads = 4; spec.keyLength = 8; spec.valueLength = 8
        spec.fusedQKV = true
        spec.fusedGateUp = true
        spec.tiedOutput = false
        spec.originalContext = 64
        spec.ropeFactorsShort = [1, 1.5, 2, 4]
        spec.ropeFactorsLong = [1, 3, 9, 27]
        spec.ropeAttentionFactor = 1.25
        return spec
    }

    /// A context within the original one uses the short factors, a longer one the long factors.
    @Test(arguments: [32, 128])
    func matchesReference(contextLength: Int) throws {
        let tiny = try TinyTransformer(Self.spec())
        let ours = try logits(tiny, tokens, contextLength: contextLength)
        let reference = tiny.referenceLogits(tokens, contextLength: contextLength)
        let difference = maxDifference(ours, reference)
        print("phi3 (context \(contextLength)) vs double reference: max |Δ logit| \(difference)")
        #expect(difference < tolerance)
        // The factors matter at this size: without them the reference is far off.
        let plain = tiny.referenceLogits(tokens, contextLength: contextLength, options: ReferenceOptions(ignoreRopeFactors: true))
        #expect(maxDifference(reference, plain) > featureEffect)
    }

    @Test func shortAndLongFactorsGiveDifferentModels() throws {
        let tiny = try TinyTransformer(Self.spec())
        let short = try logits(tiny, tokens, contextLength: 64)
        let long = try logits(tiny, tokens, contextLength: 65)
        #expect(zip(short, long).map { abs($0 - $1) }.max()! > 0.01)
    }

    @Test func separateProjectionsAndPartialRotaryAlsoWork() throws {
        var spec = Self.spec()
        spec.fusedQKV = false
        spec.kvHeads = 2
        spec.ropeDimensions = 6
        spec.ropeFactorsShort = [1, 2, 4]
        spec.ropeFactorsLong = [2, 4, 8]
        let tiny = try TinyTransformer(spec)
        let difference = maxDifference(try logits(tiny, tokens, contextLength: 32), tiny.referenceLogits(tokens, contextLength: 32))
        #expect(difference < tolerance)
    }

    @Test func missingFusedUpIsNamed() throws {
        var spec = Self.spec()
        spec.fusedGateUp = false   // writes ffn_gate and an ffn_up of n_ff rows
        let tiny = try TinyTransformer(spec)
        #expect {
            try tiny.load(contextLength: 32)
        } throws: { error in
            "\(error)".contains("tensor blk.0.ffn_up.weight has dims [32, 48], expected [32, 96]")
        }
    }
}

struct Gemma2Tests {
    static func spec() -> TinyTransformerSpec {
        var spec = TinyTransformerSpec()
        spec.architecture = "gemma2"
        spec.activation = .geluTanh
        spec.postNorms = true
        spec.embeddingScale = true
        spec.window = 3
        spec.attentionSoftcap = 1.5     // small caps, so that capping changes the result
        spec.finalSoftcap = 4
        spec.keyLength = 16; spec.valueLength = 8
        return spec
    }

    @Test func configHasAlternatingWindowAndDefaults() throws {
        let config = try TinyTransformer(Self.spec()).load().config
        // llama.cpp's gemma2: period 2, layer i local when i % 2 < 1: even layers local.
        #expect(config.slidingWindowLayers == [true, false, true, false])
        #expect(config.slidingWindow == 3)
        #expect(config.ropeFreqBaseLocal == config.ropeFreqBase)

        var spec = Self.spec()
        spec.window = nil
        spec.attentionSoftcap = nil
        spec.finalSoftcap = nil
        spec.blocks = 5
        let defaults = try TinyTransformer(spec).load().config
        #expect(defaults.slidingWindow == 4096)
        #expect(defaults.slidingWindowLayers == [true, false, true, false, true])
    }

    /// Head size 8 takes the row-by-row attention, 16 the tiled kernel: both must soft-cap.
    @Test(arguments: [8, 16])
    func matchesReference(headSize: Int) throws {
        var spec = Self.spec()
        spec.keyLength = headSize; spec.valueLength = headSize
        let tiny = try TinyTransformer(spec)
        let ours = try logits(tiny, tokens, contextLength: 64)
        let reference = tiny.referenceLogits(tokens, contextLength: 64)
        let difference = maxDifference(ours, reference)
        print("gemma2 vs double reference: max |Δ logit| \(difference)")
        #expect(difference < tolerance)
        // The final soft-cap bounds every logit.
        #expect(ours.allSatisfy { abs($0) < 4 })
        // Window and caps each change the reference by far more than the tolerance, so the
        // agreement above checks them.
        let unwindowed = tiny.referenceLogits(tokens, contextLength: 64, options: ReferenceOptions(ignoreWindow: true))
        let uncapped = tiny.referenceLogits(tokens, contextLength: 64, options: ReferenceOptions(ignoreSoftcaps: true))
        #expect(maxDifference(reference, unwindowed) > featureEffect)
        #expect(maxDifference(reference, uncapped) > featureEffect)
    }

    /// Caps read from the file's keys when present, 50 and 30 (llama.cpp's defaults) when not.
    @Test func defaultCapsAreFiftyAndThirty() throws {
        var spec = Self.spec()
        spec.attentionSoftcap = nil
        spec.finalSoftcap = nil
        spec.defaultCaps = (50, 30)
        let tiny = try TinyTransformer(spec)
        #expect(maxDifference(try logits(tiny, tokens, contextLength: 64), tiny.referenceLogits(tokens, contextLength: 64)) < tolerance)
    }

    /// One token at a time through the KV cache (the local layers' ring) gives the batch's logits.
    @Test func incrementalDecodingMatchesBatch() throws {
        let tiny = try TinyTransformer(Self.spec())
        let model = try tiny.load(contextLength: 64)
        let all = try model.forward(tokens, startPosition: 0, allLogits: true)
        model.resetCache()
        let vocab = model.config.vocabSize
        for (p, token) in tokens.enumerated() {
            let row = try model.forward([token], startPosition: p, allLogits: false)
            let difference = zip(row, all[p * vocab..<(p + 1) * vocab]).map { abs($0 - $1) }.max()!
            #expect(difference < 1e-4, "position \(p)")
        }
    }

    /// A local layer's output at position p does not depend on tokens before p - window + 1: with
    /// one block (local) and window 3, changing token 0 leaves the logits at positions ≥ 3 as they are.
    @Test func localLayerSeesOnlyTheWindow() throws {
        var spec = Self.spec()
        spec.blocks = 1
        let tiny = try TinyTransformer(spec)
        let model = try tiny.load(contextLength: 64)
        let vocab = model.config.vocabSize
        let a = try model.forward(tokens, startPosition: 0, allLogits: true)
        model.resetCache()
        var changed = tokens
        changed[0] = 60
        let b = try model.forward(changed, startPosition: 0, allLogits: true)
        let early = zip(a[vocab..<2 * vocab], b[vocab..<2 * vocab]).map { abs($0 - $1) }.max()!
        let late = zip(a[(3 * vocab)...], b[(3 * vocab)...]).map { abs($0 - $1) }.max()!
        #expect(early > 1e-3)
        #expect(late == 0)
    }
}

struct LlamaFamilyTinyTests {
    /// Adjacent RoPE pairs, Llama 3 rope_freqs, an untied output, biases on a fused QKV.
    @Test func llamaMatchesReference() throws {
        var spec = TinyTransformerSpec()
        spec.pairing = .adjacent
        spec.ropeFreqs = [1, 2, 8, 8]
        spec.tiedOutput = false
        spec.fusedQKV = true
        spec.projectionBiases = true
        let tiny = try TinyTransformer(spec)
        let reference = tiny.referenceLogits(tokens, contextLength: 64)
        let difference = maxDifference(try logits(tiny, tokens, contextLength: 64), reference)
        print("llama (tiny) vs double reference: max |Δ logit| \(difference)")
        #expect(difference < tolerance)
        #expect(maxDifference(reference, tiny.referenceLogits(tokens, contextLength: 64,
                                                              options: ReferenceOptions(ignoreRopeFactors: true))) > featureEffect)
    }

    @Test func qwen2AndQwen3MatchReference() throws {
        var qwen2 = TinyTransformerSpec()
        qwen2.architecture = "qwen2"
        qwen2.projectionBiases = true
        var qwen3 = TinyTransformerSpec()
        qwen3.architecture = "qwen3"
        qwen3.queryKeyNorms = true
        qwen3.keyLength = 16; qwen3.valueLength = 16   // head width ≠ n_embd / heads
        for spec in [qwen2, qwen3] {
            let tiny = try TinyTransformer(spec)
            let difference = maxDifference(try logits(tiny, tokens, contextLength: 64), tiny.referenceLogits(tokens, contextLength: 64))
            print("\(spec.architecture) (tiny) vs double reference: max |Δ logit| \(difference)")
            #expect(difference < tolerance, "\(spec.architecture)")
        }
    }

    @Test func qwen2RequiresBiases() throws {
        var spec = TinyTransformerSpec()
        spec.architecture = "qwen2"
        let tiny = try TinyTransformer(spec)
        #expect { try tiny.load() } throws: { "\($0)".contains("missing tensor blk.0.attn_q.bias") }
    }

    /// gemma3 through the shared block: q/k norms, post norms, GELU, window pattern 6 with its own
    /// local RoPE base.
    @Test func gemma3MatchesReference() throws {
        var spec = TinyTransformerSpec()
        spec.architecture = "gemma3"
        spec.activation = .geluTanh
        spec.queryKeyNorms = true
        spec.postNorms = true
        spec.embeddingScale = true
        spec.window = 4
        spec.blocks = 7
        spec.ropeBase = 1_000_000
        spec.ropeBaseLocal = 10_000
        spec.keyLength = 16
        let tiny = try TinyTransformer(spec)
        let difference = maxDifference(try logits(tiny, tokens, contextLength: 64), tiny.referenceLogits(tokens, contextLength: 64))
        print("gemma3 (tiny) vs double reference: max |Δ logit| \(difference)")
        #expect(difference < tolerance)
    }
}

struct SoftcapOpTests {
    @Test func softcapMatchesDefinition() {
        var x: [Float] = [-1000, -3, -0.01, 0, 0.5, 2, 29, 1e6]
        let original = x
        Ops.softcap(&x, count: x.count, cap: 30)
        for (out, v) in zip(x, original) {
            let expected = 30 * tanh(Double(v) / 30)
            #expect(abs(Double(out) - expected) < 1e-5 * max(1, abs(expected)))
            #expect(abs(out) <= 30)
        }
        #expect(abs(x[2] - -0.01) < 1e-7)     // small values pass almost unchanged
    }

    /// Attention with a soft-cap: cap · tanh(scale · q·k / cap) before the softmax.
    @Test func attentionAppliesSoftcapBeforeSoftmax() throws {
        let cache = try KVCacheLayer(capacity: 4, keyWidth: 2, valueWidth: 1)
        let keys: [[Float]] = [[1, 0], [4, 0], [-2, 0]]
        for (p, k) in keys.enumerated() { cache.store(position: p, key: k, value: [Float(p)]) }
        let q: [Float] = [2, 0]
        for cap in [nil, 1, 5] as [Float?] {
            let shape = AttentionShape(headCount: 1, kvHeadCount: 1, keyLength: 2, valueLength: 1, scale: 0.5,
                                       window: nil, softcap: cap)
            var out: [Float] = [0]
            Ops.attention(queries: q, tokens: 1, firstPosition: 2, cache: cache, shape: shape, into: &out,
                          pool: ThreadPool(threads: 1))
            let scores = keys.map { k -> Double in
                let s = 0.5 * Double(q[0] * k[0])
                return cap.map { Double($0) * tanh(s / Double($0)) } ?? s
            }
            let weights: [Double] = scores.map { exp($0) }
            var weighted = 0.0
            for (p, w) in weights.enumerated() { weighted += w * Double(p) }
            let expected = weighted / weights.reduce(0, +)
            #expect(abs(Double(out[0]) - expected) < 1e-5, "cap \(String(describing: cap))")
        }
    }
}

struct RotaryFactorTests {
    /// Frequency factors divide the frequencies; the attention factor scales cos and sin.
    @Test func factorsDivideFrequenciesAndAttentionFactorScales() {
        let rope = RotaryEmbedding(dimensions: 4, base: 100, freqScale: 0.5, pairing: .adjacent,
                                   frequencyFactors: [2, 8], attentionFactor: 1.5)
        #expect(abs(rope.frequencies[0] - 0.5 / 2) < 1e-12)
        #expect(abs(rope.frequencies[1] - 0.5 * 0.1 / 8) < 1e-12)
        var v: [Float] = [1, 0, 0, 1]
        let table = rope.table(for: 7..<8)
        rope.apply(&v, heads: 1, headStride: 4, position: 7, table: table)
        let a0 = 7 * 0.25, a1 = 7 * 0.00625
        let expected: [Double] = [cos(a0), sin(a0), -sin(a1), cos(a1)].map { 1.5 * $0 }
        for i in 0..<4 { #expect(abs(Double(v[i]) - expected[i]) < 1e-6) }
    }
}

struct UnsupportedVariantTests {
    /// Mixtral-style llama files are refused by name, not with a missing-tensor error.
    @Test func mixtureOfExpertsLlamaIsRefused() throws {
        var writer = GGUFWriter()
        writer.add(key: "general.architecture", .string("llama"))
        for (key, value) in [("context_length", 64), ("embedding_length", 32), ("block_count", 1),
                             ("feed_forward_length", 32), ("attention.head_count", 2), ("expert_count", 8)] {
            writer.add(key: "llama.\(key)", .uint32(UInt32(value)))
        }
        writer.add(key: "llama.attention.layer_norm_rms_epsilon", .float32(1e-5))
        writer.addTensor(name: "token_embd.weight", dims: [32, 4], type: .f32, data: [UInt8](repeating: 0, count: 512))
        let bytes = writer.serialize()
        try bytes.withUnsafeBytes { raw in
            let gguf = try GGUFFile.parse(raw)
            let data = UnsafeRawBufferPointer(rebasing: raw[gguf.dataOffset...])
            #expect {
                try ModelRegistry.load(gguf: gguf, tensorData: data, contextLength: nil, threads: 1)
            } throws: { "\($0)".contains("unsupported llama variant: mixture of experts (llama.expert_count = 8)") }
        }
    }
}
