// A cursor over the tokens of one tag, with the checks the parsers need.

struct TokenStream {
    let tokens: [Token]
    /// Where the tag ends, for errors about a missing token.
    let end: SourceLocation
    var position = 0

    init(_ tokens: [Token], end: SourceLocation) {
        self.tokens = tokens
        self.end = end
    }

    var current: Token? { position < tokens.count ? tokens[position] : nil }
    var atEnd: Bool { position >= tokens.count }

    func peek(_ offset: Int = 0) -> Token? {
        position + offset < tokens.count ? tokens[position + offset] : nil
    }

    var location: SourceLocation { current?.location ?? end }

    func error(_ message: String) -> TemplateError {
        TemplateError(.syntax, message, line: location.line, column: location.column)
    }

    /// A description of the current token for messages.
    var currentDescription: String {
        guard let t = current else { return "end of tag" }
        switch t.kind {
        case .string: return "string \(Value.pythonRepr(t.text))"
        default: return "'\(t.text)'"
        }
    }

    @discardableResult
    mutating func next() -> Token? {
        defer { position += 1 }
        return current
    }

    mutating func skipOp(_ op: String) -> Bool {
        guard current?.isOp(op) == true else { return false }
        position += 1
        return true
    }

    mutating func skipName(_ name: String) -> Bool {
        guard current?.isName(name) == true else { return false }
        position += 1
        return true
    }

    mutating func expectOp(_ op: String) throws {
        guard skipOp(op) else { throw error("expected '\(op)', got \(currentDescription)") }
    }

    mutating func expectName() throws -> String {
        guard let t = current, t.kind == .name else { throw error("expected a name, got \(currentDescription)") }
        position += 1
        return t.text
    }

    func expectEnd() throws {
        guard atEnd else { throw error("expected the end of the tag, got \(currentDescription)") }
    }
}
