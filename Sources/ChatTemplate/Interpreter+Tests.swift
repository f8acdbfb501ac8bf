// Jinja's tests (`value is name(arguments)`), as chat templates use them to look at message shapes.

extension Interpreter {
    func applyTest(_ name: String, _ value: Value, _ arguments: Arguments) throws -> Bool {
        func argument() throws -> Value {
            guard let a = arguments.positional.first ?? arguments.keyword.first?.value else {
                throw TemplateError(.runtime, "the test '\(name)' needs an argument")
            }
            return a
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": return value.isNone
        case "boolean":
            if case .bool = value { return true }
            return false
        case "true":
            if case .bool(true) = value { return true }
            return false
        case "false":
            if case .bool(false) = value { return true }
            return false
        case "integer":
            if case .int = value { return true }
            return false
        case "float":
            if case .double = value { return true }
            return false
        case "number": return value.number != nil
        case "string":
            if case .string = value { return true }
            return false
        case "mapping":
            if case .dict = value { return true }
            return false
        case "iterable":
            switch value {
            case .string, .list, .dict, .undefined, .namespace: return true
            default: return false
            }
        case "sequence":
            switch value {
            case .string, .list, .dict: return true
            default: return false
            }
        case "callable":
            if case .callable = value { return true }
            return false
        case "sameas":
            let other = try argument()
            switch (value, other) {
            case (.namespace(let a), .namespace(let b)): return a === b
            case (.callable(let a), .callable(let b)): return a === b
            case (.none, .none), (.undefined, .undefined): return true
            case (.bool(let a), .bool(let b)): return a == b
            default: return false
            }
        case "equalto", "eq", "==": return value.equals(try argument())
        case "ne", "!=": return !value.equals(try argument())
        case "lt", "lessthan", "<": return try compare(.less, value, try argument())
        case "le", "<=": return try compare(.lessOrEqual, value, try argument())
        case "gt", "greaterthan", ">": return try compare(.greater, value, try argument())
        case "ge", ">=": return try compare(.greaterOrEqual, value, try argument())
        case "in": return try contains(try argument(), value)
        case "odd", "even":
            guard let i = value.integer else { throw TemplateError(.runtime, "the test '\(name)' needs an integer") }
            return (i % 2 != 0) == (name == "odd")
        case "divisibleby":
            guard let i = value.integer, let d = try argument().integer else {
                throw TemplateError(.runtime, "divisibleby needs integers")
            }
            guard d != 0 else { throw TemplateError(.runtime, "integer division or modulo by zero") }
            return i % d == 0
        case "lower":
            guard case .string(let s) = value else { return false }
            return s == s.lowercased() && s != s.uppercased()
        case "upper":
            guard case .string(let s) = value else { return false }
            return s == s.uppercased() && s != s.lowercased()
        case "escaped": return false
        case "filter", "test":
            return false
        default:
            throw TemplateError(.runtime, "unknown test '\(name)'")
        }
    }
}
