// GGUFValue: one metadata value as a plain enum, plus the value-type numbering of the format and
// small conveniences for reading numbers and strings without a switch at every use.
//
// Big arrays (a 262,144-token vocabulary) are not stored as [GGUFValue] inside a parsed file; they
// live in compact typed storage (GGUFArray) and become [GGUFValue] only when asked for. Readers of
// vocabularies should use GGUFFile.stringArray / floatArray / int32Array instead.

/// A GGUF metadata value type, numbered as in the file format.
public enum GGUFValueType: UInt32, Sendable, CaseIterable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// The name the GGUF tools use: "UINT32", "STRING", ...
    public var name: String {
        switch self {
        case .uint8: "UINT8"
        case .int8: "INT8"
        case .uint16: "UINT16"
        case .int16: "INT16"
        case .uint32: "UINT32"
        case .int32: "INT32"
        case .float32: "FLOAT32"
        case .bool: "BOOL"
        case .string: "STRING"
        case .array: "ARRAY"
        case .uint64: "UINT64"
        case .int64: "INT64"
        case .float64: "FLOAT64"
        }
    }

    /// The fewest bytes a value of this type takes in a file (a string: its 8-byte length; an
    /// array: its element type and count). Used to bound counts before anything is allocated.
    var minimumEncodedSize: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64, .string: 8
        case .array: 12
        }
    }
}

/// One GGUF metadata value.
///
/// Strings that are not valid UTF-8 in the file show up here with U+FFFD replacement characters;
/// the exact bytes stay available through `GGUFMetadataEntry.stringBytes` and
/// `GGUFStringArray.bytes(at:)`.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case float32(Float), bool(Bool), string(String), array([GGUFValue])
    case uint64(UInt64), int64(Int64), float64(Double)

    /// The value's type in the file format.
    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .float32: .float32
        case .bool: .bool
        case .string: .string
        case .array: .array
        case .uint64: .uint64
        case .int64: .int64
        case .float64: .float64
        }
    }

    /// Any integer value that fits in `Int`; nil for other types (and for a UInt64 above Int.max).
    public var int: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(v)
        default: nil
        }
    }

    /// A float32 or float64 value as `Float`, or an integer value converted to `Float`.
    public var float: Float? {
        switch self {
        case .float32(let v): v
        case .float64(let v): Float(v)
        default: int.map(Float.init)
        }
    }

    /// A float32 or float64 value as `Double`, or an integer value converted to `Double`.
    public var double: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        default: int.map(Double.init)
        }
    }

    /// A bool value.
    public var bool: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    /// A string value.
    public var string: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    /// An array value's elements.
    public var array: [GGUFValue]? {
        if case .array(let v) = self { return v }
        return nil
    }
}

extension GGUFValue: CustomStringConvertible {
    /// A short rendering for listings: arrays show their length and first few elements.
    public var description: String {
        switch self {
        case .uint8(let v): "\(v)"
        case .int8(let v): "\(v)"
        case .uint16(let v): "\(v)"
        case .int16(let v): "\(v)"
        case .uint32(let v): "\(v)"
        case .int32(let v): "\(v)"
        case .uint64(let v): "\(v)"
        case .int64(let v): "\(v)"
        case .float32(let v): "\(v)"
        case .float64(let v): "\(v)"
        case .bool(let v): "\(v)"
        case .string(let v): quoted(v)
        case .array(let v):
            "[" + v.prefix(8).map(\.description).joined(separator: ", ")
                + (v.count > 8 ? ", ... (\(v.count) elements)" : "") + "]"
        }
    }
}
