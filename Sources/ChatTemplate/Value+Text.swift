// How values turn into text, as Python and Jinja print them: `{{ x }}` and `~` use str(), items
// inside a printed list use repr() ('quoted' strings, None, True), and floats print as Python does.
// Building text is bounded: a value whose text would pass the size limit throws instead.

/// Text under construction that refuses to grow past `limit` UTF-8 bytes.
struct BoundedText {
    private(set) var text = ""
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    mutating func append(_ piece: String) throws {
        text += piece
        if text.utf8.count > limit { throw TemplateError.outputLimit(limit) }
    }
}

extension TemplateError {
    static func outputLimit(_ limit: Int) -> TemplateError {
        TemplateError(.limitExceeded(limit: "maxOutputBytes"),
                      "the template produced a string longer than maxOutputBytes (\(limit) bytes)")
    }
}

extension Value {
    /// Python's str() of this value.
    func text(limit: Int) throws -> String {
        switch self {
        case .undefined: return ""
        case .string(let s): return s
        default:
            var out = BoundedText(limit: limit)
            try writeRepr(into: &out, top: true, inNamespace: false)
            return out.text
        }
    }

    /// Python's repr() of this value (strings quoted).
    func repr(limit: Int) throws -> String {
        var out = BoundedText(limit: limit)
        try writeRepr(into: &out, top: false, inNamespace: false)
        return out.text
    }

    /// `inNamespace`: inside a namespace's attributes, where a namespace prints without its
    /// attributes (a namespace may hold itself).
    private func writeRepr(into out: inout BoundedText, top: Bool, inNamespace: Bool) throws {
        switch self {
        case .undefined: try out.append(top ? "" : "Undefined")
        case .none: try out.append("None")
        case .bool(let b): try out.append(b ? "True" : "False")
        case .int(let i): try out.append(String(i))
        case .double(let d): try out.append(Value.pythonFloat(d))
        case .string(let s): try out.append(top ? s : Value.pythonRepr(s))
        case .list(let l):
            try out.append(l.isTuple ? "(" : "[")
            for (i, item) in l.items.enumerated() {
                if i > 0 { try out.append(", ") }
                try item.writeRepr(into: &out, top: false, inNamespace: inNamespace)
            }
            try out.append(l.isTuple ? (l.items.count == 1 ? ",)" : ")") : "]")
        case .dict(let d):
            try out.append("{")
            for (i, entry) in d.entries.enumerated() {
                if i > 0 { try out.append(", ") }
                try out.append(Value.pythonRepr(entry.key) + ": ")
                try entry.value.writeRepr(into: &out, top: false, inNamespace: inNamespace)
            }
            try out.append("}")
        case .namespace(let ns):
            if inNamespace { return try out.append("<Namespace>") }
            try out.append("<Namespace ")
            try Value.dict(ns.attributes).writeRepr(into: &out, top: false, inNamespace: true)
            try out.append(">")
        case .callable(let c): try out.append("<function \(c.name)>")
        case .loop(let l): try out.append("<LoopContext \(l.index + 1)/\(l.items.count)>")
        }
    }

    /// A float as Python's repr prints it: shortest round-trip digits, "1e+16", "nan", "inf".
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return d.description   // Swift's shortest round-trip form matches Python's for finite values
    }

    /// A string as Python's repr prints it.
    static func pythonRepr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if scalar.value < 0x20 || (0x7F...0xA0).contains(scalar.value) {
                    out += "\\x" + hex(scalar.value, digits: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }

    static func hex(_ value: UInt32, digits: Int) -> String {
        let h = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - h.count)) + h
    }
}

extension Unicode.Scalar {
    /// Python's str.isspace().
    var isPythonWhitespace: Bool {
        properties.isWhitespace || (0x1C...0x1F).contains(value)
    }
}

extension String {
    /// Python's str.strip() family: remove leading and/or trailing characters in `set`
    /// (whitespace when `set` is nil).
    func pythonStrip(_ set: String? = nil, leading: Bool = true, trailing: Bool = true) -> String {
        let chars = set.map { Set($0.unicodeScalars) }
        func strip(_ s: Unicode.Scalar) -> Bool { chars?.contains(s) ?? s.isPythonWhitespace }
        let scalars = Array(unicodeScalars)
        var start = 0
        var end = scalars.count
        if leading { while start < end, strip(scalars[start]) { start += 1 } }
        if trailing { while end > start, strip(scalars[end - 1]) { end -= 1 } }
        return String(scalars: scalars[start..<end])
    }

    /// Whether `needle` occurs in this string, comparing code points as Python does (Swift's own
    /// `contains` compares grapheme clusters).
    func containsScalars(of needle: String) -> Bool {
        let hay = Array(unicodeScalars)
        let pattern = Array(needle.unicodeScalars)
        guard !pattern.isEmpty else { return true }
        guard pattern.count <= hay.count else { return false }
        for start in 0...(hay.count - pattern.count) where hay[start] == pattern[0] {
            if hay[start..<start + pattern.count].elementsEqual(pattern) { return true }
        }
        return false
    }

    /// A string made of `scalars`.
    init<S: Sequence>(scalars: S) where S.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        self = String(view)
    }
}
