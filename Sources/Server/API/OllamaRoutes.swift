// ollama's API: POST /api/chat, POST /api/generate (NDJSON streams unless "stream": false),
// GET /api/tags, GET /api/version.

/// The ollama-compatible endpoints.
enum OllamaRoutes {
    /// The ollama version reported to clients (some check for a minimum).
    static let compatibleVersion = "0.11.4"

    static let routes: [Route] = [
        Route(.POST, "/api/chat", .ollama, chat),
        Route(.POST, "/api/generate", .ollama, generate),
        Route(.GET, "/api/tags", .ollama, tags),
        Route(.GET, "/api/version", .ollama, version),
    ]

    @Sendable static func version(_ request: HTTPRequest, _ core: ServerCore) throws(APIError) -> RouteOutcome {
        .response(.json(.object([("version", .string(compatibleVersion))])))
    }

    @Sendable static func tags(_ request: HTTPRequest, _ core: ServerCore) throws(APIError) -> RouteOutcome {
        let model = core.backend.model
        let family = model.family ?? ""
        let entry = JSONValue.object([
            ("name", .string(model.id)),
            ("model", .string(model.id)),
            ("modified_at", .string(Timestamps.rfc3339Now)),
            ("size", .integer(model.sizeBytes ?? 0)),
            ("digest", .string(model.digest ?? "")),
            ("details", .object([
                ("parent_model", ""),
                ("format", "gguf"),
                ("family", .string(family)),
                ("families", family.isEmpty ? nil : .array([.string(family)])),
                ("parameter_size", .string(model.parameterSize ?? "")),
                ("quantization_level", .string(model.quantization ?? "")),
            ])),
        ])
        return .response(.json(.object([("models", .array([entry]))])))
    }

    @Sendable static func chat(_ request: HTTPRequest, _ core: ServerCore) throws(APIError) -> RouteOutcome {
        let body = try request.jsonFields()
        let messages = try body.chatMessages()
        let generation = try generationRequest(body, input: .chat(messages), core: core)
        let renderer = OllamaRenderer(kind: .chat, isStreaming: try body.bool("stream") ?? true, model: core.backend.model.id)
        return .generation(GenerationPlan(request: generation, renderer: renderer))
    }

    @Sendable static func generate(_ request: HTTPRequest, _ core: ServerCore) throws(APIError) -> RouteOutcome {
        let body = try request.jsonFields()
        let prompt = try body.string("prompt") ?? ""
        let system = try body.string("system")
        let raw = try body.bool("raw") ?? false
        let stream = try body.bool("stream") ?? true
        let model = core.backend.model.id
        if prompt.isEmpty && system == nil {
            // ollama answers an empty prompt by (re)loading the model: nothing to generate.
            let loaded = JSONValue.object([
                ("model", .string(model)), ("created_at", .string(Timestamps.rfc3339Now)), ("response", ""),
                ("done", true), ("done_reason", "load"),
            ])
            return .response(.json(loaded))
        }
        let input: GenerationRequest.Input
        if raw {
            input = .text(prompt)
        } else {
            input = .chat((system.map { [ChatMessage(role: "system", content: $0)] } ?? []) + [ChatMessage(role: "user", content: prompt)])
        }
        let generation = try generationRequest(body, input: input, core: core)
        let renderer = OllamaRenderer(kind: .generate, isStreaming: stream, model: model)
        return .generation(GenerationPlan(request: generation, renderer: renderer))
    }

    /// ollama keeps sampling settings and limits under "options".
    private static func generationRequest(
        _ body: JSONFields, input: GenerationRequest.Input, core: ServerCore
    ) throws(APIError) -> GenerationRequest {
        _ = try body.string("model")
        let options = try body.object("options") ?? JSONFields(.object([]), path: "options.")
        let maxTokens = try options.tokenLimit(
            "num_predict", minimum: 0, unlimited: [-1, -2], contextLength: core.backend.contextLength)
        return GenerationRequest(
            input: input, sampling: try options.samplingParameters(), maxTokens: maxTokens, stop: try options.stopStrings())
    }
}

/// ollama's chat / generate objects, one per line when streaming.
struct OllamaRenderer: GenerationRenderer {
    enum Kind {
        case chat
        case generate
    }

    let kind: Kind
    let isStreaming: Bool
    let model: String
    private var collected = ""

    init(kind: Kind, isStreaming: Bool, model: String) {
        self.kind = kind
        self.isStreaming = isStreaming
        self.model = model
    }

    var flavor: APIFlavor { .ollama }
    var contentType: String { isStreaming ? NDJSON.contentType : "application/json; charset=utf-8" }

    private func object(text: String, done: Bool, extra: [(String, JSONValue)] = []) -> JSONValue {
        var members: [(String, JSONValue)] = [("model", .string(model)), ("created_at", .string(Timestamps.rfc3339Now))]
        switch kind {
        case .chat: members.append(("message", .object([("role", "assistant"), ("content", .string(text))])))
        case .generate: members.append(("response", .string(text)))
        }
        members.append(("done", .bool(done)))
        return .object(members + extra)
    }

    mutating func text(_ piece: String) -> [UInt8]? {
        guard isStreaming else {
            collected += piece
            return nil
        }
        return NDJSON.line(object(text: piece, done: false))
    }

    mutating func finish(_ outcome: GenerationOutcome) -> [UInt8] {
        let timings = outcome.timings
        let final = object(
            text: isStreaming ? "" : collected, done: true,
            extra: [
                ("done_reason", .string(outcome.finishReason == .length ? "length" : "stop")),
                ("total_duration", .integer(timings.totalNanoseconds)),
                ("load_duration", 0),
                ("prompt_eval_count", .integer(outcome.promptTokens)),
                ("prompt_eval_duration", .integer(timings.promptNanoseconds)),
                ("eval_count", .integer(outcome.completionTokens)),
                ("eval_duration", .integer(timings.generationNanoseconds)),
            ])
        return isStreaming ? NDJSON.line(final) : final.serializedBytes
    }

    func streamError(_ error: APIError) -> [UInt8] {
        NDJSON.line(error.body(for: .ollama))
    }
}
