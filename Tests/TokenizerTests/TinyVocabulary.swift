// A small hand-made SentencePiece vocabulary for unit tests: the usual control tokens, all 256 byte
// tokens, and a few pieces with chosen scores.

import Tokenizer

enum TinyVocabulary {
    static let unk: Int32 = 0, bos: Int32 = 1, eos: Int32 = 2
    static func byte(_ b: UInt8) -> Int32 { 3 + Int32(b) }

    /// Normal pieces after the byte tokens, with their scores ("▁" is U+2581).
    static let pieces: [(String, Float)] = [
        ("▁", -1), ("a", -2), ("b", -2), ("c", -2), ("x", -3),
        ("ab", -1.5), ("bc", -1.0), ("▁a", -0.5), ("▁b", -0.6), ("▁ab", -0.2), ("▁abc", -0.1),
        ("aa", -1.2), ("é", -2),
    ]
    /// Other special tokens after the pieces: (text, GGUF token type).
    static let specials: [(String, TokenType)] = [
        ("<turn>", .control), ("<tag>", .userDefined), ("xx", .userDefined), ("xxx", .userDefined),
        ("<end_of_turn>", .normal), ("<unused7>", .control), ("<gone>", .unused),
    ]

    static func id(_ text: String) -> Int32 {
        if let i = pieces.firstIndex(where: { $0.0 == text }) { return 259 + Int32(i) }
        if let i = specials.firstIndex(where: { $0.0 == text }) { return 259 + Int32(pieces.count + i) }
        fatalError("no token \(text)")
    }

    static func arrays() -> (tokens: [[UInt8]], scores: [Float], types: [Int32]) {
        var tokens: [[UInt8]] = [Array("<unk>".utf8), Array("<s>".utf8), Array("</s>".utf8)]
        var scores: [Float] = [0, 0, 0]
        var types: [Int32] = [TokenType.unknown.rawValue, TokenType.control.rawValue, TokenType.control.rawValue]
        let hex = Array("0123456789ABCDEF")
        for b in 0..<256 {
            tokens.append(Array("<0x\(hex[b >> 4])\(hex[b & 15])>".utf8))
            scores.append(0)
            types.append(TokenType.byte.rawValue)
        }
        for (text, score) in pieces {
            tokens.append(Array(text.utf8)); scores.append(score); types.append(TokenType.normal.rawValue)
        }
        for (text, type) in specials {
            tokens.append(Array(text.utf8)); scores.append(0); types.append(type.rawValue)
        }
        return (tokens, scores, types)
    }

    static func tokenizer(addSpacePrefix: Bool = false, addBOS: Bool = true, addEOS: Bool = false,
                          modelName: String? = nil) throws -> SentencePieceTokenizer {
        let (tokens, scores, types) = arrays()
        return try SentencePieceTokenizer(
            tokens: tokens, scores: scores, types: types,
            options: SentencePieceOptions(addBOS: addBOS, addEOS: addEOS, addSpacePrefix: addSpacePrefix, modelName: modelName))
    }
}
