// Generator: the generation loop. Runs the new prompt tokens in batched forward calls (of the
// model's own batch size, so a long prompt can be interrupted between them), then samples token
// by token, streaming whole UTF-8 text to a callback, until an end-of-generation
// token, the token limit, a stop string, a full context, the callback or a cancellation stops it.
// The KV cache is kept between calls, so a conversation continues where it left off.

import Model
import Tokenizer

/// Generates text with a language model, a tokenizer and a sampler.
public final class Generator {
    /// The model that computes logits (its KV cache carries the conversation).
    public let model: any LanguageModel
    /// The tokenizer that turns tokens into text and knows the end-of-generation tokens.
    public let tokenizer: any Tokenizer
    /// The sampler; its penalty history lives as long as the conversation.
    public private(set) var sampler: Sampler
    /// Raise it (from any thread) to stop the generation in progress before its next token.
    public let cancellation = CancellationFlag()
    /// Prompt tokens per forward call: the transformer's own batch size, so the cut changes
    /// nothing in the numbers, only where a stop request is looked at.
    public static let promptChunk = 512

    /// Creates a generator; throws when the sampling parameters cannot be meant.
    public init(model: any LanguageModel, tokenizer: any Tokenizer,
                sampling: SamplingParameters = SamplingParameters()) throws {
        try sampling.validate()
        self.model = model
        self.tokenizer = tokenizer
        self.sampler = Sampler(parameters: sampling)
    }

    /// Runs `prompt` after the `cachedTokens` tokens already in the model's cache, then generates.
    ///
    /// - Parameters:
    ///   - prompt: the new tokens (at least one). With `cachedTokens == 0` this is the whole
    ///     prompt, and the model's cache and the sampler's history are reset first.
    ///   - cachedTokens: how many tokens of the conversation the model's KV cache holds; the
    ///     prompt is run at positions `cachedTokens...`. Use the previous result's `cachedTokens`.
    ///   - maxTokens: the most tokens to sample; `nil` means until the context is full. `0` only
    ///     runs the prompt into the cache.
    ///   - stopStrings: text that ends generation; it is matched across token boundaries and never
    ///     passed to `onText`.
    ///   - onText: receives each new piece of text (never empty); return false to stop.
    ///   - stopRequested: asked between prompt batches (a long prompt takes seconds); true stops
    ///     the generation as `.cancelled`, with the cache holding the prompt tokens run so far.
    public func generate(
        prompt: [Int32],
        cachedTokens: Int = 0,
        maxTokens: Int? = nil,
        stopStrings: [String] = [],
        onText: (String) -> Bool = { _ in true },
        stopRequested: () -> Bool = { false }
    ) throws -> GenerationResult {
        let clock = ContinuousClock()
        let start = clock.now
        cancellation.reset()

        let contextLength = model.config.contextLength
        let vocabSize = model.config.vocabSize
        guard !prompt.isEmpty else { throw GenerationError.emptyPrompt }
        guard cachedTokens >= 0, cachedTokens <= contextLength else {
            throw GenerationError.invalidParameter("cachedTokens = \(cachedTokens): must be between 0 and the context length \(contextLength)")
        }
        if let maxTokens, maxTokens < 0 {
            throw GenerationError.invalidParameter("maxTokens = \(maxTokens): must not be negative")
        }
        guard prompt.count <= contextLength - cachedTokens else {
            throw GenerationError.contextOverflow(cached: cachedTokens, prompt: prompt.count, contextLength: contextLength)
        }
        if cachedTokens == 0 {
            model.resetCache()
            sampler.reset()
        }

        // The prompt, in batched calls; a stop request is honoured between them.
        var logits: [Float] = []
        var position = cachedTokens
        var promptStopped = false
        for chunk in stride(from: 0, to: prompt.count, by: Self.promptChunk) {
            if chunk > 0 && (stopRequested() || cancellation.isCancelled) { promptStopped = true; break }
            let tokens = Array(prompt[chunk..<min(chunk + Self.promptChunk, prompt.count)])
            logits = try model.forward(tokens, startPosition: position, allLogits: false)
            position += tokens.count
            sampler.accept(contentsOf: tokens)
        }
        let promptEnd = clock.now

        var timings = GenerationTimings(promptTokens: position - cachedTokens, promptSeconds: seconds(promptEnd - start))
        var tokens: [Int32] = []
        var text = ""
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        var stops = StopStringMatcher(stopStrings: stopStrings)
        var reason: StopReason? = promptStopped ? .cancelled : nil

        /// Passes text through the stop matcher to the callback; false once generation must end.
        func emit(_ piece: String, final: Bool) -> Bool {
            var out = stops.append(piece)
            if final { out += stops.finish() }
            if !out.isEmpty {
                text += out
                if !onText(out) { reason = reason ?? .callbackStopped; return false }
            }
            if stops.stopped { reason = .stopString(stops.matched ?? ""); return false }
            return true
        }

        if maxTokens == 0, reason == nil { reason = .maxTokens }
        while reason == nil {
            if cancellation.isCancelled { reason = .cancelled; break }
            guard vocabSize > 0, logits.count == vocabSize else {
                throw GenerationError.badLogits(count: logits.count, expected: vocabSize)
            }
            let token = logits.withUnsafeMutableBufferPointer { sampler.sample(logits: $0) }
            if tokens.isEmpty { timings.timeToFirstTokenSeconds = seconds(clock.now - start) }
            tokens.append(token)
            sampler.accept(token)

            if tokenizer.isEndOfGeneration(token) { reason = .endOfGeneration(token); break }
            if !emit(detokenizer.append(token), final: false) { break }
            if let maxTokens, tokens.count >= maxTokens { reason = .maxTokens; break }
            if cancellation.isCancelled { reason = .cancelled; break }
            if position >= contextLength { reason = .contextFull; break }

            logits = try model.forward([token], startPosition: position, allLogits: false)
            position += 1
        }

        // Text still held back (an incomplete character, a possible stop-string start) goes out
        // unless the callback or a stop string ended generation.
        switch reason {
        case .callbackStopped?, .stopString?: break
        default: _ = emit(detokenizer.flush(), final: true)
        }

        timings.generatedTokens = tokens.count
        timings.generationSeconds = seconds(clock.now - promptEnd)
        return GenerationResult(tokens: tokens, text: text, stopReason: reason ?? .maxTokens,
                                cachedTokens: position, timings: timings)
    }

    private func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
