// The real gemma-3-270m Q4_K_M model against llama.cpp's reference logits, greedy continuations
// and perplexity (../shared/reference/gemma3-270m). Skipped, with a message, when the model file
// is missing.

import Foundation
import Model
import Testing

/// Every test that runs the shared real model lives in this suite (or its extensions), which runs
/// its tests one at a time: the model and its KV cache are not thread-safe.
@Suite(.serialized)
struct Gemma3ReferenceTests {
    /// Every prompt with allLogits: the 10 listed ids and logsumexp at every position, pooled.
    @Test func promptLogitsMatchLlamaCpp() throws {
        guard let loaded = try LoadedModel.gemma() else { return }
        let model = loaded.model
        let vocab = model.config.vocabSize
        var comparison = LogitComparison()
        for (p, reference) in try ReferencePrompt.loadAll().enumerated() {
            model.resetCache()
            // Long prompts in pieces of 256 tokens, so that the logits of one call stay small.
            var start = 0
            while start < reference.tokens.count {
                let end = min(start + 256, reference.tokens.count)
                let logits = try model.forward(Array(reference.tokens[start..<end]), startPosition: start, allLogits: true)
                #expect(logits.count == (end - start) * vocab)
                for i in start..<end {
                    let row = logits[(i - start) * vocab..<(i - start + 1) * vocab]
                    comparison.add(row, reference.positions[i], label: "prompt \(p) position \(i)")
                }
                start = end
            }
        }
        print("gemma3 prompt logits vs llama.cpp: \(comparison.summary)")
        #expect(comparison.logitMean <= 0.35)
        #expect(comparison.logitDiffMax <= 5)
        #expect(comparison.lseMean <= 0.35)
        #expect(comparison.lseDiffMax <= 5)
        #expect(comparison.confidentMismatches.isEmpty, "\(comparison.confidentMismatches)")
    }

    /// The long prompt in one call: batches of 512 inside forward, only the last row returned.
    @Test func longPromptInOneCallGivesLastRow() throws {
        guard let loaded = try LoadedModel.gemma() else { return }
        let model = loaded.model
        let reference = try #require(try ReferencePrompt.loadAll().max { $0.tokens.count < $1.tokens.count })
        model.resetCache()
        let logits = try model.forward(reference.tokens, startPosition: 0, allLogits: false)
        #expect(logits.count == model.config.vocabSize)
        var comparison = LogitComparison()
        comparison.add(logits[...], reference.positions.last!, label: "last position")
        print("gemma3 long prompt (\(reference.tokens.count) tokens, one call), last row: \(comparison.summary)")
        #expect(comparison.logitDiffMax <= 5)
        #expect(comparison.confidentMismatches.isEmpty, "\(comparison.confidentMismatches)")
    }

    /// Decoding through the KV cache one token at a time: teacher forced with llama.cpp's greedy
    /// tokens, then free-running greedy up to the first near-tie.
    @Test func greedyDecodingMatchesLlamaCpp() throws {
        guard let loaded = try LoadedModel.gemma() else { return }
        let model = loaded.model
        var comparison = LogitComparison()
        var freeRunAgreed = 0, freeRunChecked = 0
        for (p, reference) in try ReferencePrompt.loadAll().enumerated() {
            // Teacher forced.
            model.resetCache()
            var last = try model.forward(reference.tokens, startPosition: 0, allLogits: false)
            var position = reference.tokens.count
            for (g, token) in reference.greedy.enumerated() {
                last = try model.forward([token], startPosition: position, allLogits: false)
                position += 1
                comparison.add(last[...], reference.greedy_steps[g], label: "prompt \(p) greedy step \(g)")
            }

            // Free running, compared while llama.cpp's choice is clear (gap ≥ 0.5).
            model.resetCache()
            last = try model.forward(reference.tokens, startPosition: 0, allLogits: false)
            position = reference.tokens.count
            let gaps = [reference.positions.last!.gap] + reference.greedy_steps.map(\.gap)
            for (g, expected) in reference.greedy.enumerated() {
                guard gaps[g] >= 0.5 else { break }
                let ours = argmax(last[...])
                freeRunChecked += 1
                #expect(ours == expected, "prompt \(p): free-running greedy token \(g) is \(ours), llama.cpp \(expected)")
                guard ours == expected else { break }
                freeRunAgreed += 1
                last = try model.forward([ours], startPosition: position, allLogits: false)
                position += 1
            }
        }
        print("gemma3 greedy steps (teacher forced) vs llama.cpp: \(comparison.summary); "
            + "free-running greedy agreed on \(freeRunAgreed) of \(freeRunChecked) clear steps")
        #expect(comparison.logitMean <= 0.35)
        #expect(comparison.logitDiffMax <= 5)
        #expect(comparison.lseMean <= 0.35)
        #expect(comparison.lseDiffMax <= 5)
        #expect(comparison.confidentMismatches.isEmpty, "\(comparison.confidentMismatches)")
    }
}
