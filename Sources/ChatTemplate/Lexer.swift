// Splits template source into text, `{{ expression }}` and `{% statement %}` segments, applying
// Jinja's whitespace control the way transformers configures it: `{%-` / `-%}` strip whitespace
// next to a tag, trim_blocks drops the first newline after a block or comment tag, lstrip_blocks
// drops spaces and tabs before a block or comment tag that starts its line, `+` turns both off.
// Like Jinja, newlines are normalized to "\n" and one trailing newline of the source is dropped.
// The inside of each tag is cut into tokens here too, so that "%}" inside a string does not end it.

/// A lexical token inside a tag.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case name, string, integer, float, op
    }

    var kind: Kind
    /// The name, operator, number text, or the decoded value of a string literal.
    var text: String
    var location: SourceLocation

    func isOp(_ op: String) -> Bool { kind == .op && text == op }
    func isName(_ name: String) -> Bool { kind == .name && text == name }
}

/// A piece of the template between tags, or the tokens of one tag.
enum Segment {
    case text(String)
    /// `{{ ... }}`; `end` is where the tag closes, for errors.
    case output([Token], start: SourceLocation, end: SourceLocation)
    /// `{% ... %}`.
    case statement([Token], start: SourceLocation, end: SourceLocation)
}

struct Lexer {
    private let source: [Unicode.Scalar]
    private let lineStarts: [Int]
    private var segments: [Segment] = []
    private var text: [Unicode.Scalar] = []

    init(_ template: String) {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(template.unicodeScalars.count)
        var previousWasCR = false
        for scalar in template.unicodeScalars {
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            scalars.append(scalar == "\r" ? "\n" : scalar)
        }
        if scalars.last == "\n" { scalars.removeLast() }
        source = scalars
        var starts = [0]
        for (i, s) in scalars.enumerated() where s == "\n" { starts.append(i + 1) }
        lineStarts = starts
    }

    /// The 1-based line and column of offset `index` in the source.
    func location(_ index: Int) -> SourceLocation {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= index { low = mid } else { high = mid - 1 }
        }
        return SourceLocation(line: low + 1, column: index - lineStarts[low] + 1)
    }

    private func error(_ message: String, at index: Int) -> TemplateError {
        let loc = location(index)
        return TemplateError(.syntax, message, line: loc.line, column: loc.column)
    }

    private func matches(_ literal: String, at index: Int) -> Bool {
        var i = index
        for scalar in literal.unicodeScalars {
            guard i < source.count, source[i] == scalar else { return false }
            i += 1
        }
        return true
    }

    /// Cuts the whole source into segments.
    mutating func segmentize() throws -> [Segment] {
        var i = 0
        var lineStarting = true
        let n = source.count
        while i < n {
            guard let open = nextTagStart(from: i) else {
                text += source[i..<n]
                break
            }
            text += source[i..<open]
            let kind = source[open + 1]
            var k = open + 2
            var sign: Unicode.Scalar?
            if k < n, source[k] == "-" || source[k] == "+" {
                sign = source[k]
                k += 1
            }
            stripBeforeTag(sign: sign, isVariable: kind == "{", lineStarting: lineStarting)
            flushText()
            var endSign: Unicode.Scalar?
            switch kind {
            case "#":
                var close = k
                while close < n, !matches("#}", at: close) { close += 1 }
                guard close < n else { throw error("missing end of comment tag", at: open) }
                if close > k, source[close - 1] == "-" || source[close - 1] == "+" { endSign = source[close - 1] }
                i = close + 2
                i = skipAfterTag(i, sign: endSign, trimNewline: true)
            default:
                let isVariable = kind == "{"
                let (tokens, end, closeSign) = try tokenizeTag(from: k, isVariable: isVariable, tagStart: open)
                endSign = closeSign
                i = end
                if !isVariable, tokens.count == 1, tokens[0].isName("raw") {
                    i = try readRaw(from: skipAfterTag(i, sign: endSign, trimNewline: false), rawStart: open)
                } else {
                    let start = location(open)
                    let endLocation = location(max(open, end - 2))
                    segments.append(isVariable ? .output(tokens, start: start, end: endLocation)
                                               : .statement(tokens, start: start, end: endLocation))
                    i = skipAfterTag(i, sign: endSign, trimNewline: !isVariable)
                }
            }
            lineStarting = i > 0 && source[i - 1] == "\n"
        }
        flushText()
        return segments
    }

    private func nextTagStart(from index: Int) -> Int? {
        var i = index
        while i + 1 < source.count {
            if source[i] == "{", source[i + 1] == "{" || source[i + 1] == "%" || source[i + 1] == "#" { return i }
            i += 1
        }
        return nil
    }

    private mutating func flushText() {
        if !text.isEmpty { segments.append(.text(String(scalars: text))) }
        text.removeAll(keepingCapacity: true)
    }

    /// `{%-` strips all whitespace before the tag; otherwise lstrip_blocks strips the spaces and tabs
    /// that precede a block or comment tag standing at the start of its line.
    private mutating func stripBeforeTag(sign: Unicode.Scalar?, isVariable: Bool, lineStarting: Bool) {
        if sign == "-" {
            while let last = text.last, last.isPythonWhitespace { text.removeLast() }
        } else if sign != "+" && !isVariable {
            let lineStart = (text.lastIndex(of: "\n") ?? -1) + 1
            if (lineStart > 0 || lineStarting) && text[lineStart...].allSatisfy({ $0.isPythonWhitespace }) {
                text.removeSubrange(lineStart...)
            }
        }
    }

    /// `-%}` strips all whitespace after the tag; otherwise trim_blocks drops one newline.
    private func skipAfterTag(_ index: Int, sign: Unicode.Scalar?, trimNewline: Bool) -> Int {
        var i = index
        if sign == "-" {
            while i < source.count, source[i].isPythonWhitespace { i += 1 }
        } else if sign != "+" && trimNewline && i < source.count && source[i] == "\n" {
            i += 1
        }
        return i
    }

    /// The text of `{% raw %}...{% endraw %}` as is; returns the index after the closing tag.
    private mutating func readRaw(from index: Int, rawStart: Int) throws -> Int {
        var i = index
        while i < source.count {
            if matches("{%", at: i) {
                var k = i + 2
                var sign: Unicode.Scalar?
                if k < source.count, source[k] == "-" || source[k] == "+" {
                    sign = source[k]
                    k += 1
                }
                while k < source.count, source[k].isPythonWhitespace { k += 1 }
                if matches("endraw", at: k) {
                    k += 6
                    while k < source.count, source[k].isPythonWhitespace { k += 1 }
                    var endSign: Unicode.Scalar?
                    if k < source.count, source[k] == "-" || source[k] == "+" {
                        endSign = source[k]
                        k += 1
                    }
                    if matches("%}", at: k) {
                        text += source[index..<i]
                        stripBeforeTag(sign: sign, isVariable: false, lineStarting: false)
                        flushText()
                        return skipAfterTag(k + 2, sign: endSign, trimNewline: true)
                    }
                }
            }
            i += 1
        }
        throw error("missing endraw for this raw block", at: rawStart)
    }

    /// Tokens from `start` up to the tag's closing delimiter; returns them, the index after the
    /// delimiter, and its whitespace sign.
    private func tokenizeTag(from start: Int, isVariable: Bool, tagStart: Int)
        throws -> ([Token], Int, Unicode.Scalar?)
    {
        var tokens: [Token] = []
        var brackets: [Unicode.Scalar] = []
        var i = start
        let n = source.count
        while true {
            while i < n, source[i].isPythonWhitespace { i += 1 }
            guard i < n else {
                throw error(isVariable ? "missing '}}' for this expression" : "missing '%}' for this tag", at: tagStart)
            }
            if brackets.isEmpty {
                if isVariable {
                    if matches("-}}", at: i) { return (tokens, i + 3, "-") }
                    if matches("}}", at: i) { return (tokens, i + 2, nil) }
                } else {
                    if matches("-%}", at: i) { return (tokens, i + 3, "-") }
                    if matches("+%}", at: i) { return (tokens, i + 3, "+") }
                    if matches("%}", at: i) { return (tokens, i + 2, nil) }
                }
            }
            let c = source[i]
            let loc = location(i)
            if c == "_" || c.properties.isAlphabetic {
                var j = i + 1
                while j < n, source[j] == "_" || source[j].properties.isAlphabetic || source[j].properties.numericType != nil { j += 1 }
                tokens.append(Token(kind: .name, text: String(scalars: source[i..<j]), location: loc))
                i = j
            } else if ("0"..."9").contains(c) {
                let (token, end) = readNumber(at: i)
                tokens.append(token)
                i = end
            } else if c == "'" || c == "\"" {
                let (value, end) = try readString(at: i)
                tokens.append(Token(kind: .string, text: value, location: loc))
                i = end
            } else {
                let two = i + 1 < n ? String(scalars: source[i...i + 1]) : ""
                let op: String
                if ["//", "**", "==", "!=", "<=", ">="].contains(two) {
                    op = two
                } else if "+-*/%~<>=()[]{},.:|;".unicodeScalars.contains(c) {
                    op = String(c)
                } else {
                    throw error("unexpected character '\(c)'", at: i)
                }
                switch op {
                case "(": brackets.append(")")
                case "[": brackets.append("]")
                case "{": brackets.append("}")
                case ")", "]", "}":
                    guard let expected = brackets.popLast() else { throw error("unexpected '\(op)'", at: i) }
                    guard String(expected) == op else { throw error("unexpected '\(op)', expected '\(expected)'", at: i) }
                default: break
                }
                tokens.append(Token(kind: .op, text: op, location: loc))
                i += op.unicodeScalars.count
            }
        }
    }

    /// An integer or float literal (underscores allowed between digits, as in Jinja).
    private func readNumber(at start: Int) -> (Token, Int) {
        let n = source.count
        func digits(_ i: Int) -> Int {
            var j = i
            while j < n, ("0"..."9").contains(source[j]) || (source[j] == "_" && j + 1 < n && ("0"..."9").contains(source[j + 1])) {
                j += 1
            }
            return j
        }
        var i = digits(start)
        var isFloat = false
        if i + 1 < n, source[i] == ".", ("0"..."9").contains(source[i + 1]) {
            i = digits(i + 1)
            isFloat = true
        }
        if i < n, source[i] == "e" || source[i] == "E" {
            var j = i + 1
            if j < n, source[j] == "+" || source[j] == "-" { j += 1 }
            if j < n, ("0"..."9").contains(source[j]) {
                i = digits(j)
                isFloat = true
            }
        }
        let text = String(scalars: source[start..<i].filter { $0 != "_" })
        return (Token(kind: isFloat ? .float : .integer, text: text, location: location(start)), i)
    }

    /// A quoted string literal with Python's escapes decoded.
    private func readString(at start: Int) throws -> (String, Int) {
        let quote = source[start]
        var out = String.UnicodeScalarView()
        var i = start + 1
        let n = source.count
        while true {
            guard i < n else { throw error("unterminated string", at: start) }
            let c = source[i]
            if c == quote { return (String(out), i + 1) }
            guard c == "\\", i + 1 < n else {
                out.append(c)
                i += 1
                continue
            }
            let e = source[i + 1]
            i += 2
            switch e {
            case "\n": break
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "0"..."7":
                var value = e.value - 48
                var count = 1
                while count < 3, i < n, ("0"..."7").contains(source[i]) {
                    value = value * 8 + source[i].value - 48
                    i += 1
                    count += 1
                }
                out.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            case "x", "u", "U":
                let width = e == "x" ? 2 : e == "u" ? 4 : 8
                guard i + width <= n, let value = UInt32(String(scalars: source[i..<i + width]), radix: 16) else {
                    throw error("truncated \\\(e) escape in string", at: i - 2)
                }
                guard let scalar = Unicode.Scalar(value) else { throw error("invalid character escape in string", at: i - 2) }
                out.append(scalar)
                i += width
            default:
                out.append("\\")
                out.append(e)
            }
        }
    }
}
