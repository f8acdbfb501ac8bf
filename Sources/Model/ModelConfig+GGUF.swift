// Reading ModelConfig from GGUF metadata: the `{arch}.*` keys every llama.cpp architecture uses,
// with range checks, so that a damaged or unusual file gives a clear error instead of a crash
// or a huge allocation.

import GGUF

extension ModelConfig {
    /// Upper bounds on hyperparameters; generous for real models, small enough that products of
    /// them cannot overflow and a corrupt file cannot ask for absurd buffers.
    static let limits = (
        embedding: 1 << 16, layers: 1 << 10, heads: 1 << 10, headDim: 1 << 12,
        feedForward: 1 << 18, vocab: 1 << 22, context: 1 << 24
    )

    /// Reads the hyperparameters common to llama.cpp's transformer architectures.
    ///
    /// - Parameters:
    ///   - gguf: the parsed file; its `general.architecture` names the key prefix.
    ///   - contextLength: positions the KV cache must hold; nil picks the trained context, capped
    ///     at `defaultContextLengthCap`.
    /// - Throws: `ModelError` naming the missing or out-of-range key.
    public static func read(from gguf: GGUFFile, contextLength: Int?) throws -> ModelConfig {
        guard let architecture = gguf.architecture else {
            throw ModelError("missing metadata key general.architecture")
        }
        let meta = MetadataReader(gguf: gguf, prefix: architecture)

        let embedding = try meta.int("embedding_length", in: 1...limits.embedding)
        let blocks = try meta.int("block_count", in: 1...limits.layers)
        let feedForward = try meta.int("feed_forward_length", in: 1...limits.feedForward)
        let heads = try meta.int("attention.head_count", in: 1...limits.heads)
        let kvHeads = try meta.optionalInt("attention.head_count_kv", in: 1...limits.heads) ?? heads
        guard heads % kvHeads == 0 else {
            throw ModelError("\(architecture).attention.head_count (\(heads)) is not a multiple of "
                + "\(architecture).attention.head_count_kv (\(kvHeads))")
        }
        guard embedding % heads == 0 || meta.has("attention.key_length") else {
            throw ModelError("\(architecture).embedding_length (\(embedding)) is not a multiple of "
                + "\(architecture).attention.head_count (\(heads)) and attention.key_length is missing")
        }
        let keyLength = try meta.optionalInt("attention.key_length", in: 1...limits.headDim) ?? embedding / heads
        let valueLength = try meta.optionalInt("attention.value_length", in: 1...limits.headDim) ?? keyLength
        guard keyLength % 2 == 0 else {
            throw ModelError("\(architecture).attention.key_length (\(keyLength)) must be even for RoPE")
        }
        let epsilon = try meta.float("attention.layer_norm_rms_epsilon", in: 0...1)
        let ropeBase = try meta.optionalFloat("rope.freq_base", in: 1...1e12) ?? 10_000
        var ropeScale: Float = 1
        switch try meta.optionalString("rope.scaling.type") {
        case nil, "none"?:
            break
        case "linear"?:
            let factor = try meta.optionalFloat("rope.scaling.factor", in: 1e-6...1e6) ?? 1
            ropeScale = 1 / factor
        case "longrope"?, "su"?:
            break   // Phi-3: the long/short factor tensors carry the scaling.
        case let type?:
            throw ModelError("\(architecture).rope.scaling.type \"\(type)\" is not supported "
                + "(supported: none, linear, longrope)")
        }
        let ropeDimensions = try meta.optionalInt("rope.dimension_count", in: 1...keyLength) ?? keyLength
        guard ropeDimensions % 2 == 0 else {
            throw ModelError("\(architecture).rope.dimension_count (\(ropeDimensions)) must be even")
        }
        let ropeAttentionFactor = try meta.optionalFloat("rope.scaling.attn_factor", in: 1e-3...1e3) ?? 1
        let trained = try meta.int("context_length", in: 1...limits.context)
        let ropeOriginalContext = try meta.optionalInt("rope.scaling.original_context_length",
                                                       in: 1...limits.context) ?? trained
        let window = try meta.optionalInt("attention.sliding_window", in: 1...limits.context)

        guard let embeddingTensor = gguf.tensor(named: "token_embd.weight") else {
            throw ModelError("missing tensor token_embd.weight")
        }
        guard embeddingTensor.dims.count == 2, embeddingTensor.dims[0] == embedding,
              (1...limits.vocab).contains(embeddingTensor.dims[1]) else {
            throw ModelError("tensor token_embd.weight has dims \(embeddingTensor.dims), "
                + "expected [\(embedding), vocab] with vocab in 1...\(limits.vocab)")
        }

        let context = contextLength ?? min(trained, defaultContextLengthCap)
        guard (1...trained).contains(context) else {
            throw ModelError("context length \(context) is outside 1...\(trained) "
                + "(\(architecture).context_length, the context the model was trained for)")
        }

        return ModelConfig(
            architecture: architecture, vocabSize: embeddingTensor.dims[1], contextLength: context,
            trainedContextLength: trained, embeddingLength: embedding, blockCount: blocks,
            feedForwardLength: feedForward, headCount: heads, headCountKV: kvHeads,
            keyLength: keyLength, valueLength: valueLength, rmsEpsilon: epsilon,
            ropeFreqBase: ropeBase, ropeFreqScale: ropeScale, ropeDimensionCount: ropeDimensions,
            ropeAttentionFactor: ropeAttentionFactor, ropeOriginalContextLength: ropeOriginalContext,
            slidingWindow: window,
            slidingWindowLayers: Array(repeating: false, count: blocks), ropeFreqBaseLocal: ropeBase)
    }
}

/// Typed, range-checked access to the `{prefix}.*` metadata keys of a GGUF file.
struct MetadataReader {
    let gguf: GGUFFile
    let prefix: String

    func has(_ key: String) -> Bool { gguf["\(prefix).\(key)"] != nil }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = try optionalInt(key, in: range) else {
            throw ModelError("missing metadata key \(prefix).\(key)")
        }
        return value
    }

    func optionalInt(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        let name = "\(prefix).\(key)"
        guard let value = gguf[name] else { return nil }
        guard let int = value.int else {
            throw ModelError("metadata key \(name) should be an integer, found \(value)")
        }
        guard range.contains(int) else {
            throw ModelError("metadata key \(name) = \(int) is outside \(range)")
        }
        return int
    }

    func float(_ key: String, in range: ClosedRange<Float>) throws -> Float {
        guard let value = try optionalFloat(key, in: range) else {
            throw ModelError("missing metadata key \(prefix).\(key)")
        }
        return value
    }

    func optionalFloat(_ key: String, in range: ClosedRange<Float>) throws -> Float? {
        let name = "\(prefix).\(key)"
        guard let value = gguf[name] else { return nil }
        guard let float = value.float, float.isFinite else {
            throw ModelError("metadata key \(name) should be a finite number, found \(value)")
        }
        guard range.contains(float) else {
            throw ModelError("metadata key \(name) = \(float) is outside \(range)")
        }
        return float
    }

    /// Which blocks use the sliding window: `{prefix}.attention.sliding_window_pattern` as a
    /// period N (block i is local when i % N < N - 1) or as one bool per block; without the key,
    /// the period `defaultPattern`.
    func slidingWindowLayers(blockCount: Int, defaultPattern: Int) throws -> [Bool] {
        let name = "\(prefix).attention.sliding_window_pattern"
        switch gguf[name] {
        case nil:
            return (0..<blockCount).map { $0 % defaultPattern < defaultPattern - 1 }
        case let value? where value.int != nil:
            let period = try int("attention.sliding_window_pattern", in: 1...blockCount)
            return (0..<blockCount).map { $0 % period < period - 1 }
        case .array(let flags)? where flags.count == blockCount && flags.allSatisfy({ $0.bool != nil }):
            return flags.map { $0.bool! }
        case let value?:
            throw ModelError("metadata key \(name) should be a period or \(blockCount) bools, found \(value)")
        }
    }

    func optionalString(_ key: String) throws -> String? {
        let name = "\(prefix).\(key)"
        guard let value = gguf[name] else { return nil }
        guard let string = value.string else {
            throw ModelError("metadata key \(name) should be a string, found \(value)")
        }
        return string
    }
}
