// From token ids back to bytes, as llama.cpp's token_to_piece and detokenize do for SentencePiece
// vocabularies: U+2581 becomes a space, byte tokens become their byte, control tokens vanish unless
// special tokens are rendered, user-defined tokens are their text as is.

extension SentencePieceTokenizer {
    public func piece(_ id: Int32) -> [UInt8] {
        piece(id, special: false)
    }

    public func piece(_ id: Int32, special: Bool) -> [UInt8] {
        vocabulary.piece(id, special: special) { text in Self.unescapeSpaces(text) }
    }

    /// Decodes `ids` into text as llama.cpp's `llama_detokenize` with `remove_special` false: when the
    /// model adds a space prefix, the first token loses one leading space. Invalid UTF-8 becomes U+FFFD.
    /// - Parameter special: render control tokens as their text.
    public func detokenize(_ ids: [Int32], special: Bool = false) -> String {
        var bytes: [UInt8] = []
        for (index, id) in ids.enumerated() {
            var piece = piece(id, special: special)
            if index == 0, addSpacePrefix, piece.first == 0x20 { piece.removeFirst() }
            bytes.append(contentsOf: piece)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text` with every U+2581 replaced by a space.
    static func unescapeSpaces(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == 0xE2, index + 2 < text.endIndex, text[index + 1] == 0x96, text[index + 2] == 0x81 {
                result.append(0x20)
                index += 3
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    /// The byte a `<0xXX>` token stands for.
    static func byteValue(ofByteToken text: ArraySlice<UInt8>) -> UInt8? {
        guard text.count == 6 else { return nil }
        func digit(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        let start = text.startIndex
        guard let high = digit(text[start + 3]), let low = digit(text[start + 4]) else { return nil }
        return high << 4 | low
    }
}

extension Vocabulary {
    /// The bytes a token stands for, the rules both tokenizers share: special tokens vanish unless
    /// `special`; control, unknown and user-defined tokens are their text as is; byte tokens
    /// (`<0xXX>`) are their byte; normal tokens are decoded by the tokenizer's own `normal` rule;
    /// unused and undefined tokens stand for nothing.
    func piece(_ id: Int32, special: Bool, normal: (ArraySlice<UInt8>) -> [UInt8]) -> [UInt8] {
        guard contains(id) else { return [] }
        let attributes = self.attributes[Int(id)]
        if !special, attributes.intersects(.special) { return [] }
        let text = table.text(Int(id))
        if attributes.intersects([.control, .unknown, .userDefined]) { return Array(text) }
        if attributes.contains(.normal) { return normal(text) }
        if attributes.contains(.byte) { return SentencePieceTokenizer.byteValue(ofByteToken: text).map { [$0] } ?? [] }
        return []
    }
}
