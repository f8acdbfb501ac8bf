// Arithmetic, concatenation and comparison with Python's semantics: integers stay integers (an
// overflow is an error, not a wrap), / always gives a float, // and % floor toward minus infinity,
// + joins strings and lists, * repeats them, ~ joins anything as text. Using an undefined value in
// arithmetic is an error naming what was undefined, as in Jinja.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Interpreter {
    func binary(_ op: BinaryOperator, _ left: Value, _ right: Value) throws -> Value {
        if op == .concat {
            return try makeString(try left.text(limit: limits.maxOutputBytes) + right.text(limit: limits.maxOutputBytes))
        }
        if case .undefined(let reason) = left { throw TemplateError(.runtime, reason) }
        if case .undefined(let reason) = right { throw TemplateError(.runtime, reason) }
        switch (op, left, right) {
        case (.add, .string(let a), .string(let b)):
            return try makeString(a + b)
        case (.add, .list(let a), .list(let b)):
            return try makeList(a.items + b.items)
        case (.multiply, .string(let s), _) where right.integer != nil:
            return try repeatString(s, right.integer!)
        case (.multiply, _, .string(let s)) where left.integer != nil:
            return try repeatString(s, left.integer!)
        case (.multiply, .list(let l), _) where right.integer != nil:
            return try repeatList(l.items, right.integer!)
        case (.multiply, _, .list(let l)) where left.integer != nil:
            return try repeatList(l.items, left.integer!)
        case (.modulo, .string(let format), _):
            let arguments: [Value]
            if case .list(let l) = right { arguments = l.items } else { arguments = [right] }
            return try makeString(try percentFormat(format, arguments))
        default:
            break
        }
        if let a = left.integer, let b = right.integer, op != .divide {
            return .int(try integerArithmetic(op, a, b))
        }
        guard let a = left.number, let b = right.number else {
            throw TemplateError(.runtime, "unsupported operand type(s) for \(op.rawValue): '\(left.typeName)' and '\(right.typeName)'")
        }
        switch op {
        case .add: return .double(a + b)
        case .subtract: return .double(a - b)
        case .multiply: return .double(a * b)
        case .divide:
            guard b != 0 else { throw TemplateError(.runtime, "division by zero") }
            return .double(a / b)
        case .floorDivide:
            guard b != 0 else { throw TemplateError(.runtime, "float floor division by zero") }
            return .double((a / b).rounded(.down))
        case .modulo:
            guard b != 0 else { throw TemplateError(.runtime, "float modulo by zero") }
            let r = fmod(a, b)
            return .double(r != 0 && (r < 0) != (b < 0) ? r + b : r)
        case .power: return .double(pow(a, b))
        case .concat: fatalError("handled above")
        }
    }

    private func integerArithmetic(_ op: BinaryOperator, _ a: Int, _ b: Int) throws -> Int {
        func checked(_ result: (partialValue: Int, overflow: Bool)) throws -> Int {
            guard !result.overflow else { throw TemplateError.integerOverflow }
            return result.partialValue
        }
        switch op {
        case .add: return try checked(a.addingReportingOverflow(b))
        case .subtract: return try checked(a.subtractingReportingOverflow(b))
        case .multiply: return try checked(a.multipliedReportingOverflow(by: b))
        case .floorDivide, .modulo:
            guard b != 0 else { throw TemplateError(.runtime, "integer division or modulo by zero") }
            let q = try checked(a.dividedReportingOverflow(by: b))
            let r = a - q * b
            let adjust = r != 0 && (r < 0) != (b < 0)
            return op == .floorDivide ? (adjust ? q - 1 : q) : (adjust ? r + b : r)
        case .power:
            guard b >= 0 else { throw TemplateError(.runtime, "negative integer powers are not supported") }
            var result = 1
            for _ in 0..<min(b, 64) { result = try checked(result.multipliedReportingOverflow(by: a)) }
            if b > 64, a != 0, a != 1, a != -1 { throw TemplateError.integerOverflow }
            if b > 64, a == -1 { return b % 2 == 0 ? 1 : -1 }
            return b > 64 && a == 0 ? 0 : result
        case .divide, .concat: fatalError("not an integer operation")
        }
    }

    private func repeatString(_ s: String, _ times: Int) throws -> Value {
        guard times > 0, !s.isEmpty else { return .string("") }
        let (size, overflow) = s.utf8.count.multipliedReportingOverflow(by: times)
        guard !overflow, size <= limits.maxOutputBytes else { throw TemplateError.outputLimit(limits.maxOutputBytes) }
        return .string(String(repeating: s, count: times))
    }

    private func repeatList(_ items: [Value], _ times: Int) throws -> Value {
        guard times > 0, !items.isEmpty else { return .list(ValueList([])) }
        let (count, overflow) = items.count.multipliedReportingOverflow(by: times)
        guard !overflow else { try checkCount(Int.max); return .none }
        try checkCount(count)
        return try makeList(Array([[Value]](repeating: items, count: times).joined()))
    }

    /// Python's `format % arguments` for %s, %r, %d, %i, %f and %%.
    func percentFormat(_ format: String, _ arguments: [Value]) throws -> String {
        var out = ""
        var remaining = arguments[...]
        var scalars = format.unicodeScalars.makeIterator()
        while let c = scalars.next() {
            guard c == "%" else {
                out.unicodeScalars.append(c)
                continue
            }
            var spec = ""
            var conversion: Unicode.Scalar?
            while let next = scalars.next() {
                if "sridfgxXeEc%".unicodeScalars.contains(next) {
                    conversion = next
                    break
                }
                spec.unicodeScalars.append(next)
            }
            guard let conversion else { throw TemplateError(.runtime, "incomplete format") }
            if conversion == "%" {
                out += "%"
                continue
            }
            guard let argument = remaining.popFirst() else { throw TemplateError(.runtime, "not enough arguments for format string") }
            switch conversion {
            case "s": out += try argument.text(limit: limits.maxOutputBytes)
            case "r": out += try argument.repr(limit: limits.maxOutputBytes)
            case "d", "i":
                guard let n = argument.number, n.isFinite else { throw TemplateError(.runtime, "%d format: a number is required") }
                out += String(Int(exactly: n.rounded(.towardZero)) ?? 0)
            case "f":
                guard let n = argument.number else { throw TemplateError(.runtime, "%f format: a number is required") }
                let precision = Int(spec.split(separator: ".").last ?? "6") ?? 6
                out += formatFixed(n, precision: min(precision, 50))
            default:
                out += try argument.text(limit: limits.maxOutputBytes)
            }
            if out.utf8.count > limits.maxOutputBytes { throw TemplateError.outputLimit(limits.maxOutputBytes) }
        }
        guard remaining.isEmpty else { throw TemplateError(.runtime, "not all arguments converted during string formatting") }
        return out
    }

    /// `n` with exactly `precision` digits after the decimal point.
    func formatFixed(_ n: Double, precision: Int) -> String {
        guard n.isFinite else { return Value.pythonFloat(n) }
        var buffer = [CChar](repeating: 0, count: 400)
        let count = withVaList([precision, n]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
        guard count > 0, count < buffer.count else { return Value.pythonFloat(n) }
        return String(decoding: buffer[0..<Int(count)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func compare(_ op: ComparisonOperator, _ left: Value, _ right: Value) throws -> Bool {
        switch op {
        case .equal: return left.equals(right)
        case .notEqual: return !left.equals(right)
        case .contains: return try contains(right, left)
        case .notContains: return try !contains(right, left)
        default:
            if case .undefined(let reason) = left { throw TemplateError(.runtime, reason) }
            if case .undefined(let reason) = right { throw TemplateError(.runtime, reason) }
            switch op {
            case .less: return try left.lessThan(right)
            case .lessOrEqual: return try left.lessThan(right) || left.equals(right)
            case .greater: return try right.lessThan(left)
            default: return try right.lessThan(left) || left.equals(right)
            }
        }
    }

    /// Python's `item in container`.
    func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .string(let s):
            guard case .string(let needle) = item else {
                throw TemplateError(.runtime, "'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return s.containsScalars(of: needle)
        case .list(let l): return l.items.contains { $0.equals(item) }
        case .dict(let d):
            guard case .string(let key) = item else { return false }
            return d[key] != nil
        case .namespace(let ns):
            guard case .string(let key) = item else { return false }
            return ns.attributes[key] != nil
        case .undefined: return false
        default: throw TemplateError(.runtime, "argument of type '\(container.typeName)' is not iterable")
        }
    }
}
