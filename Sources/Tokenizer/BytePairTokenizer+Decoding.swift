// From token ids back to bytes, as llama.cpp's token_to_piece and detokenize do for byte-level BPE
// vocabularies: each character of a normal token stands for one byte (GPT-2's byte-to-unicode
// mapping read backwards), control tokens vanish unless special tokens are rendered, user-defined
// tokens are their text as is. `detokenize` also applies llama.cpp's clean-up of spaces.

extension BytePairTokenizer {
    public func piece(_ id: Int32) -> [UInt8] {
        piece(id, special: false)
    }

    public func piece(_ id: Int32, special: Bool) -> [UInt8] {
        vocabulary.piece(id, special: special) { text in Self.decodeByteLevel(text) }
    }

    /// Decodes `ids` into text as llama.cpp's `llama_detokenize` with `remove_special` false,
    /// including its clean-up of spaces when the model asks for it (`cleanSpaces`): no space before
    /// `?!.,`, none around a lone apostrophe, none before `'s 'm 're 've`. Invalid UTF-8 becomes U+FFFD.
    /// - Parameter special: render control tokens as their text.
    public func detokenize(_ ids: [Int32], special: Bool = false) -> String {
        var bytes: [UInt8] = []
        for id in ids { bytes.append(contentsOf: piece(id, special: special)) }
        if cleanSpaces { bytes = Self.cleanUpSpaces(bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes a byte-level token text stands for. A character that stands for no byte becomes
    /// `[UNK_BYTE_0x<its UTF-8 in hex><the whole text>]`, as llama.cpp writes it.
    static func decodeByteLevel(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        let cpts = Array(text).withUnsafeBufferPointer { LenientUTF8.decode($0).codepoints }
        for cpt in cpts {
            if let byte = ByteLevelEncoding.byte(forCodepoint: cpt) {
                result.append(byte)
            } else {
                var utf8: [UInt8] = []
                LenientUTF8.append(cpt, to: &utf8)
                let hex = Array("0123456789abcdef".utf8)
                result.append(contentsOf: Array("[UNK_BYTE_0x".utf8))
                for byte in utf8 {
                    result.append(hex[Int(byte >> 4)])
                    result.append(hex[Int(byte & 15)])
                }
                result.append(contentsOf: text)
                result.append(0x5D)   // ]
            }
        }
        return result
    }

    /// llama.cpp's three clean-up passes over detokenized text (llama_vocab::impl::detokenize).
    static func cleanUpSpaces(_ input: [UInt8]) -> [UInt8] {
        let space: UInt8 = 0x20, apostrophe: UInt8 = 0x27
        var text = input
        // 1. " ?", " !", " .", " ," lose their space.
        var total = text.isEmpty ? 0 : 1
        for i in 1..<max(text.count, 1) {
            let x = text[i]
            if text[i - 1] == space, x == 0x3F || x == 0x21 || x == 0x2E || x == 0x2C { total -= 1 }
            text[total] = x
            total += 1
        }
        text.removeSubrange(total...)
        // 2. " ' " becomes "'".
        let total2 = text.count
        total = total2 == 0 ? 0 : 1
        var i = 1
        while i < total2 {
            let x = text[i]
            if x == apostrophe, i + 1 < total2, text[i - 1] == space, text[i + 1] == space {
                total -= 1
                i += 1
                text[i] = 0   // the next space is dropped (llama.cpp writes a NUL over it ...)
            }
            text[total] = x
            total += 1
            i += 1
        }
        text.removeSubrange(total...)
        // 3. " 's", " 'm", " 're", " 've" lose their space.
        let total3 = text.count
        total = total3 == 0 ? 0 : 1
        for i in 1..<max(total3, 1) {
            let x = text[i]
            if text[i - 1] == space, x == apostrophe, i + 1 < total3 {
                let x1 = text[i + 1]
                if x1 == 0x73 || x1 == 0x6D {
                    total -= 1
                } else if i + 2 < total3 {
                    let x2 = text[i + 2]
                    if (x1 == 0x72 && x2 == 0x65) || (x1 == 0x76 && x2 == 0x65) { total -= 1 }
                }
            }
            text[total] = x
            total += 1
        }
        text.removeSubrange(total...)
        return text
    }
}
