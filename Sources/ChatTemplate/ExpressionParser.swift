// Parses expressions inside a tag with Jinja's grammar and precedence, loosest first:
//   a if c else b  <  or  <  and  <  not  <  comparisons, in, not in  <  + -  <  ~  <  * / // %
//   <  **  <  unary - +  <  primary with .attr [item] (call), then | filter and `is` test.
// Filters bind tighter than any binary operator: 'a' + b | trim is 'a' + (b | trim).

struct ExpressionParser {
    var stream: TokenStream
    let maxDepth: Int
    private var depth = 0

    init(_ stream: TokenStream, maxDepth: Int) {
        self.stream = stream
        self.maxDepth = maxDepth
    }

    private mutating func nested<T>(_ body: (inout ExpressionParser) throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else {
            throw TemplateError(.limitExceeded(limit: "maxNestingDepth"),
                                "expression nested deeper than maxNestingDepth (\(maxDepth))",
                                line: stream.location.line, column: stream.location.column)
        }
        return try body(&self)
    }

    /// A full expression, including `a if c else b`.
    mutating func parseExpression() throws -> Expression {
        try nested { p in
            var expr = try p.parseOr()
            while p.stream.skipName("if") {
                let condition = try p.parseOr()
                let otherwise = p.stream.skipName("else") ? try p.parseExpression() : nil
                expr = .conditional(condition: condition, then: expr, otherwise: otherwise)
            }
            return expr
        }
    }

    /// An expression or a bare tuple `a, b` (treated as a list), as after `set x =` or in `{{ }}`.
    mutating func parseTupleOrExpression(withConditional: Bool = true) throws -> Expression {
        let first = withConditional ? try parseExpression() : try parseOr()
        guard stream.current?.isOp(",") == true else { return first }
        var items = [first]
        while stream.skipOp(",") {
            if stream.atEnd || stream.current?.isName("if") == true || stream.current?.isOp(")") == true { break }
            items.append(withConditional ? try parseExpression() : try parseOr())
        }
        return .tuple(items)
    }

    mutating func parseOr() throws -> Expression {
        var left = try parseAnd()
        while stream.skipName("or") { left = .or(left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws -> Expression {
        var left = try parseNot()
        while stream.skipName("and") { left = .and(left, try parseNot()) }
        return left
    }

    mutating func parseNot() throws -> Expression {
        if stream.current?.isName("not") == true {
            stream.next()
            return try nested { p in .not(try p.parseNot()) }
        }
        return try parseCompare()
    }

    mutating func parseCompare() throws -> Expression {
        let location = stream.location
        let left = try parseMath1()
        var operations: [(op: ComparisonOperator, operand: Expression)] = []
        while let t = stream.current {
            if t.kind == .op, let op = ComparisonOperator(rawValue: t.text) {
                stream.next()
                operations.append((op, try parseMath1()))
            } else if t.isName("in") {
                stream.next()
                operations.append((.contains, try parseMath1()))
            } else if t.isName("not"), stream.peek(1)?.isName("in") == true {
                stream.position += 2
                operations.append((.notContains, try parseMath1()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : .compare(left, operations, location)
    }

    private mutating func parseBinary(_ ops: [BinaryOperator], operand: (inout ExpressionParser) throws -> Expression)
        throws -> Expression
    {
        var left = try operand(&self)
        while let t = stream.current, t.kind == .op, let op = BinaryOperator(rawValue: t.text), ops.contains(op) {
            stream.next()
            left = .binary(op, left, try operand(&self), t.location)
        }
        return left
    }

    mutating func parseMath1() throws -> Expression {
        try parseBinary([.add, .subtract]) { try $0.parseConcat() }
    }

    mutating func parseConcat() throws -> Expression {
        try parseBinary([.concat]) { try $0.parseMath2() }
    }

    mutating func parseMath2() throws -> Expression {
        try parseBinary([.multiply, .divide, .floorDivide, .modulo]) { try $0.parsePower() }
    }

    mutating func parsePower() throws -> Expression {
        try parseBinary([.power]) { try $0.parseUnary() }
    }

    mutating func parseUnary(withFilters: Bool = true) throws -> Expression {
        let location = stream.location
        var expr: Expression
        if stream.skipOp("-") {
            expr = try nested { p in .unary(.negate, try p.parseUnary(withFilters: false), location) }
        } else if stream.skipOp("+") {
            expr = try nested { p in .unary(.plus, try p.parseUnary(withFilters: false), location) }
        } else {
            expr = try parsePostfix(try parsePrimary())
        }
        return withFilters ? try parseFilters(expr) : expr
    }

    mutating func parsePrimary() throws -> Expression {
        guard let t = stream.current else { throw stream.error("expected an expression, got end of tag") }
        switch t.kind {
        case .name:
            stream.next()
            switch t.text {
            case "true", "True": return .constant(.bool(true))
            case "false", "False": return .constant(.bool(false))
            case "none", "None": return .constant(.none)
            default: return .name(t.text, t.location)
            }
        case .string:
            var text = t.text
            stream.next()
            while let more = stream.current, more.kind == .string {
                text += more.text
                stream.next()
            }
            return .constant(.string(text))
        case .integer:
            stream.next()
            guard let i = Int(t.text) else { throw TemplateError(.syntax, "integer literal too large: \(t.text)", line: t.location.line, column: t.location.column) }
            return .constant(.int(i))
        case .float:
            stream.next()
            return .constant(.double(Double(t.text) ?? .infinity))
        case .op:
            switch t.text {
            case "(":
                stream.next()
                if stream.skipOp(")") { return .tuple([]) }
                let expr = try nested { p in try p.parseTupleOrExpression() }
                try stream.expectOp(")")
                return expr
            case "[":
                stream.next()
                var items: [Expression] = []
                while !stream.skipOp("]") {
                    if !items.isEmpty { try stream.expectOp(",") }
                    if stream.skipOp("]") { break }
                    items.append(try parseExpression())
                }
                return .list(items)
            case "{":
                stream.next()
                var entries: [(key: Expression, value: Expression)] = []
                while !stream.skipOp("}") {
                    if !entries.isEmpty { try stream.expectOp(",") }
                    if stream.skipOp("}") { break }
                    let key = try parseExpression()
                    try stream.expectOp(":")
                    entries.append((key, try parseExpression()))
                }
                return .dict(entries)
            default:
                throw stream.error("unexpected \(stream.currentDescription)")
            }
        }
    }

    mutating func parsePostfix(_ base: Expression) throws -> Expression {
        var expr = base
        while let t = stream.current, t.kind == .op {
            switch t.text {
            case ".":
                stream.next()
                guard let name = stream.current, name.kind == .name || name.kind == .integer else {
                    throw stream.error("expected an attribute name after '.', got \(stream.currentDescription)")
                }
                stream.next()
                expr = name.kind == .name ? .attribute(expr, name.text, t.location)
                                          : .item(expr, .constant(.int(Int(name.text) ?? 0)), t.location)
            case "[":
                stream.next()
                expr = try parseSubscript(expr, location: t.location)
            case "(":
                stream.next()
                expr = .call(expr, try parseCallArguments(), expr.location ?? t.location)
            default:
                return expr
            }
        }
        return expr
    }

    /// After `[`: an index or a slice `start:stop:step`.
    private mutating func parseSubscript(_ base: Expression, location: SourceLocation) throws -> Expression {
        var parts: [Expression?] = [nil]
        var isSlice = false
        while !stream.skipOp("]") {
            if stream.current?.isOp(":") == true {
                guard parts.count < 3 else { throw stream.error("too many ':' in a slice") }
                stream.next()
                isSlice = true
                parts.append(nil)
            } else {
                guard parts[parts.count - 1] == nil else { throw stream.error("expected ']' or ':', got \(stream.currentDescription)") }
                parts[parts.count - 1] = try parseExpression()
            }
        }
        if !isSlice {
            guard let index = parts[0] else { throw stream.error("expected an index inside '[]'") }
            return .item(base, index, location)
        }
        while parts.count < 3 { parts.append(nil) }
        return .slice(base, start: parts[0], stop: parts[1], step: parts[2], location)
    }

    /// After `(`: positional and keyword arguments up to `)`.
    mutating func parseCallArguments() throws -> ArgumentExpressions {
        var arguments = ArgumentExpressions()
        var first = true
        while !stream.skipOp(")") {
            if !first { try stream.expectOp(",") }
            first = false
            if stream.skipOp(")") { break }
            if let t = stream.current, t.kind == .name, stream.peek(1)?.isOp("=") == true {
                stream.position += 2
                arguments.keyword.append((t.text, try parseExpression()))
            } else {
                guard arguments.keyword.isEmpty else { throw stream.error("positional argument after keyword argument") }
                if stream.current?.isOp("*") == true || stream.current?.isOp("**") == true {
                    throw stream.error("*args and **kwargs in calls are not supported")
                }
                arguments.positional.append(try parseExpression())
            }
        }
        return arguments
    }

    /// `| filter(args)` and `is [not] test args`, repeated.
    mutating func parseFilters(_ base: Expression) throws -> Expression {
        var expr = base
        while let t = stream.current {
            if t.isOp("|") {
                stream.next()
                let name = try parseDottedName()
                let arguments = stream.skipOp("(") ? try parseCallArguments() : ArgumentExpressions()
                expr = .filter(expr, name: name, arguments, t.location)
            } else if t.isName("is") {
                stream.next()
                let negated = stream.skipName("not")
                let name = try parseDottedName()
                var arguments = ArgumentExpressions()
                if stream.skipOp("(") {
                    arguments = try parseCallArguments()
                } else if let a = stream.current, Self.startsTestArgument(a) {
                    arguments.positional = [try parsePostfix(try parsePrimary())]
                }
                expr = .test(expr, name: name, arguments, negated: negated, t.location)
            } else if t.isOp("(") {
                stream.next()
                expr = .call(expr, try parseCallArguments(), expr.location ?? t.location)
            } else {
                return expr
            }
        }
        return expr
    }

    /// Whether `token` begins the bare argument of a test, as in `x is divisibleby 3`.
    private static func startsTestArgument(_ token: Token) -> Bool {
        switch token.kind {
        case .string, .integer, .float: return true
        case .name: return !["else", "or", "and", "if", "not", "in", "is"].contains(token.text)
        case .op: return token.text == "[" || token.text == "{"
        }
    }

    private mutating func parseDottedName() throws -> String {
        var name = try stream.expectName()
        while stream.current?.isOp(".") == true, stream.peek(1)?.kind == .name {
            stream.next()
            name += "." + (try stream.expectName())
        }
        return name
    }
}
