// ModelValidation: whole-model consistency checks run before an architecture builds anything, so
// that a damaged or doctored GGUF file (they are untrusted input: see docs/SECURITY.md) is refused
// at pack time with a message naming what disagrees, instead of failing later in a tokenizer, a
// kernel or an allocation. Each check compares two parts of the file that must agree:
//
//   - the vocabulary (tokenizer.ggml.tokens) against the rows of token_embd.weight / output.weight;
//   - the per-token arrays (scores, token types) against the token count;
//   - every special-token id (BOS, EOS, EOT, padding, ...) against the vocabulary;
//   - head counts and head sizes against each other and the embedding width;
//   - the context length against sane bounds, and the KV cache it needs against the memory here;
//   - {arch}.block_count against the blk.N.* tensors present.

import GGUF
#if canImport(Glibc)
import Glibc
#endif

/// Checks that the parts of a model file agree with each other.
public enum ModelValidation {
    /// Largest vocabulary accepted (llama.cpp's largest real vocabularies are ~260k tokens).
    public static let maximumVocabulary = 1 << 22
    /// Largest `{arch}.context_length` accepted (16 Mi positions).
    public static let maximumContextLength = 1 << 24

    /// The special-token keys llama.cpp reads (`tokenizer.ggml.<name>_token_id`).
    static let specialTokenKeys = [
        "bos", "eos", "eot", "eom", "unknown", "seperator", "padding", "mask", "cls",
        "fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_rep", "fim_sep",
    ].map { "tokenizer.ggml.\($0)_token_id" }

    /// Runs every check; throws a `ModelError` naming the first disagreement.
    ///
    /// - Parameters:
    ///   - gguf: the parsed header.
    ///   - contextLength: the context the caller will ask for (nil: the default), used to size the KV cache.
    public static func validate(_ gguf: GGUFFile, contextLength: Int? = nil) throws {
        let architecture = gguf.architecture
        try checkVocabulary(gguf)
        if let architecture {
            try checkAttentionShape(gguf, prefix: architecture)
            try checkContext(gguf, prefix: architecture, requested: contextLength)
            try checkBlocks(gguf, prefix: architecture)
        }
    }

    // MARK: Vocabulary

    static func checkVocabulary(_ gguf: GGUFFile) throws {
        let embeddingRows = rows(of: "token_embd.weight", in: gguf)
        if let outputRows = rows(of: "output.weight", in: gguf), let embeddingRows, outputRows != embeddingRows {
            throw ModelError("output.weight has \(outputRows) rows but token_embd.weight has \(embeddingRows): "
                + "the two must cover the same vocabulary")
        }
        var vocabulary = embeddingRows
        if let tokens = gguf.entry("tokenizer.ggml.tokens") {
            guard let count = tokens.arrayValue?.count, tokens.arrayValue?.strings != nil else {
                throw ModelError("tokenizer.ggml.tokens should be an array of strings, found \(tokens.type.name)")
            }
            guard (1...maximumVocabulary).contains(count) else {
                throw ModelError("tokenizer.ggml.tokens holds \(count) tokens, outside 1...\(maximumVocabulary)")
            }
            if let embeddingRows, embeddingRows != count {
                throw ModelError("the vocabulary has \(count) tokens (tokenizer.ggml.tokens) but token_embd.weight "
                    + "has \(embeddingRows) rows: they must be equal")
            }
            for key in ["tokenizer.ggml.scores", "tokenizer.ggml.token_type"] {
                guard let entry = gguf.entry(key) else { continue }
                guard let length = entry.arrayValue?.count else {
                    throw ModelError("\(key) should be an array, found \(entry.type.name)")
                }
                guard length == count else {
                    throw ModelError("\(key) has \(length) entries but tokenizer.ggml.tokens has \(count): "
                        + "there must be one per token")
                }
            }
            vocabulary = count
        }
        guard let vocabulary else { return }
        for key in specialTokenKeys {
            guard let value = gguf[key] else { continue }
            guard let id = value.int else {
                throw ModelError("\(key) should be an integer token id, found \(value)")
            }
            guard id >= 0, id < vocabulary else {
                throw ModelError("\(key) = \(id) is not a token of the vocabulary (ids 0..<\(vocabulary))")
            }
        }
    }

    /// The second dimension (rows) of a 2-D tensor, nil when there is no such tensor.
    private static func rows(of name: String, in gguf: GGUFFile) -> Int? {
        guard let tensor = gguf.tensor(named: name), tensor.dims.count >= 2 else { return nil }
        return tensor.dims[1]
    }

    // MARK: Attention shape

    static func checkAttentionShape(_ gguf: GGUFFile, prefix: String) throws {
        let meta = MetadataReader(gguf: gguf, prefix: prefix)
        let limits = ModelConfig.limits
        // Per-layer arrays (some architectures) are left to the architecture's own reader.
        func scalar(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let value = gguf["\(prefix).\(key)"], value.array == nil else { return nil }
            return try meta.optionalInt(key, in: range)
        }
        let embedding = try scalar("embedding_length", in: 1...limits.embedding)
        let heads = try scalar("attention.head_count", in: 1...limits.heads)
        let kvHeads = try scalar("attention.head_count_kv", in: 1...limits.heads)
        let keyLength = try scalar("attention.key_length", in: 1...limits.headDim)
        _ = try scalar("attention.value_length", in: 1...limits.headDim)
        if let heads, let kvHeads, heads % kvHeads != 0 {
            throw ModelError("\(prefix).attention.head_count (\(heads)) is not a multiple of "
                + "\(prefix).attention.head_count_kv (\(kvHeads)): query heads cannot be shared evenly")
        }
        if let embedding, let heads, keyLength == nil {
            guard embedding % heads == 0 else {
                throw ModelError("\(prefix).embedding_length (\(embedding)) is not a multiple of "
                    + "\(prefix).attention.head_count (\(heads)) and attention.key_length is missing")
            }
            guard (embedding / heads) <= limits.headDim else {
                throw ModelError("head size \(embedding / heads) (embedding_length / head_count) is over \(limits.headDim)")
            }
        }
        if let keyLength, keyLength % 2 != 0 {
            throw ModelError("\(prefix).attention.key_length (\(keyLength)) must be even for rotary embeddings")
        }
    }

    // MARK: Context

    static func checkContext(_ gguf: GGUFFile, prefix: String, requested: Int?) throws {
        let meta = MetadataReader(gguf: gguf, prefix: prefix)
        guard let trained = try meta.optionalInt("context_length", in: Int.min...Int.max) else { return }
        guard (1...maximumContextLength).contains(trained) else {
            throw ModelError("\(prefix).context_length = \(trained) is absurd (accepted: 1...\(maximumContextLength))")
        }
        // The KV cache for the context actually used: F16 keys and values for every layer. (A
        // requested context outside 1...trained is refused by ModelConfig.read.)
        let context = requested ?? min(trained, ModelConfig.defaultContextLengthCap)
        guard (1...trained).contains(context) else { return }
        guard let layers = gguf.int("\(prefix).block_count"), layers > 0,
              let heads = gguf.int("\(prefix).attention.head_count"), heads > 0 else { return }
        let kvHeads = gguf.int("\(prefix).attention.head_count_kv") ?? heads
        let embedding = gguf.int("\(prefix).embedding_length") ?? 0
        let keyLength = gguf.int("\(prefix).attention.key_length") ?? embedding / heads
        let valueLength = gguf.int("\(prefix).attention.value_length") ?? keyLength
        var bytes = 2
        for factor in [context, layers, kvHeads, keyLength + valueLength] {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: max(factor, 0))
            guard !overflow else {
                throw ModelError("a context of \(context) tokens needs a KV cache too large to address")
            }
            bytes = product
        }
        let memory = physicalMemory()
        if memory > 0, bytes > memory {
            throw ModelError("a context of \(context) tokens needs \(bytes >> 20) MiB of KV cache, more than this "
                + "machine's \(memory >> 20) MiB of memory; ask for a smaller context")
        }
    }

    /// Bytes of physical memory, or 0 when unknown.
    static func physicalMemory() -> Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 0 }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: size)
        return overflow ? Int.max : bytes
    }

    // MARK: Blocks

    static func checkBlocks(_ gguf: GGUFFile, prefix: String) throws {
        let meta = MetadataReader(gguf: gguf, prefix: prefix)
        guard let blocks = try meta.optionalInt("block_count", in: 1...ModelConfig.limits.layers) else { return }
        var present = [Bool](repeating: false, count: blocks)
        for tensor in gguf.tensors where tensor.name.hasPrefix("blk.") {
            let number = tensor.name.dropFirst(4).prefix { $0 != "." }
            guard let block = Int(number) else { continue }
            guard block < blocks else {
                throw ModelError("tensor \(tensor.name) belongs to block \(block), but \(prefix).block_count is \(blocks)")
            }
            present[block] = true
        }
        if present.contains(true), let missing = present.firstIndex(of: false) {
            throw ModelError("\(prefix).block_count is \(blocks), but block \(missing) has no tensors (blk.\(missing).*)")
        }
    }
}
