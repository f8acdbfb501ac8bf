// The tokenizer contract that the rest of llmpack relies on: text to token ids, token ids back to
// bytes, and the few special ids (BOS, EOS, end of generation) a generation loop needs.

/// Turns text into token ids and token ids back into the bytes they stand for.
public protocol Tokenizer: Sendable {
    /// Tokenizes `text`.
    /// - Parameters:
    ///   - addSpecial: add the BOS (and EOS) tokens the model asks for in its metadata.
    ///   - parseSpecial: recognise the text of control tokens (such as `<start_of_turn>`) in `text`
    ///     and emit their ids; when false such text is tokenized as ordinary characters.
    func encode(_ text: String, addSpecial: Bool, parseSpecial: Bool) -> [Int32]

    /// The bytes token `id` stands for when decoding for display: spaces restored, byte tokens turned
    /// into their byte, control tokens empty. An id outside the vocabulary gives no bytes.
    func piece(_ id: Int32) -> [UInt8]

    /// Like `piece(_:)`, but with `special` true control tokens render as their text
    /// (e.g. `<end_of_turn>`) instead of nothing.
    func piece(_ id: Int32, special: Bool) -> [UInt8]

    /// Number of tokens in the vocabulary (ids are `0..<vocabularySize`).
    var vocabularySize: Int { get }

    /// The beginning-of-sequence token, if the vocabulary has one.
    var bos: Int32? { get }

    /// The end-of-sequence token, if the vocabulary has one.
    var eos: Int32? { get }

    /// Whether generating `id` ends generation (EOS, end of turn and the like).
    func isEndOfGeneration(_ id: Int32) -> Bool

    /// The id of the token whose text is exactly `text` (e.g. `"<end_of_turn>"`), if there is one.
    func tokenId(_ text: String) -> Int32?
}

extension Tokenizer {
    /// Default for tokenizers that have no special rendering: the display piece.
    public func piece(_ id: Int32, special: Bool) -> [UInt8] {
        piece(id)
    }

    /// Decodes `ids` into text by joining their pieces; invalid UTF-8 becomes U+FFFD.
    /// - Parameter special: render control tokens as their text.
    public func decode(_ ids: [Int32], special: Bool = false) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            bytes.append(contentsOf: piece(id, special: special))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
