// Perplexity of the real gemma-3-270m over the GPL-3 text at context 512, computed the way
// llama-perplexity does (see ../shared/reference/gemma3-270m/README.md): llama.cpp reports
// 13.9062; we must land within 1 %.

import Foundation
import Model
import Testing
import Tokenizer

// Part of the serialized Gemma3ReferenceTests suite: all real-model tests share one model.
extension Gemma3ReferenceTests {
    @Test func perplexityAtContext512MatchesLlamaCpp() throws {
        guard let loaded = try LoadedModel.gemma() else { return }
        let model = loaded.model
        let vocab = model.config.vocabSize
        let tokenizer = try TokenizerLoader.load(from: loaded.gguf)
        let text = try String(contentsOf: TestPaths.gemmaReference.appendingPathComponent("perplexity-text.txt"),
                              encoding: .utf8)
        let bos = try #require(tokenizer.bos)

        // Tokenize once with BOS; 14 whole chunks of 512, the rest dropped.
        let tokens = tokenizer.encode(text, addSpecial: true, parseSpecial: false)
        let context = 512, chunks = tokens.count / context
        #expect(chunks == 14)

        var negativeLogLikelihood = 0.0, predictions = 0
        for c in 0..<chunks {
            var chunk = Array(tokens[c * context..<(c + 1) * context])
            chunk[0] = bos
            model.resetCache()
            // Positions 0..<256 only fill the cache; positions 256...510 are scored, each
            // predicting the next token of the chunk (in three calls, to keep logits small).
            _ = try model.forward(Array(chunk[0..<context / 2]), startPosition: 0, allLogits: false)
            var start = context / 2
            while start < context - 1 {
                let end = min(start + 85, context - 1)
                let logits = try model.forward(Array(chunk[start..<end]), startPosition: start, allLogits: true)
                for i in start..<end {
                    let row = logits[(i - start) * vocab..<(i - start + 1) * vocab]
                    negativeLogLikelihood += logSumExp(row) - Double(row[row.startIndex + Int(chunk[i + 1])])
                    predictions += 1
                }
                start = end
            }
        }
        let perplexity = exp(negativeLogLikelihood / Double(predictions))
        print(String(format: "gemma3 perplexity at context 512: %.4f over %d predictions (llama.cpp 13.9062, %+.2f %%)",
                     perplexity, predictions, (perplexity / 13.9062 - 1) * 100))
        #expect(predictions == 14 * 255)
        #expect(abs(perplexity / 13.9062 - 1) <= 0.01)
    }
}
