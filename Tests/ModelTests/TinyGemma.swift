// A tiny random-weight gemma3 GGUF built in memory, for tests that need a whole model but not
// the real one: config reading, validation errors, batching, the sliding-window ring, rewinds.

import GGUF
import Model

/// What the tiny file contains; tests change fields to make it invalid.
struct TinyGemmaSpec {
    var embedding = 32, blocks = 3, feedForward = 48, heads = 4, kvHeads = 2
    var keyLength = 16, valueLength = 8, vocab = 50, window = 4, trainedContext = 1024
    var pattern: GGUFValue? = .uint32(3)         // blocks 0, 1 local; 2 global
    var omitKeys: Set<String> = []
    var omitTensors: Set<String> = []
    var dimsOverride: [String: [Int]] = [:]
    var architecture = "gemma3"
}

/// A tiny model's bytes, kept alive as long as the model that views them.
final class TinyGemma {
    let bytes: UnsafeMutableRawBufferPointer
    let gguf: GGUFFile

    init(_ spec: TinyGemmaSpec = TinyGemmaSpec(), seed: UInt64 = 7) throws {
        var writer = GGUFWriter()
        let arch = spec.architecture
        func add(_ key: String, _ value: GGUFValue) {
            if !spec.omitKeys.contains(key) { writer.add(key: key, value) }
        }
        add("general.architecture", .string(arch))
        add("\(arch).context_length", .uint32(UInt32(spec.trainedContext)))
        add("\(arch).embedding_length", .uint32(UInt32(spec.embedding)))
        add("\(arch).block_count", .uint32(UInt32(spec.blocks)))
        add("\(arch).feed_forward_length", .uint32(UInt32(spec.feedForward)))
        add("\(arch).attention.head_count", .uint32(UInt32(spec.heads)))
        add("\(arch).attention.head_count_kv", .uint32(UInt32(spec.kvHeads)))
        add("\(arch).attention.key_length", .uint32(UInt32(spec.keyLength)))
        add("\(arch).attention.value_length", .uint32(UInt32(spec.valueLength)))
        add("\(arch).attention.layer_norm_rms_epsilon", .float32(1e-6))
        add("\(arch).rope.freq_base", .float32(1_000_000))
        add("\(arch).attention.sliding_window", .uint32(UInt32(spec.window)))
        if let pattern = spec.pattern { add("\(arch).attention.sliding_window_pattern", pattern) }

        var random = TestRandom(seed: seed)
        func tensor(_ name: String, _ dims: [Int], scale: Float, offset: Float = 0) {
            guard !spec.omitTensors.contains(name) else { return }
            let dims = spec.dimsOverride[name] ?? dims
            let values = random.floats(dims.reduce(1, *), scale: scale).map { $0 + offset }
            writer.addTensor(name: name, dims: dims, type: .f32, data: values.withUnsafeBytes { Array($0) })
        }
        let e = spec.embedding, f = spec.feedForward, dk = spec.keyLength, dv = spec.valueLength
        tensor("token_embd.weight", [e, spec.vocab], scale: 0.5)
        tensor("output_norm.weight", [e], scale: 0.2, offset: 1)
        for i in 0..<spec.blocks {
            let b = "blk.\(i)."
            tensor(b + "attn_norm.weight", [e], scale: 0.2, offset: 1)
            tensor(b + "attn_q.weight", [e, spec.heads * dk], scale: 0.3)
            tensor(b + "attn_k.weight", [e, spec.kvHeads * dk], scale: 0.3)
            tensor(b + "attn_v.weight", [e, spec.kvHeads * dv], scale: 0.3)
            tensor(b + "attn_q_norm.weight", [dk], scale: 0.2, offset: 1)
            tensor(b + "attn_k_norm.weight", [dk], scale: 0.2, offset: 1)
            tensor(b + "attn_output.weight", [spec.heads * dv, e], scale: 0.3)
            tensor(b + "post_attention_norm.weight", [e], scale: 0.2, offset: 1)
            tensor(b + "ffn_norm.weight", [e], scale: 0.2, offset: 1)
            tensor(b + "ffn_gate.weight", [e, f], scale: 0.3)
            tensor(b + "ffn_up.weight", [e, f], scale: 0.3)
            tensor(b + "ffn_down.weight", [f, e], scale: 0.3)
            tensor(b + "post_ffw_norm.weight", [e], scale: 0.2, offset: 1)
        }
        let file = writer.serialize()
        bytes = .allocate(byteCount: file.count, alignment: 64)
        bytes.copyMemory(from: UnsafeRawBufferPointer(start: file, count: file.count))
        gguf = try GGUFFile.parse(UnsafeRawBufferPointer(bytes))
    }

    deinit { bytes.deallocate() }

    var tensorData: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[gguf.dataOffset...])
    }

    func load(contextLength: Int? = nil, threads: Int = 2) throws -> any LanguageModel {
        try ModelRegistry.load(gguf: gguf, tensorData: tensorData, contextLength: contextLength, threads: threads)
    }
}
