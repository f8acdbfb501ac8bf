// llama.cpp's server API: GET /health, POST /completion, POST /tokenize, POST /detokenize.

/// The llama.cpp-compatible endpoints.
enum LlamaCppRoutes {
    static let routes: [Route] = [
        Route(.GET, "/health", .llamaCpp, isPublic: true, health),
        Route(.GET, "/v1/health", .llamaCpp, isPublic: true, health),
        Route(.POST, "/completion", .llamaCpp, completion),
        Route(.POST, "/tokenize", .llamaCpp, tokenize),
        Route(.POST, "/detokenize", .llamaCpp, detokenize),
    ]

    @Sendable static func health(_ request: HTTPRequest, _ core: ServerCore) throws(APIError) -> RouteOutcome {
        let status = core.scheduler.status
        return .response(.json(.object([
            ("status", "ok"),
            ("slots_idle", .integer(status.slots - status.running)),
            ("slots_processing", .integer(status.running)),
        ])))
    }

    @Sendable static func completion(_ request: HTTPRequest, _ core: ServerCore) throws(APIError) -> RouteOutcome {
        let body = try request.jsonFields()
        let input = try body.prompt(vocabularySize: core.backend.vocabularySize)
        let maxTokens = try body.tokenLimit("n_predict", minimum: 0, unlimited: [-1], contextLength: core.backend.contextLength)
        let generation = GenerationRequest(
            input: input, sampling: try body.samplingParameters(), maxTokens: maxTokens, stop: try body.stopStrings())
        let renderer = LlamaCppRenderer(isStreaming: try body.bool("stream") ?? false, model: core.backend.model.id)
        return .generation(GenerationPlan(request: generation, renderer: renderer))
    }

    @Sendable static func tokenize(_ request: HTTPRequest, _ core: ServerCore) throws(APIError) -> RouteOutcome {
        let body = try request.jsonFields()
        guard let content = try body.string("content") else { throw .invalidRequest("'content' is required") }
        let addSpecial = try body.bool("add_special") ?? false
        let parseSpecial = try body.bool("parse_special") ?? true
        let withPieces = try body.bool("with_pieces") ?? false
        let backend = core.backend
        let tokens = try core.callBackend { try backend.tokenize(content, addSpecial: addSpecial, parseSpecial: parseSpecial) }
        let list: [JSONValue]
        if withPieces {
            list = try tokens.map { token throws(APIError) in
                let piece = try core.callBackend { try backend.detokenize([token]) }
                return .object([("id", .integer(Int(token))), ("piece", .string(piece))])
            }
        } else {
            list = tokens.map { .integer(Int($0)) }
        }
        return .response(.json(.object([("tokens", .array(list))])))
    }

    @Sendable static func detokenize(_ request: HTTPRequest, _ core: ServerCore) throws(APIError) -> RouteOutcome {
        let body = try request.jsonFields()
        guard let elements = try body.array("tokens") else { throw .invalidRequest("'tokens' is required") }
        let tokens = try JSONFields.tokenIds(elements, field: "tokens", vocabularySize: core.backend.vocabularySize)
        let backend = core.backend
        let content = try core.callBackend { try backend.detokenize(tokens) }
        return .response(.json(.object([("content", .string(content))])))
    }
}

/// llama.cpp's /completion answer: `{"content", "stop", ...}` objects, streamed as SSE.
struct LlamaCppRenderer: GenerationRenderer {
    let isStreaming: Bool
    let model: String
    private var collected = ""

    init(isStreaming: Bool, model: String) {
        self.isStreaming = isStreaming
        self.model = model
    }

    var flavor: APIFlavor { .llamaCpp }
    var contentType: String { isStreaming ? ServerSentEvents.contentType : "application/json; charset=utf-8" }

    mutating func text(_ piece: String) -> [UInt8]? {
        guard isStreaming else {
            collected += piece
            return nil
        }
        return ServerSentEvents.event(.object([("index", 0), ("content", .string(piece)), ("stop", false)]))
    }

    mutating func finish(_ outcome: GenerationOutcome) -> [UInt8] {
        let stopType: String
        if outcome.stoppingWord != nil {
            stopType = "word"
        } else {
            stopType = outcome.finishReason == .length ? "limit" : "eos"
        }
        let promptMs = Double(outcome.timings.promptNanoseconds) / 1e6
        let predictedMs = Double(outcome.timings.generationNanoseconds) / 1e6
        let final = JSONValue.object([
            ("index", 0),
            ("content", .string(isStreaming ? "" : collected)),
            ("stop", true),
            ("model", .string(model)),
            ("tokens_predicted", .integer(outcome.completionTokens)),
            ("tokens_evaluated", .integer(outcome.promptTokens)),
            ("stop_type", .string(stopType)),
            ("stopping_word", .string(outcome.stoppingWord ?? "")),
            ("truncated", false),
            ("timings", .object([
                ("prompt_n", .integer(outcome.promptTokens)),
                ("prompt_ms", .number(promptMs)),
                ("predicted_n", .integer(outcome.completionTokens)),
                ("predicted_ms", .number(predictedMs)),
                ("predicted_per_second",
                 .number(predictedMs > 0 ? Double(outcome.completionTokens) * 1000 / predictedMs : 0)),
            ])),
        ])
        return isStreaming ? ServerSentEvents.event(final) : final.serializedBytes
    }

    func streamError(_ error: APIError) -> [UInt8] {
        ServerSentEvents.event(error.body(for: .llamaCpp))
    }
}
