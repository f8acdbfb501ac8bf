// Evaluating expressions: names, literals, attribute and item access (dictionary keys, Python-style
// methods), slices, calls, filters, tests, and the logical operators. Arithmetic and comparisons
// live in Interpreter+Operators.swift.

extension Constant {
    var value: Value {
        switch self {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        }
    }
}

extension Interpreter {
    func evaluate(_ expression: Expression) throws -> Value {
        try deeper {
            do {
                let value = try evaluateUnlocated(expression)
                try charge(value.cost)
                return value
            } catch let error as TemplateError where error.line == nil {
                guard let location = expression.location else { throw error }
                throw error.located(at: location)
            }
        }
    }

    private func evaluateUnlocated(_ expression: Expression) throws -> Value {
        switch expression {
        case .constant(let constant):
            return constant.value
        case .name(let name, _):
            return lookup(name)
        case .list(let items):
            return try makeList(try items.map { try evaluate($0) })
        case .tuple(let items):
            return try makeList(try items.map { try evaluate($0) }, isTuple: true)
        case .dict(let entries):
            var dict = ValueDict()
            for entry in entries {
                guard case .string(let key) = try evaluate(entry.key) else {
                    throw TemplateError(.runtime, "dictionary keys must be strings")
                }
                dict[key] = try evaluate(entry.value)
            }
            return try makeDict(dict)
        case .attribute(let base, let name, _):
            return try attribute(of: try evaluate(base), name)
        case .item(let base, let index, _):
            return try item(of: try evaluate(base), try evaluate(index))
        case .slice(let base, let start, let stop, let step, _):
            return try slice(try evaluate(base), start: try start.map { try evaluate($0) },
                             stop: try stop.map { try evaluate($0) }, step: try step.map { try evaluate($0) })
        case .call(let callee, let arguments, _):
            let function = try evaluate(callee)
            return try call(function, try evaluateArguments(arguments))
        case .filter(let base, let name, let arguments, _):
            return try applyFilter(name, try evaluate(base), try evaluateArguments(arguments))
        case .test(let base, let name, let arguments, let negated, _):
            let result = try applyTest(name, try evaluate(base), try evaluateArguments(arguments))
            return .bool(result != negated)
        case .unary(let op, let operand, _):
            let value = try evaluate(operand)
            if case .undefined(let reason) = value { throw TemplateError(.runtime, reason) }
            switch (op, value) {
            case (.negate, .int(let i)):
                guard i != Int.min else { throw TemplateError.integerOverflow }
                return .int(-i)
            case (.negate, .double(let d)): return .double(-d)
            case (.negate, .bool(let b)): return .int(b ? -1 : 0)
            case (.plus, .int), (.plus, .double): return value
            case (.plus, .bool(let b)): return .int(b ? 1 : 0)
            default: throw TemplateError(.runtime, "bad operand type for unary \(op == .negate ? "-" : "+"): '\(value.typeName)'")
            }
        case .binary(let op, let left, let right, _):
            return try binary(op, try evaluate(left), try evaluate(right))
        case .and(let left, let right):
            let l = try evaluate(left)
            return l.isTruthy ? try evaluate(right) : l
        case .or(let left, let right):
            let l = try evaluate(left)
            return l.isTruthy ? l : try evaluate(right)
        case .not(let operand):
            return .bool(!(try evaluate(operand)).isTruthy)
        case .compare(let first, let operations, _):
            var left = try evaluate(first)
            for operation in operations {
                let right = try evaluate(operation.operand)
                guard try compare(operation.op, left, right) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let condition, let then, let otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(then) }
            return try otherwise.map { try evaluate($0) } ?? .undefined(reason: "an inline if without else was false")
        }
    }

    func evaluateArguments(_ arguments: ArgumentExpressions) throws -> Arguments {
        Arguments(positional: try arguments.positional.map { try evaluate($0) },
                  keyword: try arguments.keyword.map { ($0.name, try evaluate($0.value)) })
    }

    func call(_ function: Value, _ arguments: Arguments) throws -> Value {
        switch function {
        case .callable(let callable): return try callable.body(self, arguments)
        case .undefined(let reason): throw TemplateError(.runtime, reason)
        default: throw TemplateError(.runtime, "'\(function.typeName)' object is not callable")
        }
    }

    /// `value.name`: a method of the value if it has one by that name, else a dictionary entry.
    func attribute(of value: Value, _ name: String) throws -> Value {
        switch value {
        case .undefined(let reason):
            throw TemplateError(.runtime, reason)
        case .dict(let dict):
            if let method = method(of: value, name) { return method }
            return dict[name] ?? .undefined(reason: "'dict object' has no attribute '\(name)'")
        case .namespace(let ns):
            return ns.attributes[name] ?? .undefined(reason: "'Namespace object' has no attribute '\(name)'")
        case .loop(let loop):
            return loop.attribute(name) ?? .undefined(reason: "'LoopContext object' has no attribute '\(name)'")
        default:
            return method(of: value, name) ?? .undefined(reason: "'\(value.typeName) object' has no attribute '\(name)'")
        }
    }

    /// `value[index]`: a list element (negative counts from the end), a character, a dictionary entry.
    func item(of value: Value, _ index: Value) throws -> Value {
        switch (value, index) {
        case (.undefined(let reason), _):
            throw TemplateError(.runtime, reason)
        case (.list(let l), _) where index.integer != nil:
            let i = index.integer!
            let position = i < 0 ? l.items.count + i : i
            guard position >= 0, position < l.items.count else { return .undefined(reason: "list index \(i) out of range") }
            return l.items[position]
        case (.string(let s), _) where index.integer != nil:
            let scalars = Array(s.unicodeScalars)
            let i = index.integer!
            let position = i < 0 ? scalars.count + i : i
            guard position >= 0, position < scalars.count else { return .undefined(reason: "string index \(i) out of range") }
            return .string(String(scalars[position]))
        case (.dict(let dict), .string(let key)):
            return dict[key] ?? method(of: value, key) ?? .undefined(reason: "'dict object' has no attribute '\(key)'")
        case (.namespace(let ns), .string(let key)):
            return ns.attributes[key] ?? .undefined(reason: "'Namespace object' has no attribute '\(key)'")
        case (.loop(let loop), .string(let key)):
            return loop.attribute(key) ?? .undefined(reason: "'LoopContext object' has no attribute '\(key)'")
        case (_, .string(let key)):
            return method(of: value, key) ?? .undefined(reason: "'\(value.typeName) object' has no attribute '\(key)'")
        default:
            return .undefined(reason: "'\(value.typeName) object' has no item \(try index.repr(limit: 200))")
        }
    }

    /// `value[start:stop:step]` on a list or string, with Python's rules.
    func slice(_ value: Value, start: Value?, stop: Value?, step: Value?) throws -> Value {
        func bound(_ v: Value?) throws -> Int? {
            guard let v, !v.isNone else { return nil }
            guard let i = v.integer else { throw TemplateError(.runtime, "slice indices must be integers or None") }
            return i
        }
        let (startIndex, stopIndex, stepValue) = (try bound(start), try bound(stop), try bound(step) ?? 1)
        guard stepValue != 0 else { throw TemplateError(.runtime, "slice step cannot be zero") }
        func indices(_ count: Int) -> [Int] {
            let (lower, upper) = stepValue > 0 ? (0, count) : (-1, count - 1)
            func clamp(_ index: Int?, _ fallback: Int) -> Int {
                guard var i = index else { return fallback }
                if i < 0 {
                    i += count
                    if i < lower { i = lower }
                } else if i > upper {
                    i = upper
                }
                return i
            }
            var i = clamp(startIndex, stepValue > 0 ? lower : upper)
            let end = clamp(stopIndex, stepValue > 0 ? upper : lower)
            var result: [Int] = []
            while stepValue > 0 ? i < end : i > end {
                result.append(i)
                i += stepValue
            }
            return result
        }
        switch value {
        case .list(let l):
            return try makeList(indices(l.items.count).map { l.items[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            return .string(String(scalars: indices(scalars.count).map { scalars[$0] }))
        case .undefined(let reason):
            throw TemplateError(.runtime, reason)
        default:
            throw TemplateError(.runtime, "'\(value.typeName)' object is not subscriptable")
        }
    }
}

extension Expression {
    /// Where this expression starts, for expressions that record it.
    var location: SourceLocation? {
        switch self {
        case .name(_, let l), .attribute(_, _, let l), .item(_, _, let l), .slice(_, _, _, _, let l),
             .call(_, _, let l), .filter(_, _, _, let l), .test(_, _, _, _, let l), .unary(_, _, let l),
             .binary(_, _, _, let l), .compare(_, _, let l):
            return l
        default:
            return nil
        }
    }
}

extension TemplateError {
    static let integerOverflow = TemplateError(.runtime, "integer overflow")
}
