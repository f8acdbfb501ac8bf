// GenerationError: what can go wrong in sampling setup and the generation loop, with messages that
// say what to change.

/// An error of the generation loop or its parameters.
public enum GenerationError: Error, Equatable, CustomStringConvertible {
    /// A sampling parameter or option has a value that cannot be meant.
    case invalidParameter(String)
    /// There are no new tokens to run (a continuation needs at least one token).
    case emptyPrompt
    /// The cache plus the prompt do not fit in the model's context.
    case contextOverflow(cached: Int, prompt: Int, contextLength: Int)
    /// The model returned a logits row of the wrong size.
    case badLogits(count: Int, expected: Int)

    public var description: String {
        switch self {
        case .invalidParameter(let what):
            return "invalid sampling parameter: \(what)"
        case .emptyPrompt:
            return "nothing to generate from: the prompt has no tokens"
        case let .contextOverflow(cached, prompt, contextLength):
            return "the prompt does not fit: \(cached) cached + \(prompt) new tokens exceed the context of \(contextLength) tokens"
        case let .badLogits(count, expected):
            return "the model returned \(count) logits, expected \(expected) (one per vocabulary entry)"
        }
    }
}
