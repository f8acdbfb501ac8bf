// OpenAI's API: POST /v1/chat/completions, POST /v1/completions, GET /v1/models.

/// The OpenAI-compatible endpoints.
enum OpenAIRoutes {
    static let routes: [Route] = [
        Route(.POST, "/v1/chat/completions", .openAI, chatCompletions),
        Route(.POST, "/chat/completions", .openAI, chatCompletions),
        Route(.POST, "/v1/completions", .openAI, completions),
        Route(.POST, "/completions", .openAI, completions),
        Route(.GET, "/v1/models", .openAI, models),
        Route(.GET, "/models", .openAI, models),
    ]

    @Sendable static func models(_ request: HTTPRequest, _ core: ServerCore) throws(APIError) -> RouteOutcome {
        .response(.json(.object([
            ("object", "list"),
            ("data", .array([
                .object([
                    ("id", .string(core.backend.model.id)),
                    ("object", "model"),
                    ("created", .integer(Timestamps.unixSeconds)),
                    ("owned_by", "llmpack"),
                ])
            ])),
        ])))
    }

    @Sendable static func chatCompletions(_ request: HTTPRequest, _ core: ServerCore) throws(APIError) -> RouteOutcome {
        let body = try request.jsonFields()
        let messages = try body.chatMessages()
        let (generation, stream, includeUsage) = try commonFields(body, input: .chat(messages), core: core)
        let renderer = OpenAIRenderer(
            kind: .chat, isStreaming: stream, includeUsage: includeUsage, model: core.backend.model.id)
        return .generation(GenerationPlan(request: generation, renderer: renderer))
    }

    @Sendable static func completions(_ request: HTTPRequest, _ core: ServerCore) throws(APIError) -> RouteOutcome {
        let body = try request.jsonFields()
        let input = try body.prompt(vocabularySize: core.backend.vocabularySize)
        let (generation, stream, includeUsage) = try commonFields(body, input: input, core: core)
        let renderer = OpenAIRenderer(
            kind: .completion, isStreaming: stream, includeUsage: includeUsage, model: core.backend.model.id)
        return .generation(GenerationPlan(request: generation, renderer: renderer))
    }

    /// The fields chat and text completions share.
    private static func commonFields(
        _ body: JSONFields, input: GenerationRequest.Input, core: ServerCore
    ) throws(APIError) -> (GenerationRequest, stream: Bool, includeUsage: Bool) {
        _ = try body.string("model")
        if let n = try body.int("n", in: Int.min...Int.max), n != 1 {
            throw .invalidRequest("'n' must be 1: one choice per request is supported, got \(n)")
        }
        let contextLength = core.backend.contextLength
        var maxTokens = try body.tokenLimit("max_completion_tokens", minimum: 1, contextLength: contextLength)
        if maxTokens == nil { maxTokens = try body.tokenLimit("max_tokens", minimum: 1, contextLength: contextLength) }
        let generation = GenerationRequest(
            input: input, sampling: try body.samplingParameters(), maxTokens: maxTokens, stop: try body.stopStrings())
        let stream = try body.bool("stream") ?? false
        let includeUsage = try body.object("stream_options")?.bool("include_usage") ?? false
        return (generation, stream, includeUsage)
    }
}

/// OpenAI's chat.completion / text_completion objects and their streamed chunks.
struct OpenAIRenderer: GenerationRenderer {
    enum Kind {
        case chat
        case completion
    }

    let kind: Kind
    let isStreaming: Bool
    let includeUsage: Bool
    let model: String
    let id: String
    let created = Timestamps.unixSeconds
    private var collected = ""
    private var roleSent = false

    init(kind: Kind, isStreaming: Bool, includeUsage: Bool, model: String) {
        self.kind = kind
        self.isStreaming = isStreaming
        self.includeUsage = includeUsage
        self.model = model
        self.id = Timestamps.responseId(prefix: kind == .chat ? "chatcmpl-" : "cmpl-")
    }

    var flavor: APIFlavor { .openAI }
    var contentType: String { isStreaming ? ServerSentEvents.contentType : "application/json; charset=utf-8" }

    private var objectName: String {
        switch (kind, isStreaming) {
        case (.chat, false): return "chat.completion"
        case (.chat, true): return "chat.completion.chunk"
        case (.completion, _): return "text_completion"
        }
    }

    private func envelope(choices: [JSONValue], usage: JSONValue? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("object", .string(objectName)), ("created", .integer(created)),
            ("model", .string(model)), ("system_fingerprint", "llmpack"), ("choices", .array(choices)),
        ]
        if let usage { members.append(("usage", usage)) }
        return .object(members)
    }

    /// One streamed choice: a delta (chat) or a text piece (completion).
    private func streamChoice(delta: [(String, JSONValue)], text: String, finishReason: FinishReason?) -> JSONValue {
        let reason = JSONValue.optional(finishReason.map(\.openAIName))
        switch kind {
        case .chat:
            return .object([("index", 0), ("delta", .object(delta)), ("logprobs", nil), ("finish_reason", reason)])
        case .completion:
            return .object([("index", 0), ("text", .string(text)), ("logprobs", nil), ("finish_reason", reason)])
        }
    }

    /// Chat streams open with a chunk carrying the assistant role.
    private mutating func roleChunk() -> [UInt8] {
        guard kind == .chat, !roleSent else { return [] }
        roleSent = true
        let delta: [(String, JSONValue)] = [("role", "assistant"), ("content", "")]
        return ServerSentEvents.event(envelope(choices: [streamChoice(delta: delta, text: "", finishReason: nil)]))
    }

    mutating func text(_ piece: String) -> [UInt8]? {
        guard isStreaming else {
            collected += piece
            return nil
        }
        let chunk = envelope(choices: [streamChoice(delta: [("content", .string(piece))], text: piece, finishReason: nil)])
        return roleChunk() + ServerSentEvents.event(chunk)
    }

    mutating func finish(_ outcome: GenerationOutcome) -> [UInt8] {
        let usage = JSONValue.object([
            ("prompt_tokens", .integer(outcome.promptTokens)),
            ("completion_tokens", .integer(outcome.completionTokens)),
            ("total_tokens", .integer(outcome.promptTokens + outcome.completionTokens)),
        ])
        guard isStreaming else {
            let choice: JSONValue
            switch kind {
            case .chat:
                choice = .object([
                    ("index", 0),
                    ("message", .object([("role", "assistant"), ("content", .string(collected))])),
                    ("logprobs", nil),
                    ("finish_reason", .string(outcome.finishReason.openAIName)),
                ])
            case .completion:
                choice = .object([
                    ("index", 0), ("text", .string(collected)), ("logprobs", nil),
                    ("finish_reason", .string(outcome.finishReason.openAIName)),
                ])
            }
            return envelope(choices: [choice], usage: usage).serializedBytes
        }
        var bytes = roleChunk()
        let last = envelope(choices: [streamChoice(delta: [], text: "", finishReason: outcome.finishReason)])
        bytes += ServerSentEvents.event(last)
        if includeUsage { bytes += ServerSentEvents.event(envelope(choices: [], usage: usage)) }
        return bytes + ServerSentEvents.done
    }

    func streamError(_ error: APIError) -> [UInt8] {
        ServerSentEvents.event(error.body(for: .openAI)) + ServerSentEvents.done
    }
}

extension FinishReason {
    /// "stop" or "length" (a cancelled generation that the server did not end is "stop").
    var openAIName: String { self == .length ? "length" : "stop" }
}
