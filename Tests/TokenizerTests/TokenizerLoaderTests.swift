// Reading a tokenizer from GGUF metadata: the keys and defaults of llama.cpp, exact token bytes,
// and clear errors for files whose tokenizer metadata is missing or malformed.

import GGUF
import Testing
import Tokenizer

@Suite struct TokenizerLoaderTests {
    typealias V = TinyVocabulary

    /// A vocab-only GGUF file holding the tiny vocabulary, with `extra` entries added or replacing.
    static func file(_ extra: [String: GGUFValue] = [:], tokens: GGUFArray? = nil, dropping: Set<String> = []) throws -> GGUFFile {
        let (texts, scores, types) = V.arrays()
        var entries: [(String, GGUFValue?)] = [
            ("general.architecture", .string("llama")),
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.bos_token_id", .uint32(1)),
            ("tokenizer.ggml.eos_token_id", .uint32(2)),
            ("tokenizer.ggml.unknown_token_id", .uint32(0)),
        ]
        for (key, value) in extra.sorted(by: { $0.key < $1.key }) {
            if let index = entries.firstIndex(where: { $0.0 == key }) { entries[index].1 = value } else { entries.append((key, value)) }
        }
        var writer = GGUFWriter()
        for (key, value) in entries where !dropping.contains(key) {
            if let value { writer.add(key: key, value) }
        }
        if !dropping.contains("tokenizer.ggml.tokens") {
            writer.add(key: "tokenizer.ggml.tokens", tokens ?? GGUFArray(strings: GGUFStringArray(byteStrings: texts)))
        }
        if extra["tokenizer.ggml.scores"] == nil { writer.add(key: "tokenizer.ggml.scores", GGUFArray(floats: scores)) }
        if extra["tokenizer.ggml.token_type"] == nil { writer.add(key: "tokenizer.ggml.token_type", GGUFArray(int32s: types)) }
        return try GGUFFile.parse(writer.serialize())
    }

    @Test func loadsWhatTheArraysSay() throws {
        let loaded = try TokenizerLoader.sentencePiece(from: Self.file(["tokenizer.ggml.add_space_prefix": .bool(false)]))
        let direct = try V.tokenizer(addSpacePrefix: false)
        #expect(loaded.vocabularySize == direct.vocabularySize)
        for text in ["abc", " a b", "<turn>x<tag>xxxxx", "bü🦙", ""] {
            for parse in [false, true] {
                #expect(loaded.encode(text, addSpecial: true, parseSpecial: parse) == direct.encode(text, addSpecial: true, parseSpecial: parse))
            }
        }
        #expect(loaded.vocabulary.scores == direct.vocabulary.scores)
        #expect(loaded.vocabulary.attributes == direct.vocabulary.attributes)
        #expect(loaded.specialTokens == direct.specialTokens)
        let any = try TokenizerLoader.load(from: Self.file())
        #expect(any.bos == 1 && any.eos == 2)
    }

    @Test func defaultsFollowLlamaCpp() throws {
        // No add_* keys: BOS added, EOS not, space prefix on.
        let t = try TokenizerLoader.sentencePiece(from: Self.file())
        #expect(t.addBOS && !t.addEOS && t.addSpacePrefix)
        #expect(t.encode("abc", addSpecial: true, parseSpecial: false) == [V.bos, V.id("▁abc")])
        // No special ids at all: SentencePiece defaults BOS 1, EOS 2, unknown 0.
        let bare = try TokenizerLoader.sentencePiece(from: Self.file(dropping: [
            "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id"]))
        #expect(bare.bos == 1 && bare.eos == 2 && bare.specialTokens.unknown == 0)
    }

    @Test func metadataOverridesDefaults() throws {
        let t = try TokenizerLoader.sentencePiece(from: Self.file([
            "tokenizer.ggml.add_bos_token": .bool(false),
            "tokenizer.ggml.add_eos_token": .bool(true),
            "tokenizer.ggml.eos_token_id": .int32(V.id("<turn>")),
            "tokenizer.ggml.bos_token_id": .uint32(99_999),   // out of range: the default stays
        ]))
        #expect(t.bos == 1)
        #expect(t.eos == V.id("<turn>"))
        #expect(t.isEndOfGeneration(V.id("<turn>")))
        #expect(t.encode("a", addSpecial: true, parseSpecial: false) == [V.id("▁a"), V.id("<turn>")])
    }

    @Test func integerScoresAreAccepted() throws {
        let count = V.arrays().tokens.count
        let t = try TokenizerLoader.sentencePiece(from: Self.file(["tokenizer.ggml.scores": .array((0..<count).map { _ in .int32(-3) })]))
        #expect(t.vocabulary.scores.allSatisfy { $0 == -3 })
    }

    @Test func tokenBytesAreKeptExactly() throws {
        var (texts, _, _) = V.arrays()
        texts[Int(V.id("x"))] = [0xFF, 0x78]   // not valid UTF-8
        let t = try TokenizerLoader.sentencePiece(from: Self.file(["tokenizer.ggml.add_space_prefix": .bool(false)],
                                                                  tokens: GGUFArray(strings: GGUFStringArray(byteStrings: texts))))
        #expect(t.piece(V.id("x")) == [0xFF, 0x78])
        #expect(t.vocabulary.text(of: V.id("x")) == [0xFF, 0x78])
        // 0xFF announces a 4-byte sequence, so "\u{FF}x" is one symbol, and a token.
        #expect(t.encode(bytes: [0xFF, 0x78], addSpecial: false, parseSpecial: false) == [V.id("x")])
        #expect(t.encode(bytes: [0xFF], addSpecial: false, parseSpecial: false) == [V.byte(0xFF)])
    }

    @Test func malformedMetadataThrowsClearly() throws {
        #expect(throws: TokenizerError.invalidMetadata(key: "tokenizer.ggml.model", reason: "missing (the file has no tokenizer)")) {
            try TokenizerLoader.load(from: Self.file(dropping: ["tokenizer.ggml.model"]))
        }
        #expect(throws: TokenizerError.unsupportedModel("gpt2")) {
            try TokenizerLoader.load(from: Self.file(["tokenizer.ggml.model": .string("gpt2")]))
        }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(dropping: ["tokenizer.ggml.tokens"])) }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(tokens: GGUFArray(int32s: [1, 2, 3]))) }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(["tokenizer.ggml.model": .uint32(1)])) }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(["tokenizer.ggml.scores": .array([.float32(1)])])) }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(["tokenizer.ggml.scores": .string("no")])) }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(["tokenizer.ggml.token_type": .array([.float32(1)])])) }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(["tokenizer.ggml.add_bos_token": .string("yes")])) }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(["tokenizer.ggml.bos_token_id": .string("1")])) }
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(from: Self.file(tokens: GGUFArray(strings: [String]()))) }
    }
}
