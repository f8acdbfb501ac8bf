// The values a template computes with while it renders. Beyond plain data they include Jinja's
// "undefined" (a missing variable or attribute), namespaces (the one mutable object a template may
// change) and callables (macros, builtin functions, bound methods such as `content.strip`).
// Lists and dictionaries are immutable, as in the sandboxed Jinja environment transformers uses,
// and they remember how deeply they nest so that nesting can be bounded cheaply.

/// A value during rendering.
enum Value {
    /// A missing variable or attribute; `reason` says which, for the error if it is used.
    case undefined(reason: String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list(ValueList)
    case dict(ValueDict)
    case namespace(Namespace)
    case callable(Callable)
    /// The `loop` variable of a for loop.
    case loop(LoopContext)

    static func undefinedName(_ name: String) -> Value {
        .undefined(reason: "'\(name)' is undefined")
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// The string this value holds, if it is a string.
    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var isNone: Bool {
        if case .none = self { return true }
        return false
    }

    /// How deeply lists and dictionaries nest inside this value (0 for anything else).
    var depth: Int {
        switch self {
        case .list(let l): return l.depth
        case .dict(let d): return d.depth
        default: return 0
        }
    }

    /// How many elements this value holds, counting those of nested lists and dictionaries
    /// (0 for anything else): a bound on the work of comparing, printing or copying it.
    var size: Int {
        switch self {
        case .list(let l): return l.size
        case .dict(let d): return d.size
        default: return 0
        }
    }

    /// What evaluating this value is charged against maxWork: its bytes or elements.
    var cost: Int {
        switch self {
        case .string(let s): return 1 + s.utf8.count
        default: return 1 + size
        }
    }

    /// Python's name for this value's type, as Jinja's messages print it.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .callable: return "function"
        case .loop: return "LoopContext"
        }
    }

    /// Python truthiness.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.items.isEmpty
        case .dict(let d): return !d.isEmpty
        case .namespace, .callable, .loop: return true
        }
    }
}

/// An immutable list (or Python tuple, which prints in parentheses) with its nesting depth and
/// total element count.
struct ValueList {
    let items: [Value]
    let depth: Int
    let size: Int
    let isTuple: Bool

    init(_ items: [Value], isTuple: Bool = false) {
        self.items = items
        self.isTuple = isTuple
        var deepest = 0
        var total = items.count
        for item in items {
            switch item {
            case .list(let l):
                deepest = max(deepest, l.depth)
                total = total.addingReportingOverflow(l.size).partialValue
            case .dict(let d):
                deepest = max(deepest, d.depth)
                total = total.addingReportingOverflow(d.size).partialValue
            default:
                break
            }
            if total < 0 { total = Int.max }
        }
        depth = 1 + deepest
        size = total
    }

    /// A list whose items are known to hold no lists or dictionaries.
    init(flat items: [Value]) {
        self.items = items
        isTuple = false
        depth = 1
        size = items.count
    }
}

/// A dictionary with string keys that keeps insertion order, with its nesting depth and total
/// element count.
struct ValueDict {
    private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]
    private(set) var depth = 1
    private(set) var size = 0

    init() {}

    init(_ pairs: [(String, Value)]) {
        for (key, value) in pairs { self[key] = value }
    }

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }
    var entries: [(key: String, value: Value)] { keys.map { ($0, storage[$0]!) } }
    var values: [Value] { keys.map { storage[$0]! } }

    subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            guard let newValue else {
                if let old = storage.removeValue(forKey: key) {
                    keys.removeAll { $0 == key }
                    size -= 1 + old.size
                }
                return
            }
            if let old = storage.updateValue(newValue, forKey: key) {
                size -= 1 + old.size
            } else {
                keys.append(key)
            }
            let (total, overflow) = size.addingReportingOverflow(1 + newValue.size)
            size = overflow ? Int.max : total
            depth = max(depth, 1 + newValue.depth)
        }
    }
}

/// The object `namespace()` makes: attributes a template may assign with `{% set ns.x = ... %}`,
/// which is how templates carry state out of a loop.
final class Namespace {
    var attributes: ValueDict

    init(_ attributes: ValueDict) {
        self.attributes = attributes
    }
}

/// Jinja's `loop` variable: one object per for loop, moved forward at each iteration, whose
/// attributes (index, first, last, length, previtem, cycle...) are computed when read.
final class LoopContext {
    let items: [Value]
    var index = 0

    init(items: [Value]) {
        self.items = items
    }

    func attribute(_ name: String) -> Value? {
        let count = items.count
        switch name {
        case "index": return .int(index + 1)
        case "index0": return .int(index)
        case "revindex": return .int(count - index)
        case "revindex0": return .int(count - index - 1)
        case "first": return .bool(index == 0)
        case "last": return .bool(index == count - 1)
        case "length": return .int(count)
        case "depth": return .int(1)
        case "depth0": return .int(0)
        case "previtem": return index > 0 ? items[index - 1] : nil
        case "nextitem": return index + 1 < count ? items[index + 1] : nil
        case "cycle":
            let position = index
            return .callable(Callable("loop.cycle") { _, arguments in
                guard !arguments.positional.isEmpty else { throw TemplateError(.runtime, "no items for cycling given") }
                return arguments.positional[position % arguments.positional.count]
            })
        default: return nil
        }
    }
}

/// Arguments of a call, a filter or a test.
struct Arguments {
    var positional: [Value] = []
    var keyword: [(name: String, value: Value)] = []

    /// The argument at `index`, or the keyword argument `name`, or nil.
    func value(_ index: Int, _ name: String) -> Value? {
        if index < positional.count { return positional[index] }
        return keyword.first { $0.name == name }?.value
    }
}

/// Something a template can call: a macro, a builtin function or a bound method.
final class Callable {
    let name: String
    let body: (Interpreter, Arguments) throws -> Value

    init(_ name: String, _ body: @escaping (Interpreter, Arguments) throws -> Value) {
        self.name = name
        self.body = body
    }
}
