// Tests of the generation loop with a scripted model and a hand-made tokenizer: batched prompt,
// streaming, every way of stopping, UTF-8 split over tokens, conversation continuation, timings.

import Testing
import Generation
import Model
import Tokenizer

@Suite struct GeneratorTests {
    let tokenizer = FakeTokenizer(["Hel", "lo", " wor", "ld", "!", " ", "a", "b"],
                                  bytes: [[0xC3], [0xA9]])   // the two bytes of "é"

    private func script(_ texts: [String]) -> [Int32] { texts.map { tokenizer.id($0) } }

    private func generator(_ model: ScriptedModel, _ sampling: SamplingParameters = .greedy) throws -> Generator {
        try Generator(model: model, tokenizer: tokenizer, sampling: sampling)
    }

    @Test func streamsTextUntilEndOfGeneration() throws {
        let prompt: [Int32] = [1, tokenizer.id("a"), tokenizer.id("b")]
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, promptLength: prompt.count,
                                  script: script(["Hel", "lo", " wor", "ld", "!"]))
        var pieces: [String] = []
        let result = try generator(model).generate(prompt: prompt) { pieces.append($0); return true }

        #expect(pieces == ["Hel", "lo", " wor", "ld", "!"])
        #expect(result.text == "Hello world!")
        #expect(result.stopReason == .endOfGeneration(0))
        #expect(result.tokens.count == 6 && result.tokens.last == 0)
        // The prompt in one batched call, then one call per generated token except the last.
        #expect(model.calls.count == 6)
        #expect(model.calls[0].tokens == prompt && model.calls[0].startPosition == 0)
        #expect(model.calls.dropFirst().map(\.startPosition) == Array(3...7))
        #expect(model.calls.dropFirst().allSatisfy { $0.tokens.count == 1 })
        #expect(result.cachedTokens == 8 && model.cache.count == 8)
        #expect(model.positionErrors.isEmpty)
        #expect(model.resets == 1)
    }

    @Test func stopsAtMaxTokens() throws {
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, promptLength: 1,
                                  script: script(["a", "b", "a", "b", "a"]))
        let result = try generator(model).generate(prompt: [1], maxTokens: 3)
        #expect(result.text == "aba")
        #expect(result.stopReason == .maxTokens)
        #expect(result.tokens.count == 3 && result.cachedTokens == 3)
    }

    @Test func maxTokensZeroOnlyFillsTheCache() throws {
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, promptLength: 3, script: script(["a"]))
        let result = try generator(model).generate(prompt: [1, 8, 9], maxTokens: 0)
        #expect(result.tokens.isEmpty && result.text.isEmpty)
        #expect(result.cachedTokens == 3 && model.cache == [1, 8, 9])
    }

    @Test func stopStringAcrossTokensIsNotEmitted() throws {
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, promptLength: 1,
                                  script: script(["Hel", "lo", " wor", "ld", "!"]))
        var pieces: [String] = []
        let result = try generator(model).generate(prompt: [1], stopStrings: ["o wo"]) {
            pieces.append($0); return true
        }
        #expect(pieces.joined() == "Hell")
        #expect(result.text == "Hell")
        #expect(result.stopReason == .stopString("o wo"))
        #expect(result.tokens.count == 3, "stops at the token that completes the stop string")
    }

    @Test func heldBackTextIsFlushedAtEndOfGeneration() throws {
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, promptLength: 1,
                                  script: script(["a", "Hel"]))
        let result = try generator(model).generate(prompt: [1], stopStrings: ["Hello"])
        #expect(result.text == "aHel")
        #expect(result.stopReason == .endOfGeneration(0))
    }

    @Test func callbackReturningFalseStops() throws {
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, promptLength: 1,
                                  script: script(["a", "b", "a", "b"]))
        var calls = 0
        let result = try generator(model).generate(prompt: [1]) { _ in calls += 1; return calls < 2 }
        #expect(calls == 2 && result.text == "ab")
        #expect(result.stopReason == .callbackStopped)
    }

    @Test func cancellationStopsBetweenTokens() throws {
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, promptLength: 1,
                                  script: script(["a", "b", "a", "b"]))
        let generator = try generator(model)
        let result = try generator.generate(prompt: [1]) { _ in generator.cancellation.cancel(); return true }
        #expect(result.stopReason == .cancelled)
        #expect(result.text == "a" && model.calls.count == 1)
        // The next call starts with the flag lowered.
        let again = try generator.generate(prompt: [1], maxTokens: 2)
        #expect(again.stopReason == .maxTokens)
    }

    @Test func cancellationDuringThePromptSamplesNothing() throws {
        let flag = CancellationFlagBox()
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, contextLength: 64) { _ in
            flag.generator?.cancellation.cancel()   // raised while the prompt runs
            return 6
        }
        let generator = try generator(model)
        flag.generator = generator
        let result = try generator.generate(prompt: [1, 8, 9])
        #expect(result.stopReason == .cancelled)
        #expect(result.tokens.isEmpty && result.cachedTokens == 3)
    }

    @Test func longPromptRunsInModelBatchesAndStopsBetweenThem() throws {
        let chunk = Generator.promptChunk
        let prompt = (0..<(2 * chunk + 100)).map { Int32(6 + $0 % 2) }
        let hel = tokenizer.id("Hel"), count = prompt.count
        // "Hel" right after the prompt, then end of generation (what it says mid-prompt is never used).
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, contextLength: 4096) { $0.count == count ? hel : 0 }
        let whole = try generator(model).generate(prompt: prompt)
        #expect(model.calls.prefix(3).map(\.tokens.count) == [chunk, chunk, 100])
        #expect(model.calls.prefix(3).map(\.startPosition) == [0, chunk, 2 * chunk])
        #expect(whole.text == "Hel" && whole.timings.promptTokens == prompt.count)

        // A stop request while the prompt runs: the batch in progress finishes, nothing is
        // sampled, and the result says how much of the prompt the cache holds.
        let stopped = ScriptedModel(vocabSize: tokenizer.vocabularySize, contextLength: 4096) { $0.count == count ? hel : 0 }
        var asked = 0
        let result = try generator(stopped).generate(prompt: prompt, onText: { _ in true }, stopRequested: { asked += 1; return true })
        #expect(result.stopReason == .cancelled)
        #expect(result.tokens.isEmpty && result.text.isEmpty)
        #expect(result.cachedTokens == chunk && stopped.cache.count == chunk)
        #expect(stopped.calls.map(\.tokens.count) == [chunk])
        #expect(stopped.positionErrors.isEmpty)
        #expect(asked == 1)   // asked before the second batch only
    }

    @Test func stopsWhenTheContextIsFull() throws {
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, contextLength: 8, promptLength: 5,
                                  script: Array(repeating: tokenizer.id("a"), count: 20))
        let result = try generator(model).generate(prompt: [1, 8, 8, 8, 8])
        #expect(result.stopReason == .contextFull)
        #expect(result.tokens.count == 4, "three run at positions 5...7, the fourth only sampled")
        #expect(result.cachedTokens == 8 && model.positionErrors.isEmpty)
    }

    @Test func rejectsPromptsThatDoNotFit() throws {
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, contextLength: 4, promptLength: 5, script: [])
        let generator = try generator(model)
        #expect(throws: GenerationError.contextOverflow(cached: 0, prompt: 5, contextLength: 4)) {
            try generator.generate(prompt: [1, 8, 8, 8, 8])
        }
        #expect(throws: GenerationError.emptyPrompt) { try generator.generate(prompt: []) }
        #expect(model.calls.isEmpty)
    }

    @Test func rejectsLogitsOfTheWrongSize() throws {
        let generator = try Generator(model: WrongSizeModel(), tokenizer: tokenizer)
        #expect(throws: GenerationError.badLogits(count: 5, expected: 4)) {
            try generator.generate(prompt: [1])
        }
    }

    @Test func characterSplitOverTokensIsEmittedWhole() throws {
        let lead = Int32(tokenizer.pieces.firstIndex(of: [0xC3])!)
        let trail = Int32(tokenizer.pieces.firstIndex(of: [0xA9])!)
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, promptLength: 1,
                                  script: [tokenizer.id("a"), lead, trail, tokenizer.id("b")])
        var pieces: [String] = []
        let result = try generator(model).generate(prompt: [1]) { pieces.append($0); return true }
        #expect(pieces == ["a", "é", "b"])
        #expect(result.text == "aéb")
    }

    @Test func continuesAConversationFromTheCache() throws {
        // The model answers "ab" after a prompt that ends in "!", "a" otherwise... always 2 tokens then EOG.
        let a = tokenizer.id("a"), b = tokenizer.id("b"), bang = tokenizer.id("!")
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, contextLength: 64) { cache in
            // After each "!" (a user turn), answer "a b" then end.
            let lastBang = cache.lastIndex(of: bang)!
            switch cache.count - lastBang - 1 {
            case 0: return a
            case 1: return b
            default: return 0
            }
        }
        let generator = try generator(model)
        let first = try generator.generate(prompt: [1, 8, bang])
        #expect(first.text == "ab" && first.cachedTokens == 5)

        // Next turn: the unrun end-of-generation token plus the new user text.
        let second = try generator.generate(prompt: [0, 9, bang], cachedTokens: first.cachedTokens)
        #expect(second.text == "ab")
        #expect(model.resets == 1, "the cache is kept")
        #expect(model.calls[first.tokens.count].startPosition == 5)
        #expect(model.calls[first.tokens.count].tokens == [0, 9, bang])
        #expect(model.cache == [1, 8, bang, a, b, 0, 9, bang, a, b])
        #expect(second.cachedTokens == 10 && model.positionErrors.isEmpty)
    }

    @Test func sampledGenerationIsReproducibleWithASeed() throws {
        func run() throws -> [Int32] {
            let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, contextLength: 64) { cache in
                Int32(6 + cache.count % 4)   // a fixed but flat-ish distribution
            }
            let sampling = SamplingParameters(temperature: 5, topK: 0, topP: 1, minP: 0, seed: 77)
            return try Generator(model: model, tokenizer: tokenizer, sampling: sampling)
                .generate(prompt: [1], maxTokens: 30).tokens
        }
        let tokens = try run()
        #expect(tokens == (try run()))
        #expect(Set(tokens).count > 3, "temperature 5 over logits of -5 and 5 spreads the draws")
    }

    @Test func reportsTimings() throws {
        let model = ScriptedModel(vocabSize: tokenizer.vocabularySize, promptLength: 4,
                                  script: script(["a", "b", "a"]))
        let result = try generator(model).generate(prompt: [1, 8, 9, 8])
        let t = result.timings
        #expect(t.promptTokens == 4 && t.generatedTokens == 4)
        #expect(t.promptSeconds >= 0 && t.generationSeconds >= 0)
        #expect(t.timeToFirstTokenSeconds >= t.promptSeconds)
        #expect(t.timeToFirstTokenSeconds <= t.promptSeconds + t.generationSeconds)
    }
}

/// A model that returns one logit too many.
private final class WrongSizeModel: LanguageModel {
    let config = makeConfig(vocabSize: 4, contextLength: 16)
    func forward(_ tokens: [Int32], startPosition: Int, allLogits: Bool) throws -> [Float] { [0, 0, 0, 0, 1] }
    func resetCache() {}
}

/// Lets a model closure reach the generator created after it.
private final class CancellationFlagBox {
    var generator: Generator?
}
