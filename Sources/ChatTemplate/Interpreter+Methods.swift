// Python methods that templates call on values: string methods (strip, split, startswith, format...),
// dictionary methods (items, keys, values, get) and the read-only list methods. Methods that would
// change a list or dictionary are refused, as in the immutable sandbox transformers uses.

extension Interpreter {
    /// The bound method `name` of `value`, or nil if it has none.
    func method(of value: Value, _ name: String) -> Value? {
        let body: ((Interpreter, Arguments) throws -> Value)?
        switch value {
        case .string(let s): body = stringMethod(s, name)
        case .dict(let d): body = dictMethod(d, name)
        case .list(let l): body = listMethod(l, name)
        default: body = nil
        }
        return body.map { .callable(Callable(name, $0)) }
    }

    private func stringMethod(_ s: String, _ name: String) -> ((Interpreter, Arguments) throws -> Value)? {
        func optionalText(_ i: Interpreter, _ a: Arguments, _ index: Int, _ key: String) throws -> String? {
            guard let v = a.value(index, key), !v.isNone else { return nil }
            return try i.text(v)
        }
        switch name {
        case "strip", "lstrip", "rstrip":
            return { i, a in
                .string(s.pythonStrip(try optionalText(i, a, 0, "chars"), leading: name != "rstrip", trailing: name != "lstrip"))
            }
        case "upper": return { _, _ in .string(s.uppercased()) }
        case "lower": return { _, _ in .string(s.lowercased()) }
        case "title": return { _, _ in .string(Self.pythonTitle(s)) }
        case "capitalize": return { _, _ in .string(s.prefix(1).uppercased() + s.dropFirst().lowercased()) }
        case "startswith", "endswith":
            return { i, a in
                let candidates: [Value]
                let argument = try i.requiredArgument(a, 0, "prefix", of: name)
                if case .list(let l) = argument { candidates = l.items } else { candidates = [argument] }
                return .bool(try candidates.contains { c in
                    let t = try i.text(c)
                    return name == "startswith" ? s.unicodeScalars.starts(with: t.unicodeScalars)
                        : s.unicodeScalars.reversed().starts(with: t.unicodeScalars.reversed())
                })
            }
        case "split", "rsplit":
            return { i, a in
                let separator = try optionalText(i, a, 0, "sep")
                let maxSplit = a.value(1, "maxsplit")?.integer ?? -1
                let parts = try Self.split(s, separator, maxSplit: maxSplit, fromRight: name == "rsplit",
                                           maxParts: i.limits.maxCollectionCount)
                return try i.makeList(parts.map { .string($0) })
            }
        case "splitlines":
            return { i, _ in
                var lines = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                if lines.last == "" { lines.removeLast() }
                return try i.makeList(lines.map { .string($0) })
            }
        case "replace":
            return { i, a in
                let old = try i.text(try i.requiredArgument(a, 0, "old", of: name))
                let new = try i.text(try i.requiredArgument(a, 1, "new", of: name))
                return .string(try i.replace(s, old, new, count: a.value(2, "count")?.integer))
            }
        case "find", "index", "rfind", "rindex", "count":
            return { i, a in
                let needle = Array(try i.text(try i.requiredArgument(a, 0, "sub", of: name)).unicodeScalars)
                let hay = Array(s.unicodeScalars)
                var positions: [Int] = []
                var p = 0
                while p + needle.count <= hay.count {
                    if hay[p..<p + needle.count].elementsEqual(needle) {
                        positions.append(p)
                        p += max(needle.count, 1)
                        if name == "find" || name == "index" { break }
                    } else {
                        p += 1
                    }
                }
                if name == "count" { return .int(positions.count) }
                guard let found = name.hasPrefix("r") ? positions.last : positions.first else {
                    if name.hasSuffix("index") { throw TemplateError(.runtime, "substring not found") }
                    return .int(-1)
                }
                return .int(found)
            }
        case "join":
            return { i, a in
                let items = try i.iterate(try i.requiredArgument(a, 0, "iterable", of: name))
                var out = BoundedText(limit: i.limits.maxOutputBytes)
                for (n, item) in items.enumerated() {
                    if n > 0 { try out.append(s) }
                    guard case .string(let t) = item else { throw TemplateError(.runtime, "sequence item \(n): expected str instance, \(item.typeName) found") }
                    try out.append(t)
                }
                return .string(out.text)
            }
        case "format":
            return { i, a in try i.makeString(try i.braceFormat(s, a)) }
        case "isdigit", "isnumeric", "isdecimal":
            return { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType != nil }) }
        case "isalpha":
            return { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic }) }
        case "isalnum":
            return { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil }) }
        case "isspace":
            return { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.isPythonWhitespace }) }
        case "islower":
            return { _, _ in .bool(s == s.lowercased() && s != s.uppercased()) }
        case "isupper":
            return { _, _ in .bool(s == s.uppercased() && s != s.lowercased()) }
        case "removeprefix", "removesuffix":
            return { i, a in
                let affix = try i.text(try i.requiredArgument(a, 0, "affix", of: name))
                let scalars = Array(s.unicodeScalars)
                let a = Array(affix.unicodeScalars)
                if name == "removeprefix", scalars.starts(with: a) { return .string(String(scalars: scalars.dropFirst(a.count))) }
                if name == "removesuffix", !a.isEmpty, scalars.reversed().starts(with: a.reversed()) {
                    return .string(String(scalars: scalars.dropLast(a.count)))
                }
                return .string(s)
            }
        default:
            return nil
        }
    }

    private func dictMethod(_ d: ValueDict, _ name: String) -> ((Interpreter, Arguments) throws -> Value)? {
        switch name {
        case "items":
            return { i, _ in try i.makeList(try d.entries.map { try i.makeList([.string($0.key), $0.value], isTuple: true) }) }
        case "keys":
            return { i, _ in try i.makeList(d.keys.map { .string($0) }) }
        case "values":
            return { i, _ in try i.makeList(d.values) }
        case "get":
            return { i, a in
                let key = try i.requiredArgument(a, 0, "key", of: name)
                guard case .string(let k) = key, let v = d[k] else { return a.value(1, "default") ?? .none }
                return v
            }
        case "copy":
            return { _, _ in .dict(d) }
        case "update", "pop", "popitem", "setdefault", "clear":
            return { _, _ in throw TemplateError(.runtime, "dictionaries are immutable in chat templates: '\(name)' is not allowed") }
        default:
            return nil
        }
    }

    private func listMethod(_ l: ValueList, _ name: String) -> ((Interpreter, Arguments) throws -> Value)? {
        switch name {
        case "index":
            return { i, a in
                let needle = try i.requiredArgument(a, 0, "value", of: name)
                guard let index = l.items.firstIndex(where: { $0.equals(needle) }) else {
                    throw TemplateError(.runtime, "\(try needle.repr(limit: 200)) is not in list")
                }
                return .int(index)
            }
        case "count":
            return { i, a in
                let needle = try i.requiredArgument(a, 0, "value", of: name)
                return .int(l.items.filter { $0.equals(needle) }.count)
            }
        case "copy":
            return { _, _ in .list(l) }
        case "append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear":
            return { _, _ in throw TemplateError(.runtime, "lists are immutable in chat templates: '\(name)' is not allowed") }
        default:
            return nil
        }
    }

    /// Python's str.split / rsplit.
    static func split(_ s: String, _ separator: String?, maxSplit: Int, fromRight: Bool, maxParts: Int) throws -> [String] {
        let limit = min(maxSplit < 0 ? Int.max : maxSplit, maxParts)
        var scalars = Array(s.unicodeScalars)
        if fromRight { scalars.reverse() }
        var parts: [[Unicode.Scalar]] = []
        if let separator {
            var sep = Array(separator.unicodeScalars)
            guard !sep.isEmpty else { throw TemplateError(.runtime, "empty separator") }
            if fromRight { sep.reverse() }
            var current: [Unicode.Scalar] = []
            var i = 0
            while i < scalars.count {
                if parts.count < limit, i + sep.count <= scalars.count, scalars[i..<i + sep.count].elementsEqual(sep) {
                    parts.append(current)
                    current = []
                    i += sep.count
                } else {
                    current.append(scalars[i])
                    i += 1
                }
            }
            parts.append(current)
        } else {
            var i = 0
            while i < scalars.count {
                while i < scalars.count, scalars[i].isPythonWhitespace { i += 1 }
                guard i < scalars.count else { break }
                if parts.count == limit {
                    var rest = Array(scalars[i...])
                    while let last = rest.last, last.isPythonWhitespace { rest.removeLast() }
                    parts.append(rest)
                    break
                }
                var word: [Unicode.Scalar] = []
                while i < scalars.count, !scalars[i].isPythonWhitespace {
                    word.append(scalars[i])
                    i += 1
                }
                parts.append(word)
            }
        }
        if parts.count > maxParts {
            throw TemplateError(.limitExceeded(limit: "maxCollectionCount"),
                                "split makes more than maxCollectionCount (\(maxParts)) parts")
        }
        if fromRight { parts = parts.reversed().map { $0.reversed() } }
        return parts.map { String(scalars: $0) }
    }

    /// Python's str.title(): a letter following a non-letter is uppercased, others lowercased.
    static func pythonTitle(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for c in s {
            if c.isLetter {
                out += previousCased ? String(c).lowercased() : String(c).uppercased()
                previousCased = true
            } else {
                out.append(c)
                previousCased = false
            }
        }
        return out
    }

    /// Python's str.format for `{}`, `{0}`, `{name}` and `{{`/`}}` (format specs are ignored).
    func braceFormat(_ format: String, _ arguments: Arguments) throws -> String {
        var out = BoundedText(limit: limits.maxOutputBytes)
        var scalars = Array(format.unicodeScalars)[...]
        var automatic = 0
        while let c = scalars.popFirst() {
            if c == "{" {
                if scalars.first == "{" {
                    scalars.removeFirst()
                    try out.append("{")
                    continue
                }
                var field = ""
                while let f = scalars.popFirst(), f != "}" { field.unicodeScalars.append(f) }
                let name = String(field.split(separator: ":", maxSplits: 1).first ?? "")
                let value: Value
                if name.isEmpty {
                    guard automatic < arguments.positional.count else { throw TemplateError(.runtime, "Replacement index \(automatic) out of range") }
                    value = arguments.positional[automatic]
                    automatic += 1
                } else if let index = Int(name) {
                    guard index >= 0, index < arguments.positional.count else { throw TemplateError(.runtime, "Replacement index \(index) out of range") }
                    value = arguments.positional[index]
                } else {
                    guard let v = arguments.keyword.first(where: { $0.name == name })?.value else { throw TemplateError(.runtime, "KeyError: '\(name)'") }
                    value = v
                }
                try out.append(try text(value))
            } else if c == "}" {
                if scalars.first == "}" { scalars.removeFirst() }
                try out.append("}")
            } else {
                try out.append(String(c))
            }
        }
        return out.text
    }
}
