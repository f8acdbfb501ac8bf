// Jinja's builtin filters (`value | name(arguments)`) that chat templates use, with their Python
// behaviour, plus `tojson` as transformers defines it.

extension Interpreter {
    /// Python's str() of `value`, bounded.
    func text(_ value: Value) throws -> String {
        try value.text(limit: limits.maxOutputBytes)
    }

    func applyFilter(_ name: String, _ value: Value, _ arguments: Arguments) throws -> Value {
        try deeper { try filter(name, value, arguments) }   // map('map', ...) recurses into nested lists
    }

    private func filter(_ name: String, _ value: Value, _ arguments: Arguments) throws -> Value {
        switch name {
        case "abs":
            switch value {
            case .int(let i):
                guard i != Int.min else { throw TemplateError.integerOverflow }
                return .int(abs(i))
            case .double(let d): return .double(abs(d))
            case .bool(let b): return .int(b ? 1 : 0)
            default: throw TemplateError(.runtime, "bad operand type for abs(): '\(value.typeName)'")
            }
        case "attr":
            return try attribute(of: value, try text(requiredArgument(arguments, 0, "name", of: name)))
        case "capitalize":
            let s = try text(value)
            return .string(s.prefix(1).uppercased() + s.dropFirst().lowercased())
        case "center":
            let s = try text(value)
            let width = arguments.value(0, "width")?.integer ?? 80
            let count = s.unicodeScalars.count
            guard width > count else { return .string(s) }
            guard width <= limits.maxOutputBytes else { throw TemplateError.outputLimit(limits.maxOutputBytes) }
            let total = width - count
            let left = total / 2 + (total & width & 1)
            return .string(String(repeating: " ", count: left) + s + String(repeating: " ", count: total - left))
        case "count", "length":
            return .int(try length(of: value))
        case "default", "d":
            let fallback = arguments.value(0, "default_value") ?? .string("")
            let boolean = arguments.value(1, "boolean")?.isTruthy ?? false
            return value.isUndefined || (boolean && !value.isTruthy) ? fallback : value
        case "dictsort":
            guard case .dict(let dict) = value else { throw TemplateError(.runtime, "dictsort expects a dictionary") }
            let caseSensitive = arguments.value(0, "case_sensitive")?.isTruthy ?? false
            let byValue = (arguments.value(1, "by")?.stringValue ?? "key") == "value"
            let reverse = arguments.value(2, "reverse")?.isTruthy ?? false
            var pairs = dict.entries.map { [Value.string($0.key), $0.value] }
            try stableSort(&pairs) { pair in caseSensitive ? pair[byValue ? 1 : 0] : Self.foldCase(pair[byValue ? 1 : 0]) }
            if reverse { pairs.reverse() }
            return try makeList(try pairs.map { try makeList($0, isTuple: true) })
        case "escape", "e", "forceescape":
            var out = ""
            for c in try text(value).unicodeScalars {
                switch c {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&#34;"
                case "'": out += "&#39;"
                default: out.unicodeScalars.append(c)
                }
            }
            return try makeString(out)
        case "first":
            return try iterate(value).first ?? .undefined(reason: "no first item, sequence was empty")
        case "last":
            return try iterate(value).last ?? .undefined(reason: "no last item, sequence was empty")
        case "float":
            let fallback = arguments.value(0, "default") ?? .double(0)
            switch value {
            case .double: return value
            case .int, .bool: return .double(value.number!)
            case .string(let s): return Double(s.pythonStrip()).map { .double($0) } ?? fallback
            default: return fallback
            }
        case "format":
            let format = try text(value)
            return try makeString(try percentFormat(format, arguments.positional))
        case "indent":
            return try makeString(try indent(try text(value), arguments))
        case "int":
            return integer(value, default: arguments.value(0, "default") ?? .int(0),
                           base: arguments.value(1, "base")?.integer ?? 10)
        case "items":
            switch value {
            case .dict(let dict): return try makeList(try dict.entries.map { try makeList([.string($0.key), $0.value], isTuple: true) })
            case .undefined: return .list(ValueList([]))
            default: throw TemplateError(.runtime, "items expects a dictionary, got \(value.typeName)")
            }
        case "join":
            let separator = try text(arguments.value(0, "d") ?? .string(""))
            var items = try iterate(value)
            if let attribute = arguments.value(1, "attribute") {
                items = try items.map { try attributePath(of: $0, attribute) }
            }
            var out = BoundedText(limit: limits.maxOutputBytes)
            for (i, item) in items.enumerated() {
                if i > 0 { try out.append(separator) }
                try out.append(try text(item))
            }
            return .string(out.text)
        case "list":
            return try makeList(try iterate(value))
        case "lower":
            return .string(try text(value).lowercased())
        case "upper":
            return .string(try text(value).uppercased())
        case "map":
            return try makeList(try mapItems(try iterate(value), arguments))
        case "max", "min":
            let items = try iterate(value)
            let caseSensitive = arguments.value(0, "case_sensitive")?.isTruthy ?? false
            let attribute = arguments.value(1, "attribute")
            func key(_ v: Value) throws -> Value {
                let k = try attribute.map { try attributePath(of: v, $0) } ?? v
                return caseSensitive ? k : Self.foldCase(k)
            }
            guard var best = items.first else { return .undefined(reason: "no \(name) item, sequence was empty") }
            for item in items.dropFirst() {
                let better = name == "max" ? try key(best).lessThan(try key(item)) : try key(item).lessThan(try key(best))
                if better { best = item }
            }
            return best
        case "pprint":
            return try makeString(try value.repr(limit: limits.maxOutputBytes))
        case "reject", "select":
            let items = try iterate(value)
            let keep = name == "select"
            return try makeList(try items.filter { try passes($0, arguments, from: 0) == keep })
        case "rejectattr", "selectattr":
            let items = try iterate(value)
            let keep = name == "selectattr"
            let attribute = try requiredArgument(arguments, 0, "attribute", of: name)
            return try makeList(try items.filter { try passes(try attributePath(of: $0, attribute), arguments, from: 1) == keep })
        case "replace":
            let s = try text(value)
            let old = try text(try requiredArgument(arguments, 0, "old", of: name))
            let new = try text(try requiredArgument(arguments, 1, "new", of: name))
            let count = arguments.value(2, "count")?.integer
            return try makeString(try replace(s, old, new, count: count))
        case "reverse":
            switch value {
            case .string(let s): return .string(String(scalars: s.unicodeScalars.reversed()))
            default: return try makeList(try iterate(value).reversed())
            }
        case "round":
            guard let n = value.number else { throw TemplateError(.runtime, "round expects a number") }
            let precision = arguments.value(0, "precision")?.integer ?? 0
            let method = arguments.value(1, "method")?.stringValue ?? "common"
            return .double(Self.round(n, precision: precision, method: method))
        case "safe", "string":
            return name == "safe" ? value : .string(try text(value))
        case "sort":
            var items = try iterate(value)
            let reverse = arguments.value(0, "reverse")?.isTruthy ?? false
            let caseSensitive = arguments.value(1, "case_sensitive")?.isTruthy ?? false
            let attribute = arguments.value(2, "attribute")
            try stableSort(&items) { item in
                let k = try attribute.map { try self.attributePath(of: item, $0) } ?? item
                return caseSensitive ? k : Self.foldCase(k)
            }
            if reverse { items.reverse() }
            return try makeList(items)
        case "sum":
            let attribute = arguments.value(0, "attribute")
            var total = arguments.value(1, "start") ?? .int(0)
            for item in try iterate(value) {
                total = try binary(.add, total, try attribute.map { try attributePath(of: item, $0) } ?? item)
            }
            return total
        case "title":
            return .string(Self.titleCase(try text(value)))
        case "tojson":
            return try makeString(try toJSON(value, arguments))
        case "trim":
            let chars = arguments.value(0, "chars").flatMap { $0.isNone ? nil : $0 }
            return .string(try text(value).pythonStrip(try chars.map { try text($0) }))
        case "truncate":
            let s = try text(value)
            let length = arguments.value(0, "length")?.integer ?? 255
            let killWords = arguments.value(1, "killwords")?.isTruthy ?? false
            let end = try text(arguments.value(2, "end") ?? .string("..."))
            let leeway = arguments.value(3, "leeway")?.integer ?? 5
            let scalars = Array(s.unicodeScalars)
            if scalars.count <= length + leeway { return .string(s) }
            let cut = max(0, length - end.unicodeScalars.count)
            var kept = String(scalars: scalars[0..<min(cut, scalars.count)])
            if !killWords, let space = kept.lastIndex(of: " ") { kept = String(kept[..<space]) }
            return .string(kept + end)
        case "unique":
            let caseSensitive = arguments.value(0, "case_sensitive")?.isTruthy ?? false
            let attribute = arguments.value(1, "attribute")
            var seen: [Value] = []
            var result: [Value] = []
            for item in try iterate(value) {
                var k = try attribute.map { try attributePath(of: item, $0) } ?? item
                if !caseSensitive { k = Self.foldCase(k) }
                if !seen.contains(where: { $0.equals(k) }) {
                    seen.append(k)
                    result.append(item)
                }
            }
            return try makeList(result)
        case "wordcount":
            var count = 0
            var inWord = false
            for c in try text(value).unicodeScalars {
                let isWordCharacter = c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil
                if isWordCharacter && !inWord { count += 1 }
                inWord = isWordCharacter
            }
            return .int(count)
        default:
            throw TemplateError(.runtime, "unknown filter '\(name)'")
        }
    }

    func requiredArgument(_ arguments: Arguments, _ index: Int, _ name: String, of function: String) throws -> Value {
        guard let value = arguments.value(index, name) else {
            throw TemplateError(.runtime, "\(function) needs the argument '\(name)'")
        }
        return value
    }

    func length(of value: Value) throws -> Int {
        switch value {
        case .string(let s): return s.unicodeScalars.count
        case .list(let l): return l.items.count
        case .dict(let d): return d.count
        case .namespace(let ns): return ns.attributes.count
        case .undefined: return 0
        default: throw TemplateError(.runtime, "object of type '\(value.typeName)' has no len()")
        }
    }

    /// Looks up a dotted attribute path such as "function.name" (as map and selectattr accept).
    func attributePath(of value: Value, _ path: Value) throws -> Value {
        if let index = path.integer { return try item(of: value, .int(index)) }
        var current = value
        for part in try text(path).split(separator: ".", omittingEmptySubsequences: false) {
            if current.isUndefined { return current }
            if let index = Int(part) {
                current = try item(of: current, .int(index))
            } else {
                current = try item(of: current, .string(String(part)))
            }
        }
        return current
    }

    /// Whether `value` passes the test named by argument `from` (truthiness when there is none),
    /// with the arguments after it.
    private func passes(_ value: Value, _ arguments: Arguments, from index: Int) throws -> Bool {
        guard index < arguments.positional.count else { return value.isTruthy }
        let test = try text(arguments.positional[index])
        let rest = Arguments(positional: Array(arguments.positional[(index + 1)...]), keyword: arguments.keyword)
        return try applyTest(test, value, rest)
    }

    private func mapItems(_ items: [Value], _ arguments: Arguments) throws -> [Value] {
        if let attribute = arguments.keyword.first(where: { $0.name == "attribute" })?.value {
            let fallback = arguments.keyword.first { $0.name == "default" }?.value
            return try items.map { item in
                let v = try attributePath(of: item, attribute)
                return v.isUndefined ? (fallback ?? v) : v
            }
        }
        guard let filter = arguments.positional.first else { throw TemplateError(.runtime, "map needs a filter name or attribute=") }
        let filterName = try text(filter)
        let rest = Arguments(positional: Array(arguments.positional.dropFirst()), keyword: arguments.keyword)
        return try items.map { try applyFilter(filterName, $0, rest) }
    }

    /// Sorts `items` stably by `key`, with Python's ordering (an error for values without one).
    private func stableSort<T>(_ items: inout [T], by key: (T) throws -> Value) throws {
        let keyed = try items.enumerated().map { (offset: $0.offset, key: try key($0.element), element: $0.element) }
        var failure: Error?
        let sorted = keyed.sorted { a, b in
            if failure != nil { return false }
            do {
                if try a.key.lessThan(b.key) { return true }
                if try b.key.lessThan(a.key) { return false }
            } catch {
                failure = error
                return false
            }
            return a.offset < b.offset
        }
        if let failure { throw failure }
        items = sorted.map(\.element)
    }

    /// Lowercases strings so that sorting and comparing ignore case.
    private static func foldCase(_ value: Value) -> Value {
        if case .string(let s) = value { return .string(s.lowercased()) }
        return value
    }

    private func integer(_ value: Value, default fallback: Value, base: Int) -> Value {
        switch value {
        case .int: return value
        case .bool(let b): return .int(b ? 1 : 0)
        case .double(let d): return Int(exactly: d.rounded(.towardZero)).map { .int($0) } ?? fallback
        case .string(let s):
            var digits = s.pythonStrip().replacingUnderscores()
            if base == 16, digits.lowercased().hasPrefix("0x") { digits.removeFirst(2) }
            if let i = Int(digits, radix: max(2, min(36, base))) { return .int(i) }
            if let d = Double(s.pythonStrip()), let i = Int(exactly: d.rounded(.towardZero)) { return .int(i) }
            return fallback
        default: return fallback
        }
    }

    /// Jinja's indent filter: indents every line after the first (and the first with first=True);
    /// blank lines stay empty unless blank=True.
    private func indent(_ s: String, _ arguments: Arguments) throws -> String {
        let width = arguments.value(0, "width") ?? .int(4)
        let indentation: String
        if case .string(let w) = width { indentation = w } else { indentation = String(repeating: " ", count: min(max(0, width.integer ?? 4), 1000)) }
        let first = arguments.value(1, "first")?.isTruthy ?? false
        let blank = arguments.value(2, "blank")?.isTruthy ?? false
        var lines = (s + "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()
        var result: String
        if blank {
            result = lines.joined(separator: "\n" + indentation)
        } else {
            result = lines.isEmpty ? "" : lines[0]
            if lines.count > 1 {
                result += "\n" + lines.dropFirst().map { $0.isEmpty ? $0 : indentation + $0 }.joined(separator: "\n")
            }
        }
        if first { result = indentation + result }
        return result
    }

    /// `s` with `old` replaced by `new` (at most `count` times), refusing results over the size limit.
    func replace(_ s: String, _ old: String, _ new: String, count: Int?) throws -> String {
        let limit = count.map { $0 < 0 ? Int.max : $0 } ?? Int.max
        let source = Array(s.unicodeScalars)
        let pattern = Array(old.unicodeScalars)
        var out = BoundedText(limit: limits.maxOutputBytes)
        var pending = String.UnicodeScalarView()
        var replaced = 0
        var i = 0
        func flush() throws {
            try out.append(String(pending))
            pending = String.UnicodeScalarView()
        }
        if pattern.isEmpty {
            // Python inserts `new` before every character and at the end.
            for scalar in source {
                if replaced < limit {
                    try flush()
                    try out.append(new)
                    replaced += 1
                }
                pending.append(scalar)
            }
            try flush()
            if replaced < limit { try out.append(new) }
            return out.text
        }
        while i < source.count {
            if replaced < limit, i + pattern.count <= source.count, source[i..<i + pattern.count].elementsEqual(pattern) {
                try flush()
                try out.append(new)
                replaced += 1
                i += pattern.count
            } else {
                pending.append(source[i])
                i += 1
            }
        }
        try flush()
        return out.text
    }

    private func toJSON(_ value: Value, _ arguments: Arguments) throws -> String {
        var indent: String?
        if let i = arguments.keyword.first(where: { $0.name == "indent" })?.value ?? arguments.positional.first {
            switch i {
            case .none: indent = nil
            case .string(let s): indent = s
            default: indent = String(repeating: " ", count: min(max(0, i.integer ?? 0), 100))
            }
        }
        var separators: (item: String, key: String)?
        if case .list(let l)? = arguments.keyword.first(where: { $0.name == "separators" })?.value, l.items.count == 2 {
            separators = (try text(l.items[0]), try text(l.items[1]))
        }
        var subject = value
        if arguments.keyword.first(where: { $0.name == "sort_keys" })?.value.isTruthy == true {
            subject = Self.sortingKeys(value)
        }
        let asciiOnly = arguments.keyword.first(where: { $0.name == "ensure_ascii" })?.value.isTruthy ?? false
        return try subject.json(indent: indent, separators: separators, asciiOnly: asciiOnly, limit: limits.maxOutputBytes)
    }

    private static func sortingKeys(_ value: Value) -> Value {
        switch value {
        case .list(let l): return .list(ValueList(l.items.map(sortingKeys)))
        case .dict(let d):
            return .dict(ValueDict(d.entries.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) { $0.value < $1.value } }
                .map { ($0.key, sortingKeys($0.value)) }))
        default: return value
        }
    }

    /// Python's round() (half to even) or Jinja's ceil/floor methods, at `precision` decimals.
    static func round(_ n: Double, precision: Int, method: String) -> Double {
        let p = min(max(precision, -308), 308)
        var scale = 1.0
        for _ in 0..<abs(p) { scale *= 10 }
        let scaled = p >= 0 ? n * scale : n / scale
        let rule: FloatingPointRoundingRule = method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrEven
        let rounded = scaled.rounded(rule)
        return p >= 0 ? rounded / scale : rounded * scale
    }

    /// Jinja's title filter: each word (split at whitespace, '-', and opening brackets) gets an
    /// uppercase first letter and lowercase rest.
    static func titleCase(_ s: String) -> String {
        var out = ""
        var startOfWord = true
        for c in s {
            if c.isWhitespace || "-({[<".contains(c) {
                out.append(c)
                startOfWord = true
            } else if startOfWord {
                out += String(c).uppercased()
                startOfWord = false
            } else {
                out += String(c).lowercased()
            }
        }
        return out
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(unicodeScalars.filter { $0 != "_" }.map(Character.init))
    }
}
