// GGUFMetadataEntry: one key-value pair of a GGUF header. The value is kept as the file had it
// (exact string bytes, compact arrays) and converted to a GGUFValue only when read through `value`.

/// One metadata key-value pair, in file order.
public struct GGUFMetadataEntry: Sendable, Equatable {
    enum Payload: Sendable, Equatable {
        case scalar(GGUFValue)   // numbers and bools
        case string([UInt8])     // exact bytes
        case array(GGUFArray)
    }

    /// The key, e.g. "general.architecture".
    public let key: String
    let payload: Payload
    /// Byte offset of the entry (its key's length field) in the file; 0 for entries made in code.
    public let offset: Int

    init(key: String, payload: Payload, offset: Int) {
        self.key = key
        self.payload = payload
        self.offset = offset
    }

    /// An entry holding `value`.
    public init(key: String, value: GGUFValue) {
        switch value {
        case .string(let s): self.init(key: key, payload: .string(Array(s.utf8)), offset: 0)
        case .array(let elements):
            guard let array = GGUFArray(elements) else {
                preconditionFailure("GGUF arrays hold one element type; \(quoted(key)) mixes several")
            }
            self.init(key: key, payload: .array(array), offset: 0)
        default: self.init(key: key, payload: .scalar(value), offset: 0)
        }
    }

    /// An entry holding an array in compact storage.
    public init(key: String, array: GGUFArray) {
        self.init(key: key, payload: .array(array), offset: 0)
    }

    /// An entry holding a string given as raw bytes (which need not be valid UTF-8).
    public init(key: String, stringBytes: [UInt8]) {
        self.init(key: key, payload: .string(stringBytes), offset: 0)
    }

    /// The value's type.
    public var type: GGUFValueType {
        switch payload {
        case .scalar(let v): v.type
        case .string: .string
        case .array: .array
        }
    }

    /// The value as a `GGUFValue`. For big arrays this builds one enum per element: prefer
    /// `arrayValue` (or GGUFFile's `stringArray`, `floatArray`, `int32Array`).
    public var value: GGUFValue {
        switch payload {
        case .scalar(let v): v
        case .string(let bytes): .string(String(decoding: bytes, as: UTF8.self))
        case .array(let array): .array(array.values)
        }
    }

    /// The value when it is an array, in compact storage.
    public var arrayValue: GGUFArray? {
        if case .array(let a) = payload { return a }
        return nil
    }

    /// The exact bytes when the value is a string.
    public var stringBytes: [UInt8]? {
        if case .string(let b) = payload { return b }
        return nil
    }

    /// Entries are equal when key and value are; where they sit in a file does not matter.
    public static func == (a: Self, b: Self) -> Bool {
        a.key == b.key && a.payload == b.payload
    }
}
