// Turns a stream of token ids into text for display while it is generated. A character may be split
// over several byte tokens (an emoji is four `<0xXX>` tokens), so bytes are held back until they form
// whole UTF-8 characters; bytes that can never form one become U+FFFD at once rather than stalling
// the stream.

/// Incremental decoder from token ids to text made of whole characters only.
public struct StreamingDetokenizer: Sendable {
    private let tokenizer: any Tokenizer
    private let special: Bool
    /// Bytes of an unfinished character, waiting for the tokens that complete it.
    private var pending: [UInt8] = []

    /// - Parameters:
    ///   - tokenizer: gives each token's bytes.
    ///   - special: render control tokens as their text instead of nothing.
    public init(tokenizer: any Tokenizer, special: Bool = false) {
        self.tokenizer = tokenizer
        self.special = special
    }

    /// Adds token `id`; returns the text of every character now complete (possibly empty).
    public mutating func append(_ id: Int32) -> String {
        append(bytes: tokenizer.piece(id, special: special))
    }

    /// Adds raw bytes; returns the text of every character now complete (possibly empty).
    public mutating func append(bytes: [UInt8]) -> String {
        pending.append(contentsOf: bytes)
        var output: [UInt8] = []
        let consumed = UTF8Validation.decodeComplete(pending, into: &output)
        pending.removeFirst(consumed)
        return String(decoding: output, as: UTF8.self)
    }

    /// Ends the stream: returns what is left, an unfinished character becoming U+FFFD.
    public mutating func flush() -> String {
        var output: [UInt8] = []
        let consumed = UTF8Validation.decodeComplete(pending, into: &output)
        if consumed < pending.count { output.append(contentsOf: UTF8Validation.replacement) }
        pending.removeAll()
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether bytes of an unfinished character are held back.
    public var hasPendingBytes: Bool { !pending.isEmpty }
}

/// UTF-8 checking with Unicode's "maximal subpart" replacement (as `String(decoding:as:)` does).
enum UTF8Validation {
    static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// Copies the complete, valid characters of `bytes` to `output`, each invalid sequence replaced
    /// by U+FFFD, and stops before a valid but unfinished sequence at the end.
    /// Returns how many bytes were consumed.
    static func decodeComplete(_ bytes: [UInt8], into output: inout [UInt8]) -> Int {
        var index = 0
        let count = bytes.count
        scan: while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                output.append(lead)
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF   // allowed range of the second byte
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default:
                output.append(contentsOf: replacement)
                index += 1
                continue scan
            }
            for k in 1..<length {
                guard index + k < count else { break scan }   // unfinished: wait for more bytes
                let byte = bytes[index + k]
                let valid = k == 1 ? (byte >= low && byte <= high) : (byte >= 0x80 && byte <= 0xBF)
                if !valid {
                    output.append(contentsOf: replacement)
                    index += k
                    continue scan
                }
            }
            output.append(contentsOf: bytes[index..<index + length])
            index += length
        }
        return index
    }
}
