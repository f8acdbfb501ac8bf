// GenerationResult: what one call of the generation loop produced, why it stopped, and how long
// each phase took.

/// Why generation ended.
public enum StopReason: Sendable, Equatable {
    /// The model produced an end-of-generation token (it is not emitted as text).
    case endOfGeneration(Int32)
    /// The requested number of tokens was generated.
    case maxTokens
    /// A stop string appeared in the text (it is not emitted).
    case stopString(String)
    /// The model's context is full.
    case contextFull
    /// The text callback returned false.
    case callbackStopped
    /// The cancellation flag was raised.
    case cancelled
}

/// Timings of one generation call. Times are in seconds.
public struct GenerationTimings: Sendable, Equatable {
    /// Tokens run through the model in the batched prompt call.
    public var promptTokens: Int
    /// Time of the batched prompt call.
    public var promptSeconds: Double
    /// Tokens sampled after the prompt (an end-of-generation token included).
    public var generatedTokens: Int
    /// Time from the end of the prompt call to the end of generation: sampling every generated
    /// token and running all but the last through the model.
    public var generationSeconds: Double
    /// Time from the start of the call to the first sampled token.
    public var timeToFirstTokenSeconds: Double

    public init(promptTokens: Int = 0, promptSeconds: Double = 0, generatedTokens: Int = 0,
                generationSeconds: Double = 0, timeToFirstTokenSeconds: Double = 0) {
        self.promptTokens = promptTokens
        self.promptSeconds = promptSeconds
        self.generatedTokens = generatedTokens
        self.generationSeconds = generationSeconds
        self.timeToFirstTokenSeconds = timeToFirstTokenSeconds
    }

    /// Prompt tokens per second (0 when nothing was timed).
    public var promptTokensPerSecond: Double {
        promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0
    }

    /// Generated tokens per second (0 when nothing was timed).
    public var generationTokensPerSecond: Double {
        generationSeconds > 0 ? Double(generatedTokens) / generationSeconds : 0
    }
}

/// The outcome of one generation call.
public struct GenerationResult: Sendable, Equatable {
    /// Every sampled token, in order (an end-of-generation token included).
    public var tokens: [Int32]
    /// The text passed to the callback, concatenated.
    public var text: String
    /// Why generation ended.
    public var stopReason: StopReason
    /// How many tokens the model's KV cache holds now. The last sampled token is not among them
    /// (it was never run); pass this as `cachedTokens` to continue the conversation.
    public var cachedTokens: Int
    /// Timings of the call.
    public var timings: GenerationTimings
}
