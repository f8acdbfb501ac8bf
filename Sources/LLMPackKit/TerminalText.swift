// TerminalText: model output made safe for a terminal. A model can write any characters, among
// them escape sequences that move the cursor, retitle the window, set the clipboard (OSC 52) or
// reprogram keys. The filter drops whole escape sequences (CSI, OSC, DCS and the other string
// sequences, in their 7-bit and 8-bit forms) and every other control character except newline and
// tab. It keeps its state between pieces, so a sequence split across tokens is still removed.

/// A streaming filter: feed it the pieces of a reply in order.
public struct TerminalTextFilter: Sendable {
    enum State: Sendable {
        case text
        /// After ESC: the next character says what kind of sequence this is.
        case escape
        /// ESC followed by intermediate bytes (0x20-0x2F), waiting for the final byte.
        case escapeIntermediate
        /// A control sequence: parameters and intermediates up to a final byte 0x40-0x7E.
        case controlSequence
        /// OSC, DCS, SOS, PM, APC: a string up to BEL or ST (ESC \ or 0x9C).
        case string
        /// ESC inside a string: "\" ends it.
        case stringEscape
    }

    var state = State.text
    /// Characters swallowed by the current sequence; a runaway one is given up (see `limit`).
    var swallowed = 0
    /// The longest sequence removed; beyond it the filter returns to plain text, so a stray ESC ]
    /// cannot hide the rest of a reply.
    static let limit = 256

    public init() {}

    /// The part of `piece` that is safe to show.
    public mutating func filter(_ piece: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in piece.unicodeScalars {
            let v = scalar.value
            if state != .text {
                swallowed += 1
                if swallowed > Self.limit || v == 0x0A {
                    state = .text
                    if v == 0x0A { out.append(scalar) }
                    continue
                }
            }
            switch state {
            case .text:
                switch v {
                case 0x1B: begin(.escape)
                case 0x9B: begin(.controlSequence)
                case 0x90, 0x98, 0x9D, 0x9E, 0x9F: begin(.string)
                case 0x0A, 0x09: out.append(scalar)
                case 0..<0x20, 0x7F, 0x80...0x9F: break
                default: out.append(scalar)
                }
            case .escape:
                switch v {
                case 0x5B: state = .controlSequence                       // [
                case 0x5D, 0x50, 0x58, 0x5E, 0x5F: state = .string       // ] P X ^ _
                case 0x20...0x2F: state = .escapeIntermediate
                case 0x1B: state = .escape
                default: state = .text                                  // a two-character sequence
                }
            case .escapeIntermediate:
                if !(0x20...0x2F).contains(v) { state = .text }
            case .controlSequence:
                if (0x40...0x7E).contains(v) || !(0x20...0x3F).contains(v) { state = .text }
            case .string:
                if v == 0x07 || v == 0x9C { state = .text } else if v == 0x1B { state = .stringEscape }
            case .stringEscape:
                state = v == 0x5C ? .text : (v == 0x1B ? .stringEscape : .string)
            }
        }
        return String(out)
    }

    mutating func begin(_ next: State) {
        state = next
        swallowed = 0
    }
}

public enum TerminalText {
    /// `text` with escape sequences and control characters (but newlines and tabs) removed.
    public static func sanitize(_ text: String) -> String {
        var filter = TerminalTextFilter()
        return filter.filter(text)
    }
}
