// The vocabulary a tokenizer works from, built from plain arrays: each token's bytes, its score and
// its type. Nothing here knows about GGUF; `TokenizerLoader` reads those arrays from a file.

/// Token texts, scores and attributes, with an exact lookup from text to id.
public struct Vocabulary: Sendable {
    let table: TokenTable
    /// Score of each token (SentencePiece log-probabilities; higher merges first).
    public let scores: [Float]
    /// Attributes of each token, derived from its type.
    public internal(set) var attributes: [TokenAttributes]

    /// Builds a vocabulary.
    /// - Parameters:
    ///   - tokens: each token's text as raw bytes (SentencePiece writes spaces as U+2581).
    ///     An empty text is replaced by `[EMPTY_<id>]`, as llama.cpp does.
    ///   - scores: one score per token, or nil for all zero.
    ///   - types: one GGUF token type per token (`TokenType` raw values), or nil for all normal.
    ///     Values outside the known types count as undefined.
    public init(tokens: [[UInt8]], scores: [Float]? = nil, types: [Int32]? = nil) throws(TokenizerError) {
        try self.init(count: tokens.count, scores: scores, types: types) { id, storage in
            storage.append(contentsOf: tokens[id])
        }
    }

    /// Builds a vocabulary from token texts given as strings (their UTF-8 bytes are the tokens).
    public init(tokens: [String], scores: [Float]? = nil, types: [Int32]? = nil) throws(TokenizerError) {
        try self.init(count: tokens.count, scores: scores, types: types) { id, storage in
            let done: Void? = tokens[id].utf8.withContiguousStorageIfAvailable { storage.append(contentsOf: $0) }
            if done == nil { storage.append(contentsOf: tokens[id].utf8) }
        }
    }

    private init(count: Int, scores: [Float]?, types: [Int32]?,
                 appendText: (Int, inout [UInt8]) -> Void) throws(TokenizerError) {
        guard count > 0 else { throw TokenizerError.invalidVocabulary("the token list is empty") }
        if let scores, scores.count < count {
            throw TokenizerError.invalidVocabulary("\(scores.count) scores for \(count) tokens")
        }
        if let types, types.count < count {
            throw TokenizerError.invalidVocabulary("\(types.count) token types for \(count) tokens")
        }
        table = try TokenTable(count: count, appendText: appendText)
        if let scores {
            self.scores = scores.count == count ? scores : Array(scores[0..<count])
        } else {
            self.scores = [Float](repeating: 0, count: count)
        }
        if let types {
            attributes = types[0..<count].map { TokenAttributes(TokenType(rawValue: $0) ?? .undefined) }
        } else {
            attributes = [TokenAttributes](repeating: .normal, count: count)
        }
    }

    /// Number of tokens.
    public var count: Int { table.count }

    /// Whether `id` names a token of this vocabulary.
    @inline(__always)
    public func contains(_ id: Int32) -> Bool { id >= 0 && Int(id) < table.count }

    /// The raw text of token `id` (U+2581 for spaces, `<0x0A>` for byte tokens), or nil when out of range.
    public func text(of id: Int32) -> [UInt8]? {
        contains(id) ? Array(table.text(Int(id))) : nil
    }

    /// The id of the token whose raw text is exactly `bytes`.
    public func id(of bytes: [UInt8]) -> Int32? {
        table.id(of: bytes)
    }

    /// Length in bytes of the longest token text.
    public var maxTokenLength: Int { table.maxTokenLength }

    /// Whether the raw text of token `id` equals `text`.
    func textEquals(_ id: Int, _ text: StaticString) -> Bool {
        table.withText(id) { mine in
            text.withUTF8Buffer { TokenTable.equal(mine, $0) }
        }
    }
}
