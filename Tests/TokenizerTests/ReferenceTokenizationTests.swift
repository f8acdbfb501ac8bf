// Token for token agreement with llama.cpp on real vocabularies: Gemma 3 (262,144 tokens, BOS added,
// special tokens parsed), llama.cpp's own test vectors for the Llama 2 and Phi-3 SentencePiece
// vocabularies (no BOS, specials not parsed), and the prompts of the synthetic llama-spm model.
// Also decoding back: every text survives encode + decode, in one piece and streamed.

import Foundation
import Testing
import Tokenizer

@Suite struct ReferenceTokenizationTests {
    static let gemma = TestTokenizers.gemmaAvailable
    static let gemmaCases = Fixtures.reference.appendingPathComponent("gemma3-270m/tokenizer.jsonl")
    static let gemmaPrompts = Fixtures.reference.appendingPathComponent("gemma3-270m/logits.jsonl")
    static let perplexityText = Fixtures.reference.appendingPathComponent("gemma3-270m/perplexity-text.txt")
    static let spmTinyPrompts = Fixtures.reference.appendingPathComponent("synthetic/llama-spm-tiny.jsonl")

    @Test(.enabled(if: gemma, TestTokenizers.gemmaMissing))
    func gemmaMatchesLlamaCpp() throws {
        let tokenizer = try TestTokenizers.gemma()
        let cases = try Fixtures.jsonLines(Self.gemmaCases, as: TokenizationCase.self)
        #expect(cases.count == 54)
        for c in cases {
            #expect(tokenizer.encode(c.text, addSpecial: true, parseSpecial: true) == c.ids, "text: \(c.text.debugDescription)")
        }
        let prompts = try Fixtures.jsonLines(Self.gemmaPrompts, as: PromptCase.self)
        #expect(!prompts.isEmpty)
        for p in prompts {
            #expect(tokenizer.encode(p.prompt, addSpecial: true, parseSpecial: true) == p.tokens, "prompt: \(p.prompt.prefix(60).debugDescription)")
        }
    }

    @Test(.enabled(if: gemma, TestTokenizers.gemmaMissing))
    func gemmaSpecialTokens() throws {
        let tokenizer = try TestTokenizers.gemma()
        #expect(tokenizer.vocabularySize == 262_144)
        #expect(tokenizer.bos == 2)
        #expect(tokenizer.eos == 1)
        #expect(tokenizer.tokenId("<end_of_turn>") == 106)
        #expect(tokenizer.tokenId("<start_of_turn>") == 105)
        #expect(tokenizer.isEndOfGeneration(1))
        #expect(tokenizer.isEndOfGeneration(106))
        #expect(!tokenizer.isEndOfGeneration(2))
        #expect(!tokenizer.isEndOfGeneration(105))
        #expect(tokenizer.piece(105) == [])
        #expect(tokenizer.piece(105, special: true) == Array("<start_of_turn>".utf8))
        #expect(tokenizer.piece(107) == [0x0A])
        #expect(tokenizer.piece(26352) == Array(" Hello".utf8))
        // Without parsing specials, control-token text is plain text; user-defined tokens still match.
        let plain = tokenizer.encode("<start_of_turn>\n", addSpecial: false, parseSpecial: false)
        #expect(!plain.contains(105))
        #expect(plain.last == 107)
    }

    @Test(.enabled(if: gemma, TestTokenizers.gemmaMissing))
    func gemmaDecodesWhatItEncodes() throws {
        let tokenizer = try TestTokenizers.gemma()
        var texts = try Fixtures.jsonLines(Self.gemmaCases, as: TokenizationCase.self).map(\.text)
        texts.append(try String(contentsOf: Self.perplexityText, encoding: .utf8))
        for text in texts {
            let ids = tokenizer.encode(text, addSpecial: true, parseSpecial: false)
            #expect(tokenizer.decode(ids) == text)
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            var streamed = ""
            for id in ids {
                let chunk = stream.append(id)
                #expect(!chunk.unicodeScalars.contains("\u{FFFD}"))
                streamed += chunk
            }
            streamed += stream.flush()
            #expect(streamed == text)
        }
        // Special tokens decode to nothing for display and to their text on request.
        let ids = tokenizer.encode("<start_of_turn>user\nhi<end_of_turn>\n", addSpecial: true, parseSpecial: true)
        #expect(tokenizer.decode(ids) == "user\nhi\n")
        #expect(tokenizer.decode(ids, special: true) == "<bos><start_of_turn>user\nhi<end_of_turn>\n")
    }

    @Test(.enabled(if: gemma, TestTokenizers.gemmaMissing))
    func emojiSplitOverByteTokensStreamsWhole() throws {
        let tokenizer = try TestTokenizers.gemma()
        // A character outside the vocabulary falls back to one byte token per UTF-8 byte.
        let text = "\u{10FFFD}x"
        let ids = tokenizer.encode(text, addSpecial: false, parseSpecial: false)
        #expect(ids.count == 5)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        let chunks = ids.map { stream.append($0) }
        #expect(chunks == ["", "", "", "\u{10FFFD}", "x"])
    }

    @Test(arguments: ["ggml-vocab-llama-spm.gguf", "ggml-vocab-phi-3.gguf"])
    func llamaCppVocabVectors(name: String) throws {
        let tokenizer = try TestTokenizers.vocab(name)
        let vectors = try Fixtures.vocabVectors(name)
        #expect(vectors.count == 46)
        for v in vectors {
            let ids = tokenizer.encode(v.text, addSpecial: false, parseSpecial: false)
            #expect(ids == v.ids, "text: \(v.text.debugDescription)")
            #expect(tokenizer.detokenize(ids) == v.text, "text: \(v.text.debugDescription)")
        }
    }

    @Test func llamaSpmTinyPrompts() throws {
        let tokenizer = try TestTokenizers.vocab("ggml-vocab-llama-spm.gguf")
        let prompts = try Fixtures.jsonLines(Self.spmTinyPrompts, as: PromptCase.self)
        #expect(prompts.count == 4)
        for p in prompts {
            #expect(tokenizer.encode(p.prompt, addSpecial: true, parseSpecial: true) == p.tokens, "prompt: \(p.prompt.prefix(60).debugDescription)")
        }
    }
}
