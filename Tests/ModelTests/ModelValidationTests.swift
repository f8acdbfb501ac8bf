// ModelValidation: files whose parts disagree (vocabulary vs embedding rows, per-token arrays,
// special ids, head counts, context length, blocks vs tensors) are refused by ModelRegistry.load
// with a message naming both sides. Fixtures are tiny gemma3 files made with GGUFWriter, with a
// tokenizer, that load when nothing is changed.

import GGUF
import Model
import Testing

/// A tiny gemma3 file with a tokenizer; fields are changed to make it inconsistent.
struct ValidationFixture {
    var vocab = 40
    var tokens: Int? = nil          // token count in tokenizer.ggml.tokens (default: vocab)
    var scores: Int? = nil          // entries in tokenizer.ggml.scores (default: token count)
    var types: Int? = nil           // entries in tokenizer.ggml.token_type (default: token count)
    var specials: [String: GGUFValue] = ["bos": .uint32(1), "eos": .uint32(2), "padding": .uint32(0)]
    var blocks = 2                  // tensors written for this many blocks
    var blockCountKey: Int? = nil   // {arch}.block_count (default: blocks)
    var heads = 4, kvHeads = 2, keyLength: Int? = 16
    var contextLength: UInt64 = 1024
    var outputRows: Int? = nil      // adds output.weight with this many rows

    func file() throws -> (GGUFFile, UnsafeMutableRawBufferPointer) {
        var writer = GGUFWriter()
        let e = 32, f = 48, dk = keyLength ?? e / heads
        writer.add(key: "general.architecture", .string("gemma3"))
        writer.add(key: "gemma3.context_length", .uint64(contextLength))
        writer.add(key: "gemma3.embedding_length", .uint32(UInt32(e)))
        writer.add(key: "gemma3.block_count", .uint32(UInt32(blockCountKey ?? blocks)))
        writer.add(key: "gemma3.feed_forward_length", .uint32(UInt32(f)))
        writer.add(key: "gemma3.attention.head_count", .uint32(UInt32(heads)))
        writer.add(key: "gemma3.attention.head_count_kv", .uint32(UInt32(kvHeads)))
        if let keyLength {
            writer.add(key: "gemma3.attention.key_length", .uint32(UInt32(keyLength)))
            writer.add(key: "gemma3.attention.value_length", .uint32(UInt32(keyLength)))
        }
        writer.add(key: "gemma3.attention.layer_norm_rms_epsilon", .float32(1e-6))
        writer.add(key: "tokenizer.ggml.model", .string("llama"))
        let count = tokens ?? vocab
        writer.add(key: "tokenizer.ggml.tokens", .array((0..<count).map { .string("t\($0)") }))
        writer.add(key: "tokenizer.ggml.scores", .array((0..<(scores ?? count)).map { .float32(Float(-$0)) }))
        writer.add(key: "tokenizer.ggml.token_type", .array((0..<(types ?? count)).map { _ in .int32(1) }))
        for (name, value) in specials.sorted(by: { $0.key < $1.key }) { writer.add(key: "tokenizer.ggml.\(name)_token_id", value) }

        func tensor(_ name: String, _ dims: [Int]) {
            writer.addTensor(name: name, dims: dims, type: .f32, data: [UInt8](repeating: 0, count: 4 * dims.reduce(1, *)))
        }
        tensor("token_embd.weight", [e, vocab])
        if let outputRows { tensor("output.weight", [e, outputRows]) }
        tensor("output_norm.weight", [e])
        for i in 0..<blocks {
            let b = "blk.\(i)."
            tensor(b + "attn_norm.weight", [e])
            tensor(b + "attn_q.weight", [e, heads * dk])
            tensor(b + "attn_k.weight", [e, kvHeads * dk])
            tensor(b + "attn_v.weight", [e, kvHeads * dk])
            tensor(b + "attn_q_norm.weight", [dk])
            tensor(b + "attn_k_norm.weight", [dk])
            tensor(b + "attn_output.weight", [heads * dk, e])
            tensor(b + "post_attention_norm.weight", [e])
            tensor(b + "ffn_norm.weight", [e])
            tensor(b + "ffn_gate.weight", [e, f])
            tensor(b + "ffn_up.weight", [e, f])
            tensor(b + "ffn_down.weight", [f, e])
            tensor(b + "post_ffw_norm.weight", [e])
        }
        let bytes = writer.serialize()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 64)
        buffer.copyMemory(from: UnsafeRawBufferPointer(start: bytes, count: bytes.count))
        return (try GGUFFile.parse(UnsafeRawBufferPointer(buffer)), buffer)
    }

    /// Loads through ModelRegistry.load, the path `llmpack build` and the runner take.
    func load(contextLength: Int? = nil) throws {
        let (gguf, buffer) = try file()
        defer { buffer.deallocate() }
        let data = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[gguf.dataOffset...])
        _ = try ModelRegistry.load(gguf: gguf, tensorData: data, contextLength: contextLength, threads: 1)
    }
}

struct ModelValidationTests {
    func expectRefused(_ fixture: ValidationFixture, contextLength: Int? = nil, _ fragments: String...,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try fixture.load(contextLength: contextLength)
            Issue.record("loaded; expected an error mentioning \(fragments)", sourceLocation: sourceLocation)
        } catch let error as ModelError {
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func theUnchangedFixtureLoads() throws {
        try ValidationFixture().load()
        try ValidationFixture(outputRows: 40).load()
        try ValidationFixture().load(contextLength: 1024)
    }

    @Test func vocabularySizeMustMatchTheEmbeddingRows() {
        expectRefused(ValidationFixture(tokens: 39), "39 tokens", "token_embd.weight has 40 rows")
        expectRefused(ValidationFixture(tokens: 41), "41 tokens", "40 rows")
        expectRefused(ValidationFixture(outputRows: 41), "output.weight has 41 rows", "token_embd.weight has 40")
    }

    @Test func perTokenArraysMustHaveOneEntryPerToken() {
        expectRefused(ValidationFixture(scores: 39), "tokenizer.ggml.scores has 39 entries", "40")
        expectRefused(ValidationFixture(scores: 41), "tokenizer.ggml.scores has 41 entries")
        expectRefused(ValidationFixture(types: 12), "tokenizer.ggml.token_type has 12 entries")
    }

    @Test func specialTokenIdsMustBeInTheVocabulary() {
        expectRefused(ValidationFixture(specials: ["bos": .uint32(40)]), "tokenizer.ggml.bos_token_id = 40", "0..<40")
        expectRefused(ValidationFixture(specials: ["eot": .uint32(1_000_000)]), "tokenizer.ggml.eot_token_id = 1000000")
        expectRefused(ValidationFixture(specials: ["padding": .int32(-1)]), "tokenizer.ggml.padding_token_id = -1")
        expectRefused(ValidationFixture(specials: ["eos": .string("2")]), "tokenizer.ggml.eos_token_id should be an integer")
    }

    @Test func headCountsAndSizesMustDivide() {
        expectRefused(ValidationFixture(heads: 4, kvHeads: 3), "head_count (4) is not a multiple of", "head_count_kv (3)")
        expectRefused(ValidationFixture(heads: 5, kvHeads: 5, keyLength: nil), "embedding_length (32) is not a multiple of",
                      "head_count (5)")
        expectRefused(ValidationFixture(keyLength: 15), "key_length (15) must be even")
    }

    @Test func absurdContextLengthsAreRefused() {
        expectRefused(ValidationFixture(contextLength: 1 << 40), "gemma3.context_length = 1099511627776 is absurd")
        expectRefused(ValidationFixture(contextLength: 0), "gemma3.context_length = 0 is absurd")
    }

    @Test func aKVCacheLargerThanMemoryIsRefused() {
        // 2^24 positions x 2 layers x 2 KV heads x (4096 + 4096) x 2 bytes = 1 TiB, more than any test machine.
        let fixture = ValidationFixture(heads: 2, kvHeads: 2, keyLength: 4096, contextLength: 1 << 24)
        expectRefused(fixture, contextLength: 1 << 24, "needs", "MiB of KV cache, more than this machine's")
    }

    @Test func blockCountMustMatchTheTensors() {
        expectRefused(ValidationFixture(blocks: 3, blockCountKey: 2), "tensor blk.2.", "block_count is 2")
        expectRefused(ValidationFixture(blocks: 2, blockCountKey: 3), "block_count is 3, but block 2 has no tensors")
    }

    @Test func validateAloneAcceptsAVocabularyOnlyFile() throws {
        var writer = GGUFWriter()
        writer.add(key: "general.architecture", .string("gemma3"))
        writer.add(key: "tokenizer.ggml.tokens", .array([.string("a"), .string("b")]))
        writer.add(key: "tokenizer.ggml.bos_token_id", .uint32(1))
        let gguf = try GGUFFile.parse(writer.serialize())
        try ModelValidation.validate(gguf)
        var bad = GGUFWriter()
        bad.add(key: "tokenizer.ggml.tokens", .array([.string("a"), .string("b")]))
        bad.add(key: "tokenizer.ggml.bos_token_id", .uint32(2))
        #expect(throws: ModelError.self) { try ModelValidation.validate(GGUFFile.parse(bad.serialize())) }
    }
}
