// Reading a byte-level BPE tokenizer from GGUF metadata: dispatch on `tokenizer.ggml.model`,
// llama.cpp's defaults (BOS/EOS 11, BOS added for Llama 3's pre-tokenizer), metadata overrides, and
// clear errors for missing or malformed merges and unknown pre-tokenizers.

import GGUF
import Testing
import Tokenizer

@Suite struct BytePairLoaderTests {
    static let tokens = ["a", "b", "c", "ab", "abc", "Ġ", "Ġa", "<|endoftext|>"]
    static let types: [Int32] = [1, 1, 1, 1, 1, 1, 1, 3]
    static let merges = ["a b", "ab c", "Ġ a"]

    /// A vocab-only GGUF file for the tiny vocabulary, with `extra` entries added or replacing.
    static func file(_ extra: [String: GGUFValue] = [:], merges: GGUFArray? = GGUFArray(strings: merges),
                     dropping: Set<String> = []) throws -> GGUFFile {
        var entries: [(String, GGUFValue)] = [
            ("general.architecture", .string("gpt2")),
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("gpt-2")),
        ]
        for (key, value) in extra.sorted(by: { $0.key < $1.key }) {
            if let index = entries.firstIndex(where: { $0.0 == key }) { entries[index].1 = value } else { entries.append((key, value)) }
        }
        var writer = GGUFWriter()
        for (key, value) in entries where !dropping.contains(key) { writer.add(key: key, value) }
        writer.add(key: "tokenizer.ggml.tokens", GGUFArray(strings: tokens))
        writer.add(key: "tokenizer.ggml.token_type", GGUFArray(int32s: types))
        if let merges { writer.add(key: "tokenizer.ggml.merges", merges) }
        return try GGUFFile.parse(writer.serialize())
    }

    @Test func loadDispatchesOnTheModel() throws {
        let any = try TokenizerLoader.load(from: Self.file())
        let t = try #require(any as? BytePairTokenizer)
        #expect(t.preTokenizer == .gpt2)
        // " ab" is "Ġab": "a b" ranks before "Ġ a", and nothing merges "Ġ" with "ab".
        #expect(any.encode("abc ab a", addSpecial: true, parseSpecial: false) == [4, 5, 3, 6])
        #expect(any.decode([4, 5, 3, 6]) == "abc ab a")
        #expect(try TokenizerLoader.load(from: Self.file(["tokenizer.ggml.model": .string("gpt2")])) is BytePairTokenizer)
    }

    @Test func defaultsFollowLlamaCpp() throws {
        // BOS/EOS default to 11, out of range for 8 tokens: none. End of generation by text.
        let t = try TokenizerLoader.bytePair(from: Self.file())
        #expect(t.bos == nil && t.eos == nil && !t.addBOS && !t.addEOS)
        #expect(t.isEndOfGeneration(7))
        // No pre-tokenizer key: llama.cpp's default regexes.
        #expect(try TokenizerLoader.bytePair(from: Self.file(dropping: ["tokenizer.ggml.pre"])).preTokenizer == .standard)
    }

    @Test func metadataOverridesDefaults() throws {
        let t = try TokenizerLoader.bytePair(from: Self.file([
            "tokenizer.ggml.bos_token_id": .uint32(7),
            "tokenizer.ggml.eos_token_id": .uint32(7),
            "tokenizer.ggml.add_bos_token": .bool(true),
            "tokenizer.ggml.add_eos_token": .bool(true),
        ]))
        #expect(t.encode("ab", addSpecial: true, parseSpecial: false) == [7, 3, 7])
        #expect(t.encode("ab", addSpecial: false, parseSpecial: false) == [3])
        // Llama 3's pre-tokenizer adds BOS unless the file says otherwise.
        let llama3 = try TokenizerLoader.bytePair(from: Self.file([
            "tokenizer.ggml.pre": .string("llama-bpe"), "tokenizer.ggml.bos_token_id": .uint32(7)]))
        #expect(llama3.addBOS && llama3.encode("a", addSpecial: true, parseSpecial: false) == [7, 0])
        let noBOS = try TokenizerLoader.bytePair(from: Self.file([
            "tokenizer.ggml.pre": .string("llama-bpe"), "tokenizer.ggml.bos_token_id": .uint32(7),
            "tokenizer.ggml.add_bos_token": .bool(false)]))
        #expect(noBOS.encode("a", addSpecial: true, parseSpecial: false) == [0])
    }

    @Test func malformedMetadataThrowsClearly() throws {
        #expect(throws: TokenizerError.invalidMetadata(key: "tokenizer.ggml.merges", reason: "missing (a BPE vocabulary needs its merges)")) {
            try TokenizerLoader.load(from: Self.file(merges: nil))
        }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(merges: GGUFArray(int32s: [1, 2]))) }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(["tokenizer.ggml.merges": .string("a b")], merges: nil)) }
        #expect(throws: TokenizerError.unsupportedPreTokenizer("no-such-one")) {
            try TokenizerLoader.load(from: Self.file(["tokenizer.ggml.pre": .string("no-such-one")]))
        }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(["tokenizer.ggml.pre": .uint32(3)])) }
        // Llama 3 adds BOS, but this vocabulary has none.
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(["tokenizer.ggml.pre": .string("llama3")])) }
        #expect(throws: TokenizerError.unsupportedModel("llama")) {
            try TokenizerLoader.bytePair(from: Self.file(["tokenizer.ggml.model": .string("llama")]))
        }
    }
}
