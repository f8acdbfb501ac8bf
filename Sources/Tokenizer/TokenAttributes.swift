// What kind of token each vocabulary entry is: the token types stored in GGUF files
// (`tokenizer.ggml.token_type`) and the attribute bits llama.cpp derives from them.

/// A token's type as stored in GGUF's `tokenizer.ggml.token_type` array.
public enum TokenType: Int32, Sendable, CaseIterable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    case control = 3
    case userDefined = 4
    case unused = 5
    case byte = 6
}

/// Attribute bits of a token, numbered as llama.cpp's `llama_token_attr`.
public struct TokenAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let unknown = TokenAttributes(rawValue: 1 << 0)
    public static let unused = TokenAttributes(rawValue: 1 << 1)
    public static let normal = TokenAttributes(rawValue: 1 << 2)
    public static let control = TokenAttributes(rawValue: 1 << 3)
    public static let userDefined = TokenAttributes(rawValue: 1 << 4)
    public static let byte = TokenAttributes(rawValue: 1 << 5)
    public static let normalized = TokenAttributes(rawValue: 1 << 6)
    /// Whitespace to the left of this token is removed when it is matched in text.
    public static let lstrip = TokenAttributes(rawValue: 1 << 7)
    /// Whitespace to the right of this token is removed when it is matched in text.
    public static let rstrip = TokenAttributes(rawValue: 1 << 8)
    public static let singleWord = TokenAttributes(rawValue: 1 << 9)

    /// Tokens that the special-token pass looks for in text (llama.cpp's special token cache).
    public static let matchedInText: TokenAttributes = [.control, .userDefined, .unknown]

    /// Tokens matched in text only when special tokens are parsed, and hidden when decoding for display.
    public static let special: TokenAttributes = [.control, .unknown]

    /// Whether any bit of `other` is set here (a non-generic `!isDisjoint(with:)`).
    @inline(__always)
    public func intersects(_ other: TokenAttributes) -> Bool {
        rawValue & other.rawValue != 0
    }

    /// The attributes of a token of type `type`. Unknown raw types count as `undefined` (no bits).
    public init(_ type: TokenType) {
        switch type {
        case .undefined: self = []
        case .normal: self = .normal
        case .unknown: self = .unknown
        case .control: self = .control
        case .userDefined: self = .userDefined
        case .unused: self = .unused
        case .byte: self = .byte
        }
    }
}
