// Moving between the caller's TemplateValue and the interpreter's Value, with nesting bounded.

extension Value {
    /// Converts caller data, refusing lists and dictionaries nested deeper than `maxDepth`.
    init(_ value: TemplateValue, maxDepth: Int, depth: Int = 0) throws {
        switch value {
        case .none: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .list(let items):
            guard depth < maxDepth else { throw TemplateError.nestingLimit(maxDepth) }
            self = .list(ValueList(try items.map { try Value($0, maxDepth: maxDepth, depth: depth + 1) }))
        case .dict(let dict):
            guard depth < maxDepth else { throw TemplateError.nestingLimit(maxDepth) }
            var result = ValueDict()
            for (key, item) in dict.entries {
                result[key] = try Value(item, maxDepth: maxDepth, depth: depth + 1)
            }
            self = .dict(result)
        }
    }
}

extension TemplateError {
    static func nestingLimit(_ limit: Int) -> TemplateError {
        TemplateError(.limitExceeded(limit: "maxNestingDepth"),
                      "lists and dictionaries nest deeper than maxNestingDepth (\(limit))")
    }
}
