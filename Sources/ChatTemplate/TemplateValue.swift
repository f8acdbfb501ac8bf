// The data a caller hands to a template: JSON-like values (none, booleans, numbers, strings, lists and
// dictionaries whose keys keep their insertion order, as Python's dicts do, so that `tojson` prints
// tool schemas in the order they were written).

/// A value passed into a chat template, such as a message, the list of tools or a flag.
public enum TemplateValue: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([TemplateValue])
    case dict(TemplateDictionary)

    /// The string this value holds, if it is a string.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements of this value, if it is a list.
    public var list: [TemplateValue]? {
        if case .list(let items) = self { return items }
        return nil
    }

    /// The dictionary this value holds, if it is one.
    public var dict: TemplateDictionary? {
        if case .dict(let d) = self { return d }
        return nil
    }

    /// Looks up `key` when this value is a dictionary.
    public subscript(key: String) -> TemplateValue? {
        dict?[key]
    }
}

/// A dictionary of template values that remembers the order its keys were first inserted in.
public struct TemplateDictionary: Sendable, Equatable {
    /// The keys in insertion order.
    public private(set) var keys: [String] = []
    private var storage: [String: TemplateValue] = [:]

    public init() {}

    /// Builds a dictionary from pairs; a repeated key keeps its first position and its last value.
    public init(_ pairs: [(String, TemplateValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The entries in insertion order.
    public var entries: [(key: String, value: TemplateValue)] {
        keys.map { ($0, storage[$0]!) }
    }

    public subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Equal when both hold the same keys with equal values, whatever their order (as in Python).
    public static func == (a: TemplateDictionary, b: TemplateDictionary) -> Bool {
        a.storage == b.storage
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self = .dict(TemplateDictionary(elements)) }
    public init(nilLiteral: ()) { self = .none }
}

extension TemplateDictionary: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self.init(elements) }
}
