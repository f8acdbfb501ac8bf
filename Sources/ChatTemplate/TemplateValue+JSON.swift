// JSON in and out. Reading builds TemplateValues whose dictionaries keep the key order of the text
// (callers pass tool schemas and messages as JSON). Writing is the `tojson` filter as transformers
// defines it: Python's json.dumps with ensure_ascii=False and keys in insertion order.

extension TemplateValue {
    /// Parses JSON text. Objects keep their key order; integers that fit an Int stay integers.
    /// - Parameter maxDepth: deepest nesting of arrays and objects accepted.
    public init(json: String, maxDepth: Int = 256) throws {
        var parser = JSONReader(bytes: Array(json.utf8), maxDepth: maxDepth)
        parser.skipWhitespace()
        self = try parser.readValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == parser.bytes.count else { throw parser.error("unexpected text after the value") }
    }
}

/// A small recursive-descent JSON reader over UTF-8 bytes.
private struct JSONReader {
    let bytes: [UInt8]
    let maxDepth: Int
    var position = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func error(_ message: String) -> TemplateError {
        TemplateError(.syntax, "invalid JSON at byte \(position): \(message)")
    }

    mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
    }

    mutating func readValue(depth: Int) throws -> TemplateValue {
        guard position < bytes.count else { throw error("unexpected end of text") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw error("nested deeper than \(maxDepth)") }
            position += 1
            var dict = TemplateDictionary()
            skipWhitespace()
            if try consume("}") { return .dict(dict) }
            repeat {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a key") }
                let key = try readString()
                skipWhitespace()
                guard try consume(":") else { throw error("expected ':'") }
                skipWhitespace()
                dict[key] = try readValue(depth: depth + 1)
                skipWhitespace()
            } while try consume(",")
            guard try consume("}") else { throw error("expected ',' or '}'") }
            return .dict(dict)
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw error("nested deeper than \(maxDepth)") }
            position += 1
            var items: [TemplateValue] = []
            skipWhitespace()
            if try consume("]") { return .list(items) }
            repeat {
                skipWhitespace()
                items.append(try readValue(depth: depth + 1))
                skipWhitespace()
            } while try consume(",")
            guard try consume("]") else { throw error("expected ',' or ']'") }
            return .list(items)
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "t"):
            try expectWord("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectWord("null")
            return .none
        default:
            return try readNumber()
        }
    }

    mutating func consume(_ c: Unicode.Scalar) throws -> Bool {
        if position < bytes.count, bytes[position] == UInt8(ascii: c) {
            position += 1
            return true
        }
        return false
    }

    mutating func expectWord(_ word: String) throws {
        let w = Array(word.utf8)
        guard position + w.count <= bytes.count, Array(bytes[position..<position + w.count]) == w else {
            throw error("unexpected character")
        }
        position += w.count
    }

    mutating func readNumber() throws -> TemplateValue {
        let start = position
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        while position < bytes.count {
            let b = bytes[position]
            if b >= 0x30 && b <= 0x39 {
                position += 1
            } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                        || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") {
                isInteger = false
                position += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let i = Int(text) { return .int(i) }
        guard !text.isEmpty, let d = Double(text) else { throw error("invalid number") }
        return .double(d)
    }

    mutating func readString() throws -> String {
        position += 1   // opening quote
        var out: [UInt8] = []
        while true {
            guard position < bytes.count else { throw error("unterminated string") }
            let b = bytes[position]
            position += 1
            if b == UInt8(ascii: "\"") { break }
            if b < 0x20 { throw error("control character in string") }
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                continue
            }
            guard position < bytes.count else { throw error("unterminated string") }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try readHex4()
                if (0xD800..<0xDC00).contains(code), position + 1 < bytes.count,
                   bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                    position += 2
                    let low = try readHex4()
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        out.append(contentsOf: Array(String(Unicode.Scalar(0xFFFD)!).utf8))
                        code = low
                    }
                }
                let scalar = Unicode.Scalar(code) ?? Unicode.Scalar(0xFFFD)!
                out.append(contentsOf: Array(String(scalar).utf8))
            default:
                throw error("invalid escape")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func readHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count,
              let v = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
            throw error("invalid \\u escape")
        }
        position += 4
        return v
    }
}

extension Value {
    /// Python's json.dumps(self, ensure_ascii=asciiOnly, indent=indent, separators=separators).
    func json(indent: String?, separators: (item: String, key: String)?, asciiOnly: Bool = false, limit: Int) throws -> String {
        var out = BoundedText(limit: limit)
        let seps = separators ?? (indent == nil ? (", ", ": ") : (",", ": "))
        try writeJSON(into: &out, indent: indent, level: 0, separators: seps, asciiOnly: asciiOnly)
        return out.text
    }

    private func writeJSON(into out: inout BoundedText, indent: String?, level: Int,
                           separators: (item: String, key: String), asciiOnly: Bool) throws {
        func newline(_ level: Int) throws {
            if let indent { try out.append("\n" + String(repeating: indent, count: level)) }
        }
        switch self {
        case .none: try out.append("null")
        case .bool(let b): try out.append(b ? "true" : "false")
        case .int(let i): try out.append(String(i))
        case .double(let d):
            if d.isNaN { try out.append("NaN") }
            else if d.isInfinite { try out.append(d < 0 ? "-Infinity" : "Infinity") }
            else { try out.append(Value.pythonFloat(d)) }
        case .string(let s): try out.append(Value.jsonQuote(s, asciiOnly: asciiOnly))
        case .list(let l):
            if l.items.isEmpty { return try out.append("[]") }
            try out.append("[")
            for (i, item) in l.items.enumerated() {
                if i > 0 { try out.append(separators.item) }
                try newline(level + 1)
                try item.writeJSON(into: &out, indent: indent, level: level + 1, separators: separators, asciiOnly: asciiOnly)
            }
            try newline(level)
            try out.append("]")
        case .dict(let d):
            if d.isEmpty { return try out.append("{}") }
            try out.append("{")
            for (i, entry) in d.entries.enumerated() {
                if i > 0 { try out.append(separators.item) }
                try newline(level + 1)
                try out.append(Value.jsonQuote(entry.key, asciiOnly: asciiOnly) + separators.key)
                try entry.value.writeJSON(into: &out, indent: indent, level: level + 1, separators: separators, asciiOnly: asciiOnly)
            }
            try newline(level)
            try out.append("}")
        case .undefined, .callable, .loop, .namespace:
            throw TemplateError(.runtime, "Object of type \(typeName) is not JSON serializable")
        }
    }

    /// A JSON string literal; non-ASCII is kept as is, or escaped as \\uXXXX with `asciiOnly`.
    static func jsonQuote(_ s: String, asciiOnly: Bool = false) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value == 0x7F) {
                    out += "\\u" + hex(scalar.value, digits: 4)
                } else if asciiOnly && scalar.value > 0x7F {
                    for unit in String(scalar).utf16 { out += "\\u" + hex(UInt32(unit), digits: 4) }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
