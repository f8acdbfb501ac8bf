// Equality and ordering with Python's rules: numbers compare across int, float and bool; strings by
// code point; lists item by item; dictionaries by their entries whatever the order. Comparing values
// of unrelated types with < is an error, == just says false.

extension Value {
    /// The value as a number, when it is one (booleans count as 0 and 1, as in Python).
    var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The value as an integer, when it is an int or a bool.
    var integer: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// Python's ==.
    func equals(_ other: Value) -> Bool {
        switch (self, other) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.int(let a), .int(let b)): return a == b
        case (.list(let a), .list(let b)):
            return a.isTuple == b.isTuple && a.items.count == b.items.count && zip(a.items, b.items).allSatisfy { $0.equals($1) }
        case (.dict(let a), .dict(let b)):
            return a.count == b.count && a.entries.allSatisfy { entry in
                b[entry.key].map { entry.value.equals($0) } ?? false
            }
        case (.namespace(let a), .namespace(let b)): return a === b
        case (.callable(let a), .callable(let b)): return a === b
        default:
            if let a = number, let b = other.number { return a == b }
            return false
        }
    }

    /// Python's <; throws for values that have no order between them.
    func lessThan(_ other: Value) throws -> Bool {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a < b
        case (.string(let a), .string(let b)):
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
        case (.list(let a), .list(let b)):
            for (x, y) in zip(a.items, b.items) where !x.equals(y) {
                return try x.lessThan(y)
            }
            return a.items.count < b.items.count
        default:
            if let a = number, let b = other.number { return a < b }
            throw TemplateError(.runtime, "'<' not supported between instances of '\(typeName)' and '\(other.typeName)'")
        }
    }
}
