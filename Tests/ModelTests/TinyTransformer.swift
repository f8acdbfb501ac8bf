// Tiny random-weight models of any of the supported architectures, written with GGUFWriter, and
// a plain double-precision forward pass of the same maths written from the formulas (not from
// the library's code), for architectures that have no llama.cpp reference data (phi3, gemma2)
// and for features the synthetic references do not cover.
//
// The reference rounds cached keys and values to float16, as llama.cpp's F16 KV cache (and this
// package) does, so that agreement can be tight; everything else is exact.

import Foundation
import GGUF
import Model

/// What a tiny model contains. Defaults make a small llama-like model; tests switch features on.
struct TinyTransformerSpec {
    var architecture = "llama"
    var embedding = 32, blocks = 4, feedForward = 48, heads = 4, kvHeads = 2
    var keyLength = 8, valueLength = 8, vocab = 64, trainedContext = 256
    /// rope.dimension_count; nil writes no key (all of key_length).
    var ropeDimensions: Int?
    var ropeBase: Float = 10_000
    /// rope.freq_base_swa, when set.
    var ropeBaseLocal: Float?
    var epsilon: Float = 1e-5

    enum Pairing { case neox, adjacent }
    enum Activation { case silu, geluTanh }
    var pairing = Pairing.neox
    var activation = Activation.silu
    var fusedQKV = false
    var fusedGateUp = false
    var projectionBiases = false
    var queryKeyNorms = false
    var postNorms = false
    var embeddingScale = false
    /// Written as {arch}.attn_logit_softcapping / final_logit_softcapping when set; `defaultCaps`
    /// are the values the reference uses when the keys are absent.
    var attentionSoftcap: Float?
    var finalSoftcap: Float?
    var defaultCaps: (attention: Float?, final: Float?) = (nil, nil)
    /// {arch}.attention.sliding_window and the period of local layers (i % period < period - 1).
    var window: Int?
    var pattern: Int?
    /// Written as rope_freqs.weight.
    var ropeFreqs: [Float]?
    /// Written as rope_factors_long.weight / rope_factors_short.weight.
    var ropeFactorsLong: [Float]?
    var ropeFactorsShort: [Float]?
    var originalContext: Int?
    var ropeAttentionFactor: Float?
    var tiedOutput = true

    var rotated: Int { ropeDimensions ?? keyLength }
}

/// A tiny model's file bytes and its weights (as floats, for the reference).
final class TinyTransformer {
    let spec: TinyTransformerSpec
    let bytes: UnsafeMutableRawBufferPointer
    let gguf: GGUFFile
    /// Every tensor by name, as the floats written.
    private(set) var weights: [String: [Float]] = [:]

    init(_ spec: TinyTransformerSpec, seed: UInt64 = 3) throws {
        self.spec = spec
        var writer = GGUFWriter()
        let a = spec.architecture
        writer.add(key: "general.architecture", .string(a))
        writer.add(key: "\(a).context_length", .uint32(UInt32(spec.trainedContext)))
        writer.add(key: "\(a).embedding_length", .uint32(UInt32(spec.embedding)))
        writer.add(key: "\(a).block_count", .uint32(UInt32(spec.blocks)))
        writer.add(key: "\(a).feed_forward_length", .uint32(UInt32(spec.feedForward)))
        writer.add(key: "\(a).attention.head_count", .uint32(UInt32(spec.heads)))
        writer.add(key: "\(a).attention.head_count_kv", .uint32(UInt32(spec.kvHeads)))
        writer.add(key: "\(a).attention.key_length", .uint32(UInt32(spec.keyLength)))
        writer.add(key: "\(a).attention.value_length", .uint32(UInt32(spec.valueLength)))
        writer.add(key: "\(a).attention.layer_norm_rms_epsilon", .float32(spec.epsilon))
        writer.add(key: "\(a).rope.freq_base", .float32(spec.ropeBase))
        if let v = spec.ropeDimensions { writer.add(key: "\(a).rope.dimension_count", .uint32(UInt32(v))) }
        if let v = spec.ropeBaseLocal { writer.add(key: "\(a).rope.freq_base_swa", .float32(v)) }
        if let v = spec.attentionSoftcap { writer.add(key: "\(a).attn_logit_softcapping", .float32(v)) }
        if let v = spec.finalSoftcap { writer.add(key: "\(a).final_logit_softcapping", .float32(v)) }
        if let v = spec.window { writer.add(key: "\(a).attention.sliding_window", .uint32(UInt32(v))) }
        if let v = spec.pattern { writer.add(key: "\(a).attention.sliding_window_pattern", .uint32(UInt32(v))) }
        if let v = spec.originalContext { writer.add(key: "\(a).rope.scaling.original_context_length", .uint32(UInt32(v))) }
        if let v = spec.ropeAttentionFactor { writer.add(key: "\(a).rope.scaling.attn_factor", .float32(v)) }

        var random = TestRandom(seed: seed)
        var weights: [String: [Float]] = [:]
        func tensor(_ name: String, _ dims: [Int], scale: Float, offset: Float = 0) {
            add(name, dims, random.floats(dims.reduce(1, *), scale: scale).map { $0 + offset })
        }
        func add(_ name: String, _ dims: [Int], _ values: [Float]) {
            weights[name] = values
            writer.addTensor(name: name, dims: dims, type: .f32, data: values.withUnsafeBytes { Array($0) })
        }
        let e = spec.embedding, f = spec.feedForward
        let qw = spec.heads * spec.keyLength, kw = spec.kvHeads * spec.keyLength, vw = spec.kvHeads * spec.valueLength
        // Uniform in ±scale: standard deviation scale/√3. Matrices get gain ~1.7/√fan_in.
        func gain(_ fanIn: Int) -> Float { 3 / Float(fanIn).squareRoot() }
        tensor("token_embd.weight", [e, spec.vocab], scale: 1)
        if !spec.tiedOutput { tensor("output.weight", [e, spec.vocab], scale: gain(e)) }
        tensor("output_norm.weight", [e], scale: 0.2, offset: 1)
        if let v = spec.ropeFreqs { add("rope_freqs.weight", [v.count], v) }
        if let v = spec.ropeFactorsLong { add("rope_factors_long.weight", [v.count], v) }
        if let v = spec.ropeFactorsShort { add("rope_factors_short.weight", [v.count], v) }
        for i in 0..<spec.blocks {
            let b = "blk.\(i)."
            tensor(b + "attn_norm.weight", [e], scale: 0.2, offset: 1)
            if spec.fusedQKV {
                tensor(b + "attn_qkv.weight", [e, qw + kw + vw], scale: gain(e))
                if spec.projectionBiases { tensor(b + "attn_qkv.bias", [qw + kw + vw], scale: 0.3) }
            } else {
                tensor(b + "attn_q.weight", [e, qw], scale: gain(e))
                tensor(b + "attn_k.weight", [e, kw], scale: gain(e))
                tensor(b + "attn_v.weight", [e, vw], scale: gain(e))
                if spec.projectionBiases {
                    tensor(b + "attn_q.bias", [qw], scale: 0.3)
                    tensor(b + "attn_k.bias", [kw], scale: 0.3)
                    tensor(b + "attn_v.bias", [vw], scale: 0.3)
                }
            }
            if spec.queryKeyNorms {
                tensor(b + "attn_q_norm.weight", [spec.keyLength], scale: 0.2, offset: 1)
                tensor(b + "attn_k_norm.weight", [spec.keyLength], scale: 0.2, offset: 1)
            }
            tensor(b + "attn_output.weight", [spec.heads * spec.valueLength, e], scale: gain(spec.heads * spec.valueLength))
            if spec.postNorms { tensor(b + "post_attention_norm.weight", [e], scale: 0.2, offset: 1) }
            tensor(b + "ffn_norm.weight", [e], scale: 0.2, offset: 1)
            if spec.fusedGateUp {
                tensor(b + "ffn_up.weight", [e, 2 * f], scale: gain(e))
            } else {
                tensor(b + "ffn_gate.weight", [e, f], scale: gain(e))
                tensor(b + "ffn_up.weight", [e, f], scale: gain(e))
            }
            tensor(b + "ffn_down.weight", [f, e], scale: gain(f))
            if spec.postNorms { tensor(b + "post_ffw_norm.weight", [e], scale: 0.2, offset: 1) }
        }
        self.weights = weights
        let file = writer.serialize()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: file.count, alignment: 64)
        file.withUnsafeBytes { buffer.copyMemory(from: $0) }
        bytes = buffer
        gguf = try GGUFFile.parse(UnsafeRawBufferPointer(bytes))
    }

    deinit { bytes.deallocate() }

    func load(contextLength: Int? = nil, threads: Int = 2) throws -> any LanguageModel {
        let data = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[gguf.dataOffset...])
        return try ModelRegistry.load(gguf: gguf, tensorData: data, contextLength: contextLength, threads: threads)
    }
}

// MARK: - The double-precision reference

/// Switches that let a test check that a feature matters: the reference without it must differ.
struct ReferenceOptions {
    var ignoreWindow = false
    var ignoreSoftcaps = false
    var ignoreRopeFactors = false
}

extension TinyTransformer {
    /// W·x for a matrix stored as GGUF dims [cols, rows] (row r at r·cols), rows `rowRange`.
    private func project(_ name: String, _ x: [Double], rows: Range<Int>? = nil) -> [Double] {
        let w = weights[name]!, cols = x.count
        let range = rows ?? 0..<(w.count / cols)
        return range.map { r in
            var sum = 0.0
            for c in 0..<cols { sum += Double(w[r * cols + c]) * x[c] }
            return sum
        }
    }

    private func rmsNorm(_ x: ArraySlice<Double>, _ weight: String) -> [Double] {
        let w = weights[weight]!
        let mean = x.reduce(0) { $0 + $1 * $1 } / Double(x.count)
        let inverse = 1 / (mean + Double(spec.epsilon)).squareRoot()
        return x.enumerated().map { i, v in v * inverse * Double(w[i]) }
    }

    private func add(_ name: String, to x: inout [Double]) {
        guard let b = weights[name] else { return }
        for i in x.indices { x[i] += Double(b[i]) }
    }

    /// Whether block i attends through the sliding window.
    func isLocal(_ i: Int) -> Bool {
        guard spec.window != nil else { return false }
        let period = spec.pattern ?? (spec.architecture == "gemma2" ? 2 : 6)
        return i % period < period - 1
    }

    /// Logits (vocab per token) of `tokens` at positions 0..., computed from the formulas.
    func referenceLogits(_ tokens: [Int32], contextLength: Int, options: ReferenceOptions = ReferenceOptions()) -> [[Double]] {
        let s = spec, e = s.embedding, f = s.feedForward, dk = s.keyLength, dv = s.valueLength
        let qw = s.heads * dk, kw = s.kvHeads * dk
        let n = tokens.count
        let embeddings = weights["token_embd.weight"]!
        var x: [[Double]] = tokens.map { t in
            (0..<e).map { Double(embeddings[Int(t) * e + $0]) * (s.embeddingScale ? Double(Float(e).squareRoot()) : 1) }
        }
        let attentionCap = options.ignoreSoftcaps ? nil : (s.attentionSoftcap ?? s.defaultCaps.attention)
        let finalCap = options.ignoreSoftcaps ? nil : (s.finalSoftcap ?? s.defaultCaps.final)

        // RoPE factors as llama.cpp picks them.
        var factors: [Float]? = s.ropeFreqs
        if factors == nil {
            factors = contextLength > (s.originalContext ?? s.trainedContext) ? s.ropeFactorsLong : s.ropeFactorsShort
        }
        if options.ignoreRopeFactors { factors = nil }
        let magnitude = Double(s.ropeAttentionFactor ?? 1)

        func rope(_ v: inout [Double], heads: Int, position: Int, base: Float) {
            let d = s.rotated, half = d / 2
            for h in 0..<heads {
                for i in 0..<half {
                    var theta = Double(position) * pow(Double(base), -2 * Double(i) / Double(d))
                    if let factors { theta /= Double(factors[i]) }
                    let (c, sn) = (cos(theta) * magnitude, sin(theta) * magnitude)
                    let (a, b) = s.pairing == .neox ? (h * dk + i, h * dk + i + half) : (h * dk + 2 * i, h * dk + 2 * i + 1)
                    let (x0, x1) = (v[a], v[b])
                    v[a] = x0 * c - x1 * sn
                    v[b] = x0 * sn + x1 * c
                }
            }
        }
        func half(_ v: Double) -> Double { Double(Float(Float16(Float(v)))) }
        func activation(_ g: Double) -> Double {
            switch s.activation {
            case .silu: return g / (1 + exp(-g))
            case .geluTanh: return 0.5 * g * (1 + tanh((2 / Double.pi).squareRoot() * (g + 0.044715 * g * g * g)))
            }
        }
        let queryScale: Double = 1 / Double(dk).squareRoot()

        for layer in 0..<s.blocks {
            let b = "blk.\(layer)."
            let local = isLocal(layer) && !options.ignoreWindow
            let base = isLocal(layer) ? (s.ropeBaseLocal ?? s.ropeBase) : s.ropeBase
            var queries: [[Double]] = [], keys: [[Double]] = [], values: [[Double]] = []
            for t in 0..<n {
                let h = rmsNorm(x[t][...], b + "attn_norm.weight")
                var q: [Double], k: [Double], v: [Double]
                if s.fusedQKV {
                    var all = project(b + "attn_qkv.weight", h)
                    add(b + "attn_qkv.bias", to: &all)
                    q = Array(all[0..<qw]); k = Array(all[qw..<qw + kw]); v = Array(all[(qw + kw)...])
                } else {
                    q = project(b + "attn_q.weight", h); add(b + "attn_q.bias", to: &q)
                    k = project(b + "attn_k.weight", h); add(b + "attn_k.bias", to: &k)
                    v = project(b + "attn_v.weight", h); add(b + "attn_v.bias", to: &v)
                }
                if s.queryKeyNorms {
                    q = (0..<s.heads).flatMap { rmsNorm(q[$0 * dk..<($0 + 1) * dk], b + "attn_q_norm.weight") }
                    k = (0..<s.kvHeads).flatMap { rmsNorm(k[$0 * dk..<($0 + 1) * dk], b + "attn_k_norm.weight") }
                }
                rope(&q, heads: s.heads, position: t, base: base)
                rope(&k, heads: s.kvHeads, position: t, base: base)
                queries.append(q)
                keys.append(k.map(half))
                values.append(v.map(half))
            }
            for t in 0..<n {
                var attended = [Double](repeating: 0, count: s.heads * dv)
                let first = local ? max(0, t - s.window! + 1) : 0
                for h in 0..<s.heads {
                    let kv = h / (s.heads / s.kvHeads)
                    var scores = (first...t).map { j in
                        queryScale * (0..<dk).reduce(0.0) { $0 + queries[t][h * dk + $1] * keys[j][kv * dk + $1] }
                    }
                    if let cap = attentionCap { scores = scores.map { Double(cap) * tanh($0 / Double(cap)) } }
                    let m = scores.max()!
                    let weights = scores.map { exp($0 - m) }
                    let total = weights.reduce(0, +)
                    for (w, j) in zip(weights, first...t) {
                        for d in 0..<dv { attended[h * dv + d] += w / total * values[j][kv * dv + d] }
                    }
                }
                var o = project(b + "attn_output.weight", attended)
                add(b + "attn_output.bias", to: &o)
                if s.postNorms { o = rmsNorm(o[...], b + "post_attention_norm.weight") }
                for i in 0..<e { x[t][i] += o[i] }

                let h = rmsNorm(x[t][...], b + "ffn_norm.weight")
                let gate: [Double], up: [Double]
                if s.fusedGateUp {
                    gate = project(b + "ffn_up.weight", h, rows: 0..<f)
                    up = project(b + "ffn_up.weight", h, rows: f..<2 * f)
                } else {
                    gate = project(b + "ffn_gate.weight", h)
                    up = project(b + "ffn_up.weight", h)
                }
                var down = project(b + "ffn_down.weight", zip(gate, up).map { activation($0) * $1 })
                if s.postNorms { down = rmsNorm(down[...], b + "post_ffw_norm.weight") }
                for i in 0..<e { x[t][i] += down[i] }
            }
        }
        let outputName = s.tiedOutput ? "token_embd.weight" : "output.weight"
        return x.map { row in
            var logits = project(outputName, rmsNorm(row[...], "output_norm.weight"))
            if let cap = finalCap { logits = logits.map { Double(cap) * tanh($0 / Double(cap)) } }
            return logits
        }
    }
}

/// Largest |a - b| over rows of logits.
func maxDifference(_ ours: [Float], _ reference: [[Double]]) -> Double {
    let vocab = reference[0].count
    var worst = 0.0
    for (t, row) in reference.enumerated() {
        for (i, value) in row.enumerated() { worst = max(worst, abs(Double(ours[t * vocab + i]) - value)) }
    }
    return worst
}

func maxDifference(_ a: [[Double]], _ b: [[Double]]) -> Double {
    zip(a, b).map { zip($0, $1).map { abs($0 - $1) }.max()! }.max()!
}
