// Builds the node tree from the lexer's segments: text, `{{ }}` outputs and the block statements
// if/elif/else, for/else, set (plain, namespace attribute, tuple, block), macro, call, filter,
// with, break/continue and transformers' generation tag.

struct Parser {
    private let segments: [Segment]
    private var index = 0
    private let maxDepth: Int
    private var depth = 0
    private var loopDepth = 0

    init(_ segments: [Segment], limits: TemplateLimits) {
        self.segments = segments
        maxDepth = limits.maxNestingDepth
    }

    /// Parses the whole template.
    mutating func parseTemplate() throws -> [Node] {
        let (nodes, end) = try parseBody(until: [])
        if let end {
            throw TemplateError(.syntax, "unexpected '\(end.name)'", line: end.start.line, column: end.start.column)
        }
        return nodes
    }

    /// The statement that ended a body: its keyword, the rest of its tokens, and where it starts.
    private struct BodyEnd {
        var name: String
        var stream: TokenStream
        var start: SourceLocation
    }

    /// Parses nodes until a statement whose keyword is in `terminators` (returned, consumed) or the end
    /// of the template (nil). A block keyword that is not expected here ends the body too, so the
    /// caller can report it.
    private mutating func parseBody(until terminators: Set<String>) throws -> ([Node], BodyEnd?) {
        var nodes: [Node] = []
        while index < segments.count {
            let segment = segments[index]
            index += 1
            switch segment {
            case .text(let text):
                nodes.append(.text(text))
            case .output(let tokens, let start, let end):
                var parser = ExpressionParser(TokenStream(tokens, end: end), maxDepth: maxDepth)
                guard !tokens.isEmpty else {
                    throw TemplateError(.syntax, "empty expression", line: start.line, column: start.column)
                }
                let expr = try parser.parseTupleOrExpression()
                try parser.stream.expectEnd()
                nodes.append(.output(expr, start))
            case .statement(let tokens, let start, let end):
                var stream = TokenStream(tokens, end: end)
                guard let keyword = stream.current, keyword.kind == .name else {
                    throw TemplateError(.syntax, "expected a statement name", line: start.line, column: start.column)
                }
                stream.next()
                if terminators.contains(keyword.text) || Self.closingKeywords.contains(keyword.text) {
                    return (nodes, BodyEnd(name: keyword.text, stream: stream, start: start))
                }
                nodes.append(try parseStatement(keyword.text, stream, start))
            }
        }
        return (nodes, nil)
    }

    private static let closingKeywords: Set<String> = [
        "elif", "else", "endif", "endfor", "endset", "endmacro", "endcall", "endfilter", "endwith",
        "endgeneration", "endraw", "endblock",
    ]

    /// Parses a nested body that must end with one of `terminators`.
    private mutating func parseBlock(_ terminators: Set<String>, opening: String, at start: SourceLocation)
        throws -> ([Node], BodyEnd)
    {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else {
            throw TemplateError(.limitExceeded(limit: "maxNestingDepth"),
                                "blocks nested deeper than maxNestingDepth (\(maxDepth))", line: start.line, column: start.column)
        }
        let (nodes, end) = try parseBody(until: terminators)
        guard let end else {
            let expected = terminators.sorted().map { "'\($0)'" }.joined(separator: " or ")
            throw TemplateError(.syntax, "unclosed '\(opening)': expected \(expected) before the end of the template",
                                line: start.line, column: start.column)
        }
        guard terminators.contains(end.name) else {
            throw TemplateError(.syntax, "unexpected '\(end.name)' inside '\(opening)'", line: end.start.line, column: end.start.column)
        }
        return (nodes, end)
    }

    private func expressionParser(_ stream: TokenStream) -> ExpressionParser {
        ExpressionParser(stream, maxDepth: maxDepth)
    }

    private mutating func parseStatement(_ keyword: String, _ stream: TokenStream, _ start: SourceLocation) throws -> Node {
        switch keyword {
        case "if": return try parseIf(stream, start)
        case "for": return try parseFor(stream, start)
        case "set": return try parseSet(stream, start)
        case "macro": return try parseMacro(stream, start)
        case "call": return try parseCall(stream, start)
        case "filter": return try parseFilterBlock(stream, start)
        case "with": return try parseWith(stream, start)
        case "generation":
            try stream.expectEnd()
            let (body, end) = try parseBlock(["endgeneration"], opening: "generation", at: start)
            try end.stream.expectEnd()
            return .group(body)
        case "break", "continue":
            try stream.expectEnd()
            guard loopDepth > 0 else {
                throw TemplateError(.syntax, "'\(keyword)' outside of a loop", line: start.line, column: start.column)
            }
            return .loopControl(isBreak: keyword == "break")
        case "include", "import", "from", "extends", "block":
            throw TemplateError(.syntax, "'\(keyword)' is not supported in chat templates", line: start.line, column: start.column)
        default:
            throw TemplateError(.syntax, "unknown statement '\(keyword)'", line: start.line, column: start.column)
        }
    }

    private mutating func parseIf(_ stream: TokenStream, _ start: SourceLocation) throws -> Node {
        var branches: [(condition: Expression, body: [Node])] = []
        var condition = expressionParser(stream)
        var current = try condition.parseExpression()
        try condition.stream.expectEnd()
        while true {
            let (body, end) = try parseBlock(["elif", "else", "endif"], opening: "if", at: start)
            branches.append((current, body))
            switch end.name {
            case "elif":
                var p = expressionParser(end.stream)
                current = try p.parseExpression()
                try p.stream.expectEnd()
            case "else":
                try end.stream.expectEnd()
                let (otherwise, last) = try parseBlock(["endif"], opening: "else", at: end.start)
                try last.stream.expectEnd()
                return .conditional(branches: branches, otherwise: otherwise)
            default:
                try end.stream.expectEnd()
                return .conditional(branches: branches, otherwise: [])
            }
        }
    }

    private mutating func parseFor(_ stream: TokenStream, _ start: SourceLocation) throws -> Node {
        var p = expressionParser(stream)
        let target = try parseTarget(&p.stream, allowAttribute: false)
        guard p.stream.skipName("in") else { throw p.stream.error("expected 'in', got \(p.stream.currentDescription)") }
        let iterable = try p.parseTupleOrExpression(withConditional: false)
        let condition = p.stream.skipName("if") ? try p.parseExpression() : nil
        if p.stream.skipName("recursive") { throw p.stream.error("recursive loops are not supported") }
        try p.stream.expectEnd()
        loopDepth += 1
        let (body, end) = try parseBlock(["else", "endfor"], opening: "for", at: start)
        loopDepth -= 1
        try end.stream.expectEnd()
        var otherwise: [Node] = []
        if end.name == "else" {
            let (elseBody, last) = try parseBlock(["endfor"], opening: "for", at: start)
            try last.stream.expectEnd()
            otherwise = elseBody
        }
        return .forLoop(ForLoop(target: target, iterable: iterable, condition: condition, body: body,
                                otherwise: otherwise, location: start))
    }

    /// A name, `ns.attribute`, or names separated by commas (optionally in parentheses).
    private func parseTarget(_ stream: inout TokenStream, allowAttribute: Bool) throws -> AssignTarget {
        let parenthesized = stream.skipOp("(")
        var names = [try stream.expectName()]
        if !parenthesized, allowAttribute, stream.skipOp(".") {
            return .attribute(names[0], try stream.expectName())
        }
        while stream.skipOp(",") {
            if stream.current?.kind != .name { break }
            names.append(try stream.expectName())
        }
        if parenthesized { try stream.expectOp(")") }
        return names.count == 1 && !parenthesized ? .name(names[0]) : .tuple(names)
    }

    private mutating func parseSet(_ stream: TokenStream, _ start: SourceLocation) throws -> Node {
        var p = expressionParser(stream)
        let target = try parseTarget(&p.stream, allowAttribute: true)
        if p.stream.skipOp("=") {
            let value = try p.parseTupleOrExpression()
            try p.stream.expectEnd()
            return .assign(target, value, start)
        }
        let filters = try parseFilterChain(&p, requireFirst: false)
        try p.stream.expectEnd()
        let (body, end) = try parseBlock(["endset"], opening: "set", at: start)
        try end.stream.expectEnd()
        return .capture(target, filters: filters, body: body, start)
    }

    /// `| name(args) | name2 ...`; with `requireFirst` the first name needs no `|`.
    private func parseFilterChain(_ p: inout ExpressionParser, requireFirst: Bool) throws -> [FilterApplication] {
        var filters: [FilterApplication] = []
        var first = requireFirst
        while first || p.stream.skipOp("|") {
            first = false
            let location = p.stream.location
            var name = try p.stream.expectName()
            while p.stream.current?.isOp(".") == true {
                p.stream.next()
                name += "." + (try p.stream.expectName())
            }
            let arguments = p.stream.skipOp("(") ? try p.parseCallArguments() : ArgumentExpressions()
            filters.append(FilterApplication(name: name, arguments: arguments, location: location))
        }
        return filters
    }

    /// `(a, b=default, ...)` of a macro or call block.
    private func parseParameters(_ p: inout ExpressionParser) throws -> [MacroParameter] {
        var parameters: [MacroParameter] = []
        try p.stream.expectOp("(")
        while !p.stream.skipOp(")") {
            if !parameters.isEmpty { try p.stream.expectOp(",") }
            if p.stream.skipOp(")") { break }
            let name = try p.stream.expectName()
            let defaultValue = p.stream.skipOp("=") ? try p.parseExpression() : nil
            parameters.append(MacroParameter(name: name, defaultValue: defaultValue))
        }
        return parameters
    }

    private mutating func parseMacro(_ stream: TokenStream, _ start: SourceLocation) throws -> Node {
        var p = expressionParser(stream)
        let name = try p.stream.expectName()
        let parameters = try parseParameters(&p)
        try p.stream.expectEnd()
        let savedLoopDepth = loopDepth
        loopDepth = 0
        defer { loopDepth = savedLoopDepth }
        let (body, end) = try parseBlock(["endmacro"], opening: "macro", at: start)
        var endStream = end.stream
        _ = endStream.skipName(name)
        try endStream.expectEnd()
        return .macro(MacroDefinition(name: name, parameters: parameters, body: body, location: start))
    }

    private mutating func parseCall(_ stream: TokenStream, _ start: SourceLocation) throws -> Node {
        var p = expressionParser(stream)
        let parameters = p.stream.current?.isOp("(") == true ? try parseParameters(&p) : []
        let call = try p.parseExpression()
        guard case .call = call else { throw p.stream.error("expected a macro call after 'call'") }
        try p.stream.expectEnd()
        let savedLoopDepth = loopDepth
        loopDepth = 0
        defer { loopDepth = savedLoopDepth }
        let (body, end) = try parseBlock(["endcall"], opening: "call", at: start)
        try end.stream.expectEnd()
        return .callBlock(CallBlock(call: call, parameters: parameters, body: body, location: start))
    }

    private mutating func parseFilterBlock(_ stream: TokenStream, _ start: SourceLocation) throws -> Node {
        var p = expressionParser(stream)
        let filters = try parseFilterChain(&p, requireFirst: true)
        try p.stream.expectEnd()
        let (body, end) = try parseBlock(["endfilter"], opening: "filter", at: start)
        try end.stream.expectEnd()
        return .filterBlock(filters, body: body)
    }

    private mutating func parseWith(_ stream: TokenStream, _ start: SourceLocation) throws -> Node {
        var p = expressionParser(stream)
        var assignments: [(AssignTarget, Expression)] = []
        while !p.stream.atEnd {
            if !assignments.isEmpty { try p.stream.expectOp(",") }
            let target = try parseTarget(&p.stream, allowAttribute: false)
            try p.stream.expectOp("=")
            assignments.append((target, try p.parseExpression()))
        }
        let (body, end) = try parseBlock(["endwith"], opening: "with", at: start)
        try end.stream.expectEnd()
        return .scope(assignments: assignments, body: body, start)
    }
}
