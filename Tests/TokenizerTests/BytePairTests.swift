// Byte-level BPE behaviour on small hand-made vocabularies (merge order, ties, ignore_merges,
// llama.cpp's fallbacks), GPT-2's byte-to-unicode mapping, and the special tokens, decoding and
// space clean-up of the real Llama 3, Qwen 2 and GPT-2 vocabularies.

import Testing
import Tokenizer

@Suite struct BytePairTests {
    /// A tiny vocabulary given as texts in byte-level characters ("Ġ" is a space).
    static func tiny(_ tokens: [String], merges: [String], ignoreMerges: Bool = false) throws -> BytePairTokenizer {
        try BytePairTokenizer(vocabulary: Vocabulary(tokens: tokens), merges: merges,
                              options: BytePairOptions(preTokenizer: .gpt2, ignoreMerges: ignoreMerges))
    }

    @Test func byteToUnicodeMapping() {
        #expect(ByteLevelEncoding.encode(Array("Hi!".utf8)) == "Hi!")
        #expect(ByteLevelEncoding.encode([0x20, 0x0A, 0x00, 0x7F, 0xA0, 0xAD, 0xFF]) == "ĠĊĀġłŃÿ")
        for byte in 0...255 {
            let b = UInt8(byte)
            #expect(ByteLevelEncoding.byte(for: ByteLevelEncoding.character(for: b)) == b)
        }
        #expect(Set((0...255).map { ByteLevelEncoding.character(for: UInt8($0)) }).count == 256)
        #expect(ByteLevelEncoding.decode("ĠhelloĊ") == Array(" hello\n".utf8))
        #expect(ByteLevelEncoding.decode("€") == nil)
    }

    @Test func mergesApplyInRankOrder() throws {
        let vocab = ["a", "b", "c", "ab", "bc", "abc"]
        let t1 = try Self.tiny(vocab, merges: ["a b", "b c", "ab c"])
        #expect(t1.encode("abc", addSpecial: false, parseSpecial: false) == [5])
        // "b c" ranks first now, and nothing merges "a" with "bc".
        let t2 = try Self.tiny(vocab, merges: ["b c", "a b", "ab c"])
        #expect(t2.encode("abc", addSpecial: false, parseSpecial: false) == [0, 4])
        #expect(t2.mergeCount == 3)
    }

    @Test func equalRanksMergeLeftmostFirst() throws {
        let t = try Self.tiny(["a", "aa"], merges: ["a a"])
        #expect(t.encode("aaa", addSpecial: false, parseSpecial: false) == [1, 0])
        #expect(t.encode("aaaa", addSpecial: false, parseSpecial: false) == [1, 1])
    }

    @Test func duplicateMergeKeepsItsFirstRank() throws {
        let vocab = ["a", "b", "c", "ab", "bc"]
        let t = try Self.tiny(vocab, merges: ["a b", "b c", "a b"])
        #expect(t.mergeCount == 2)
        #expect(t.encode("abc", addSpecial: false, parseSpecial: false) == [3, 2])
    }

    @Test func ignoreMergesTakesWholeWordTokens() throws {
        let vocab = ["a", "b", "c", "bc", "abc"]
        let merging = try Self.tiny(vocab, merges: ["b c"])
        #expect(merging.encode("abc", addSpecial: false, parseSpecial: false) == [0, 3])
        let whole = try Self.tiny(vocab, merges: ["b c"], ignoreMerges: true)
        #expect(whole.encode("abc", addSpecial: false, parseSpecial: false) == [4])
        #expect(whole.encode("abcb", addSpecial: false, parseSpecial: false) == [0, 3, 1])
    }

    @Test func unmergeableSymbolsFallBackToSingleByteTokens() throws {
        // "ab" is merged but is not a token: llama.cpp emits the one-byte tokens of its text.
        let t = try Self.tiny(["a", "b"], merges: ["a b"])
        #expect(t.encode("ab", addSpecial: false, parseSpecial: false) == [0, 1])
        // A character with no token at all ("d") is dropped.
        #expect(t.encode("adb", addSpecial: false, parseSpecial: false) == [0, 1])
        // The space's character "Ġ" is the bytes C4 A0; a token for the lone byte C4 is used.
        let raw = try BytePairTokenizer(vocabulary: Vocabulary(tokens: [[0x61], [0xC4]]), merges: [],
                                        options: BytePairOptions(preTokenizer: .gpt2))
        #expect(raw.encode(" a", addSpecial: false, parseSpecial: false) == [1, 0])
    }

    @Test func invalidUTF8IsReadAsReplacementCharacters() throws {
        let t = try BytePairTestTokenizers.vocab("ggml-vocab-llama-bpe.gguf")
        #expect(t.encode(bytes: [0x61, 0xFF, 0x62], addSpecial: false, parseSpecial: false)
                == t.encode("a\u{FFFD}b", addSpecial: false, parseSpecial: false))
        #expect(t.encode(bytes: [0xE6, 0x9D], addSpecial: false, parseSpecial: false)
                == t.encode("\u{FFFD}\u{FFFD}", addSpecial: false, parseSpecial: false))
    }

    @Test func llama3SpecialTokens() throws {
        let t = try BytePairTestTokenizers.vocab("ggml-vocab-llama-bpe.gguf")
        #expect(t.vocabularySize == 128_256)
        #expect(t.bos == 128_000 && t.eos == 128_001)
        #expect(t.addBOS && t.ignoreMerges && t.preTokenizer == .llama3)
        #expect(t.tokenId("<|eot_id|>") == 128_009)
        #expect(t.isEndOfGeneration(128_009) && t.isEndOfGeneration(128_001))
        #expect(!t.isEndOfGeneration(128_000) && !t.isEndOfGeneration(128_006))

        let chat = "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"
        let ids = t.encode(chat, addSpecial: true, parseSpecial: true)
        #expect(ids.first == 128_000)
        #expect(ids[1] == 128_006 && ids.last == 128_009)
        #expect(t.decode(ids) == "user\n\nhi")
        #expect(t.decode(ids, special: true) == "<|begin_of_text|>" + chat)
        // Not parsed, the same text is plain text.
        let plain = t.encode(chat, addSpecial: false, parseSpecial: false)
        #expect(!plain.contains(128_006) && !plain.contains(128_009))
        #expect(t.decode(plain) == chat)
        // An empty prompt is just BOS.
        #expect(t.encode("", addSpecial: true, parseSpecial: true) == [128_000])
    }

    @Test func qwen2SpecialTokens() throws {
        let t = try BytePairTestTokenizers.vocab("ggml-vocab-qwen2.gguf")
        #expect(t.bos == 151_643 && t.eos == 151_643)
        #expect(!t.addBOS && !t.ignoreMerges && t.preTokenizer == .qwen2)
        let imEnd = try #require(t.tokenId("<|im_end|>"))
        #expect(t.isEndOfGeneration(imEnd) && t.isEndOfGeneration(151_643))
        let imStart = try #require(t.tokenId("<|im_start|>"))
        #expect(!t.isEndOfGeneration(imStart))
        let ids = t.encode("<|im_start|>user\nhi<|im_end|>", addSpecial: true, parseSpecial: true)
        #expect(ids.first == imStart && ids.last == imEnd)
        #expect(t.piece(imEnd) == [] && t.piece(imEnd, special: true) == Array("<|im_end|>".utf8))
    }

    @Test func piecesAreBytes() throws {
        let t = try BytePairTestTokenizers.vocab("ggml-vocab-gpt-2.gguf")
        let hello = t.encode(" hello", addSpecial: false, parseSpecial: false)
        #expect(hello.count == 1)
        #expect(t.piece(hello[0]) == Array(" hello".utf8))
        #expect(t.tokenId("Ġhello") == hello[0])
        #expect(t.piece(-1) == [] && t.piece(Int32(t.vocabularySize)) == [])
        // An emoji split over byte tokens streams as one character.
        let rocket = t.encode("🚀", addSpecial: false, parseSpecial: false)
        #expect(rocket.count > 1)
        var stream = StreamingDetokenizer(tokenizer: t)
        let chunks = rocket.map { stream.append($0) }
        #expect(chunks.dropLast().allSatisfy(\.isEmpty) && chunks.last == "🚀")
    }

    @Test func detokenizeCleansSpacesWhereTheModelAsks() throws {
        let text = "Hello , world ! I 'm here . It ' s"
        let gpt2 = try BytePairTestTokenizers.vocab("ggml-vocab-gpt-2.gguf")
        let ids = gpt2.encode(text, addSpecial: false, parseSpecial: false)
        #expect(gpt2.decode(ids) == text)
        #expect(gpt2.detokenize(ids) == "Hello, world! I'm here. It's")
        let qwen2 = try BytePairTestTokenizers.vocab("ggml-vocab-qwen2.gguf")
        #expect(!qwen2.cleanSpaces)
        #expect(qwen2.detokenize(qwen2.encode(text, addSpecial: false, parseSpecial: false)) == text)
    }
}
