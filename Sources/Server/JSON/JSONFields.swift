// Reads request fields out of a parsed JSON object, checking each one's type and range and
// answering a 400 that names the field when it is wrong.

/// A JSON object being read field by field.
struct JSONFields {
    let members: JSONValue
    /// Dotted path of this object inside the body ("" at the top, "options." below).
    let path: String

    /// Parses a request body that must be one JSON object.
    init(body: [UInt8]) throws(APIError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw .invalidRequest("the request body is not valid JSON: \(error)")
        }
        guard case .object = value else { throw .invalidRequest("the request body must be a JSON object, got \(value.typeName)") }
        self.init(value, path: "")
    }

    init(_ value: JSONValue, path: String) {
        self.members = value
        self.path = path
    }

    private func name(_ key: String) -> String { "'\(path)\(key)'" }

    private func wrongType(_ key: String, _ expected: String, _ value: JSONValue) -> APIError {
        .invalidRequest("\(name(key)) must be \(expected), got \(value.typeName)")
    }

    /// The raw value; nil when absent or null.
    func value(_ key: String) -> JSONValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    func contains(_ key: String) -> Bool { value(key) != nil }

    func string(_ key: String) throws(APIError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, "a string", value) }
        return text
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(key, "a boolean", value) }
        return flag
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let value = value(key) else { return nil }
        let number: Int
        switch value {
        case .integer(let integer): number = integer
        case .number(let double) where double == double.rounded() && abs(double) < 9e15: number = Int(double)
        default: throw wrongType(key, "an integer", value)
        }
        guard range.contains(number) else {
            throw .invalidRequest("\(name(key)) must be in \(range.lowerBound)...\(range.upperBound), got \(number)")
        }
        return number
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws(APIError) -> Double? {
        guard let value = value(key) else { return nil }
        let number: Double
        switch value {
        case .integer(let integer): number = Double(integer)
        case .number(let double): number = double
        default: throw wrongType(key, "a number", value)
        }
        guard range.contains(number) else {
            throw .invalidRequest("\(name(key)) must be in \(range.lowerBound)...\(range.upperBound), got \(number)")
        }
        return number
    }

    /// A nested object.
    func object(_ key: String) throws(APIError) -> JSONFields? {
        guard let value = value(key) else { return nil }
        guard case .object = value else { throw wrongType(key, "an object", value) }
        return JSONFields(value, path: "\(path)\(key).")
    }

    func array(_ key: String) throws(APIError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else { throw wrongType(key, "an array", value) }
        return elements
    }

    /// A string or an array of strings (OpenAI's `stop`).
    func stringList(_ key: String, maxCount: Int) throws(APIError) -> [String]? {
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let text): return [text]
        case .array(let elements):
            guard elements.count <= maxCount else {
                throw .invalidRequest("\(name(key)) may hold at most \(maxCount) strings, got \(elements.count)")
            }
            var strings: [String] = []
            for element in elements {
                guard case .string(let text) = element else { throw wrongType(key, "a string or an array of strings", element) }
                strings.append(text)
            }
            return strings
        default: throw wrongType(key, "a string or an array of strings", value)
        }
    }

    /// An array of token ids, each in `0..<vocabularySize`.
    static func tokenIds(_ elements: [JSONValue], field: String, vocabularySize: Int) throws(APIError) -> [Int32] {
        var tokens: [Int32] = []
        tokens.reserveCapacity(elements.count)
        for element in elements {
            let id: Int
            switch element {
            case .integer(let integer): id = integer
            case .number(let double) where double == double.rounded() && abs(double) < 9e15: id = Int(double)
            default: throw .invalidRequest("'\(field)' must hold integer token ids, got \(element.typeName)")
            }
            guard id >= 0, id < vocabularySize else {
                throw .invalidRequest("token id \(id) in '\(field)' is out of range: the vocabulary has \(vocabularySize) tokens")
            }
            tokens.append(Int32(id))
        }
        return tokens
    }
}
