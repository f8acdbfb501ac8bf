// Errors raised while building a tokenizer from a vocabulary or from GGUF metadata.

/// Why a tokenizer could not be built.
public enum TokenizerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The vocabulary arrays are inconsistent or unusable.
    case invalidVocabulary(String)
    /// A metadata key is missing or has the wrong type.
    case invalidMetadata(key: String, reason: String)
    /// The file asks for a tokenizer model this module does not implement.
    case unsupportedModel(String)

    public var description: String {
        switch self {
        case .invalidVocabulary(let reason):
            return "invalid tokenizer vocabulary: \(reason)"
        case .invalidMetadata(let key, let reason):
            return "invalid tokenizer metadata \(key): \(reason)"
        case .unsupportedModel(let name):
            return "unsupported tokenizer model '\(name)' (only 'llama' SentencePiece vocabularies are supported)"
        }
    }
}
