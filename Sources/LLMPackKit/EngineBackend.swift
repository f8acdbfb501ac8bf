// EngineBackend: the HTTP server's view of the engine. With one slot, the slot uses the engine's
// model. With several, each slot is a stream of one SharedDecoder over the engine's model (its own
// KV cache, all engine threads): the decoding steps of the slots generating at the same time run
// as one forward pass, so the weights are read once per step for all of them. Each slot remembers
// the tokens its cache holds (PromptCache), so a conversation that grows by one turn only runs the
// new tokens.
import ChatTemplate
import Generation
import GGUF
import Model
import Server
import Synchronization
import Tokenizer

public final class EngineBackend: CompletionBackend, @unchecked Sendable {
    public let model: ModelDescription
    public let contextLength: Int
    public let vocabularySize: Int
    let tokenizer: any Tokenizer
    let chat: ChatPrompt
    let defaults: Generation.SamplingParameters
    /// Put in front of chat requests that have no system message.
    let systemPrompt: String?
    let slots: [Slot]

    /// One slot's model and the tokens its KV cache holds.
    final class Slot: @unchecked Sendable {
        let model: any LanguageModel
        var cache = PromptCache()
        init(model: any LanguageModel) { self.model = model }

        /// Runs `body` (one generation) with the slot's stream, if it has one, marked active.
        func generating<T>(_ body: () throws -> T) rethrows -> T {
            guard let stream = model as? SharedDecoder.Stream else { return try body() }
            return try stream.whileActive(body)
        }
    }

    /// - Parameters:
    ///   - chatTemplate: a template's source to use instead of the model's (`chatTemplateOrigin` names it).
    ///   - systemPrompt: the system message for chat requests that bring none.
    public init(source: ModelSource, engine: Engine, parallel: Int, chatTemplate: String? = nil,
                chatTemplateOrigin: String = "--chat-template", systemPrompt: String? = nil,
                defaults: Generation.SamplingParameters) throws {
        tokenizer = engine.tokenizer
        chat = try ChatPrompt(gguf: source.gguf, tokenizer: engine.tokenizer, override: chatTemplate, overrideOrigin: chatTemplateOrigin)
        self.systemPrompt = systemPrompt
        contextLength = engine.contextLength
        vocabularySize = engine.vocabularySize
        self.defaults = defaults
        if parallel > 1 {
            let decoder = try SharedDecoder(engine.model)
            slots = try (0..<parallel).map { _ in Slot(model: try decoder.makeStream()) }
        } else {
            slots = [Slot(model: engine.model)]
        }
        let manifest = source.manifest
        model = ModelDescription(id: manifest?.model.name ?? source.gguf.string("general.name") ?? "model",
                                 family: source.gguf.architecture,
                                 parameterSize: manifest.map { ModelInfo.approximate($0.model.parameterCount) },
                                 quantization: source.gguf.string("general.file_type_name"),
                                 sizeBytes: source.tensorData.count,
                                 digest: manifest?.source.sha256)
    }

    public func tokenize(_ text: String, addSpecial: Bool, parseSpecial: Bool) throws -> [Int32] {
        tokenizer.encode(text, addSpecial: addSpecial, parseSpecial: parseSpecial)
    }

    public func detokenize(_ tokens: [Int32]) throws -> String {
        guard tokens.allSatisfy({ $0 >= 0 && Int($0) < vocabularySize }) else {
            throw BackendError.invalidRequest("token ids must be between 0 and \(vocabularySize - 1)")
        }
        return tokenizer.decode(tokens)
    }

    public func generate(_ request: GenerationRequest, slot index: Int, cancel: CancellationToken,
                         onEvent: (GenerationEvent) -> Void) throws {
        let slot = slots[index % slots.count]
        let prompt: [Int32]
        switch request.input {
        case .chat(let messages):
            var conversation = messages.map { TemplateMessage(role: $0.role, content: $0.content) }
            if let systemPrompt, !conversation.contains(where: { $0.role == "system" }) {
                conversation.insert(TemplateMessage(role: "system", content: systemPrompt), at: 0)
            }
            prompt = try chat.tokens(conversation)
        case .text(let text):
            prompt = tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        case .tokens(let ids):
            guard ids.allSatisfy({ $0 >= 0 && Int($0) < vocabularySize }) else {
                throw BackendError.invalidRequest("token ids must be between 0 and \(vocabularySize - 1)")
            }
            prompt = ids
        }
        guard !prompt.isEmpty else { throw BackendError.invalidRequest("the prompt is empty") }
        guard prompt.count < contextLength else {
            throw BackendError.promptTooLong(promptTokens: prompt.count, contextLength: contextLength)
        }

        // Reuse the cached prefix; run at least one new token to get logits.
        let reuse = slot.cache.reusable(for: prompt, model: slot.model)
        let generator = try Generator(model: slot.model, tokenizer: tokenizer, sampling: sampling(request.sampling))
        var room = contextLength - prompt.count
        if let maxTokens = request.maxTokens { room = min(room, max(0, maxTokens)) }
        slot.cache.invalidate()
        let result = try slot.generating {
            try generator.generate(prompt: Array(prompt[reuse...]), cachedTokens: reuse, maxTokens: room) { text in
                if cancel.isCancelled { return false }
                onEvent(.text(text))
                return !cancel.isCancelled
            } stopRequested: {
                cancel.isCancelled   // the client left while a long prompt runs
            }
        }
        slot.cache.update(prompt: prompt, result: result)
        let reason: FinishReason
        switch result.stopReason {
        case .endOfGeneration, .stopString: reason = .stop
        case .maxTokens, .contextFull: reason = .length
        case .callbackStopped, .cancelled: reason = .cancelled
        }
        onEvent(.finished(GenerationSummary(finishReason: reason, promptTokens: prompt.count, completionTokens: result.tokens.count)))
    }

    func sampling(_ s: Server.SamplingParameters) -> Generation.SamplingParameters {
        var p = defaults
        if let v = s.temperature { p.temperature = Float(v) }
        if let v = s.topP { p.topP = Float(v) }
        if let v = s.topK { p.topK = v }
        if let v = s.minP { p.minP = Float(v) }
        if let v = s.presencePenalty { p.presencePenalty = Float(v) }
        if let v = s.frequencyPenalty { p.frequencyPenalty = Float(v) }
        if let v = s.repeatPenalty { p.repeatPenalty = Float(v) }
        p.seed = s.seed ?? defaults.seed
        return p
    }
}
