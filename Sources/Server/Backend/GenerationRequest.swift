// What one generation asks for: the input (chat messages, raw text or token ids), how to
// sample, and when to stop. Built by the API routes from OpenAI, llama.cpp or ollama requests.

/// One message of a chat conversation.
public struct ChatMessage: Sendable, Equatable {
    /// "system", "user", "assistant" or "tool" (OpenAI's "developer" arrives as "system").
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// The sampling settings of a request; `nil` means "the backend's default".
public struct SamplingParameters: Sendable, Equatable {
    /// 0 means greedy.
    public var temperature: Double?
    public var topP: Double?
    /// 0 means disabled.
    public var topK: Int?
    public var minP: Double?
    /// A fixed seed for reproducible sampling; `nil` for a random one.
    public var seed: UInt64?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    /// llama.cpp's / ollama's multiplicative repeat penalty (1 = off).
    public var repeatPenalty: Double?

    public init(
        temperature: Double? = nil, topP: Double? = nil, topK: Int? = nil, minP: Double? = nil,
        seed: UInt64? = nil, presencePenalty: Double? = nil, frequencyPenalty: Double? = nil,
        repeatPenalty: Double? = nil
    ) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.minP = minP
        self.seed = seed
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.repeatPenalty = repeatPenalty
    }
}

/// One generation to run.
public struct GenerationRequest: Sendable, Equatable {
    /// What the model continues.
    public enum Input: Sendable, Equatable {
        /// A conversation: the backend applies the model's chat template and adds the
        /// assistant turn's opening.
        case chat([ChatMessage])
        /// Raw text, used as is (the backend adds BOS if the model asks for it).
        case text(String)
        /// Token ids, all in `0..<vocabularySize` (checked by the server), used as is.
        case tokens([Int32])
    }

    public var input: Input
    public var sampling: SamplingParameters
    /// Most tokens to generate; `nil` means "until the context is full".
    public var maxTokens: Int?
    /// Stop strings (enforced by the server; see `CompletionBackend.generate`).
    public var stop: [String]

    public init(input: Input, sampling: SamplingParameters = .init(), maxTokens: Int? = nil, stop: [String] = []) {
        self.input = input
        self.sampling = sampling
        self.maxTokens = maxTokens
        self.stop = stop
    }
}

/// Why a generation ended.
public enum FinishReason: String, Sendable, Equatable {
    /// An end-of-generation token (or a stop string).
    case stop
    /// `maxTokens` reached or the context is full.
    case length
    /// The cancellation token was set.
    case cancelled
}

/// The closing facts of a generation.
public struct GenerationSummary: Sendable, Equatable {
    public var finishReason: FinishReason
    /// Tokens in the prompt as the model saw it (after the chat template).
    public var promptTokens: Int
    /// Tokens generated.
    public var completionTokens: Int

    public init(finishReason: FinishReason, promptTokens: Int, completionTokens: Int) {
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

/// What a backend reports while generating.
public enum GenerationEvent: Sendable, Equatable {
    /// New text (whole UTF-8 characters).
    case text(String)
    /// The generation is over; always the last event.
    case finished(GenerationSummary)
}

/// Typed failures a backend reports; the server maps them to HTTP errors.
public enum BackendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The prompt does not fit the context (400, naming both numbers).
    case promptTooLong(promptTokens: Int, contextLength: Int)
    /// The request cannot be served as asked (400).
    case invalidRequest(String)
    /// Anything else (500).
    case failed(String)

    public var description: String {
        switch self {
        case .promptTooLong(let promptTokens, let contextLength):
            return "the prompt is \(promptTokens) tokens long, longer than the context of \(contextLength) tokens"
        case .invalidRequest(let message): return message
        case .failed(let message): return message
        }
    }
}
