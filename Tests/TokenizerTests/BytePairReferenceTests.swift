// Token for token agreement with llama.cpp on real byte-level BPE vocabularies: llama.cpp's own
// test vectors for Llama 3, Qwen 2 and GPT-2 (no BOS, special tokens not parsed) and the prompts
// of the synthetic llama3-bpe-tiny, qwen2-tiny and qwen3-tiny models (BOS where the model asks,
// special tokens parsed). Also decoding back: every text survives encode + decode, whole and streamed.

import Foundation
import Testing
import Tokenizer

@Suite struct BytePairReferenceTests {
    static let vocabFiles = ["ggml-vocab-llama-bpe.gguf", "ggml-vocab-qwen2.gguf", "ggml-vocab-gpt-2.gguf"]

    @Test(arguments: vocabFiles)
    func llamaCppVocabVectors(name: String) throws {
        let tokenizer = try BytePairTestTokenizers.vocab(name)
        let vectors = try Fixtures.vocabVectors(name)
        #expect(vectors.count == 46)
        for v in vectors {
            let ids = tokenizer.encode(v.text, addSpecial: false, parseSpecial: false)
            #expect(ids == v.ids, "text: \(v.text.debugDescription)")
        }
    }

    @Test(arguments: vocabFiles)
    func vocabVectorsDecodeBack(name: String) throws {
        let tokenizer = try BytePairTestTokenizers.vocab(name)
        for v in try Fixtures.vocabVectors(name) {
            #expect(tokenizer.decode(v.ids) == v.text, "text: \(v.text.debugDescription)")
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            var streamed = ""
            for id in v.ids {
                let chunk = stream.append(id)
                if v.text.unicodeScalars.allSatisfy({ $0 != "\u{FFFD}" }) {
                    #expect(!chunk.unicodeScalars.contains("\u{FFFD}"), "text: \(v.text.debugDescription)")
                }
                streamed += chunk
            }
            streamed += stream.flush()
            #expect(streamed == v.text, "text: \(v.text.debugDescription)")
        }
    }

    @Test(arguments: ["llama3-bpe-tiny", "qwen2-tiny", "qwen3-tiny"])
    func syntheticModelPrompts(model: String) throws {
        let tokenizer = try BytePairTestTokenizers.synthetic(model)
        let prompts = try Fixtures.jsonLines(Fixtures.reference.appendingPathComponent("synthetic/\(model).jsonl"),
                                             as: PromptCase.self)
        #expect(prompts.count == 4)
        for p in prompts {
            let ids = tokenizer.encode(p.prompt, addSpecial: true, parseSpecial: true)
            #expect(ids == p.tokens, "prompt: \(p.prompt.prefix(60).debugDescription)")
            // Decoding gives the prompt back (BOS, a control token, decodes to nothing).
            #expect(tokenizer.decode(ids) == p.prompt)
        }
    }
}
