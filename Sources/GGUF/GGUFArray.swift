// GGUFArray: a GGUF metadata array in compact typed storage ([Float], [Int32], GGUFStringArray,
// ...), with typed views that cost nothing or one conversion pass, and a GGUFValue view for code
// that wants generic elements.

/// The elements of a GGUF metadata array. Arrays in the format are homogeneous: all elements have
/// `elementType`. Indexing yields `GGUFValue`s built on the fly; the typed properties (`strings`,
/// `floats`, `int32s`, ...) are the fast way in.
public struct GGUFArray: RandomAccessCollection, Sendable, Equatable {
    enum Storage: Sendable, Equatable {
        case uint8([UInt8]), int8([Int8]), uint16([UInt16]), int16([Int16])
        case uint32([UInt32]), int32([Int32]), float32([Float]), bool([Bool])
        case string(GGUFStringArray), array([GGUFArray])
        case uint64([UInt64]), int64([Int64]), float64([Double])
    }

    let storage: Storage

    init(storage: Storage) { self.storage = storage }

    /// The type of every element.
    public var elementType: GGUFValueType {
        switch storage {
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

    public var startIndex: Int { 0 }

    public var endIndex: Int {
        switch storage {
        case .uint8(let a): a.count
        case .int8(let a): a.count
        case .uint16(let a): a.count
        case .int16(let a): a.count
        case .uint32(let a): a.count
        case .int32(let a): a.count
        case .float32(let a): a.count
        case .bool(let a): a.count
        case .string(let a): a.count
        case .array(let a): a.count
        case .uint64(let a): a.count
        case .int64(let a): a.count
        case .float64(let a): a.count
        }
    }

    /// Element `i` as a `GGUFValue` (strings repaired to valid UTF-8).
    public subscript(i: Int) -> GGUFValue {
        switch storage {
        case .uint8(let a): .uint8(a[i])
        case .int8(let a): .int8(a[i])
        case .uint16(let a): .uint16(a[i])
        case .int16(let a): .int16(a[i])
        case .uint32(let a): .uint32(a[i])
        case .int32(let a): .int32(a[i])
        case .float32(let a): .float32(a[i])
        case .bool(let a): .bool(a[i])
        case .string(let a): .string(a[i])
        case .array(let a): .array(a[i].values)
        case .uint64(let a): .uint64(a[i])
        case .int64(let a): .int64(a[i])
        case .float64(let a): .float64(a[i])
        }
    }

    /// All elements as `GGUFValue`s. Costs one enum per element: avoid for vocabularies.
    public var values: [GGUFValue] {
        switch storage {
        case .uint8(let a): a.map { .uint8($0) }
        case .int8(let a): a.map { .int8($0) }
        case .uint16(let a): a.map { .uint16($0) }
        case .int16(let a): a.map { .int16($0) }
        case .uint32(let a): a.map { .uint32($0) }
        case .int32(let a): a.map { .int32($0) }
        case .float32(let a): a.map { .float32($0) }
        case .bool(let a): a.map { .bool($0) }
        case .string(let a): a.strings.map { .string($0) }
        case .array(let a): a.map { .array($0.values) }
        case .uint64(let a): a.map { .uint64($0) }
        case .int64(let a): a.map { .int64($0) }
        case .float64(let a): a.map { .float64($0) }
        }
    }

    // MARK: Typed views

    /// The strings, when the elements are strings.
    public var strings: GGUFStringArray? {
        if case .string(let a) = storage { return a }
        return nil
    }

    /// The elements as `Float`, when they are float32 (free) or float64 (converted).
    public var floats: [Float]? {
        switch storage {
        case .float32(let a): a
        case .float64(let a): a.map { Float($0) }
        default: nil
        }
    }

    /// The elements as `Int32`, when they are int32 (free) or another integer type whose every
    /// value fits in Int32.
    public var int32s: [Int32]? {
        if case .int32(let a) = storage { return a }
        guard let ints else { return nil }
        var result = [Int32]()
        result.reserveCapacity(ints.count)
        for v in ints {
            guard let narrow = Int32(exactly: v) else { return nil }
            result.append(narrow)
        }
        return result
    }

    /// The elements as `Int`, when they are integers that all fit in `Int`.
    public var ints: [Int]? {
        switch storage {
        case .uint8(let a): return a.map { Int($0) }
        case .int8(let a): return a.map { Int($0) }
        case .uint16(let a): return a.map { Int($0) }
        case .int16(let a): return a.map { Int($0) }
        case .uint32(let a): return a.map { Int($0) }
        case .int32(let a): return a.map { Int($0) }
        case .int64(let a): return a.map { Int($0) }
        case .uint64(let a):
            var result = [Int]()
            result.reserveCapacity(a.count)
            for v in a {
                guard let i = Int(exactly: v) else { return nil }
                result.append(i)
            }
            return result
        default: return nil
        }
    }

    /// The elements, when they are bools.
    public var bools: [Bool]? {
        if case .bool(let a) = storage { return a }
        return nil
    }

    /// The elements, when they are arrays.
    public var arrays: [GGUFArray]? {
        if case .array(let a) = storage { return a }
        return nil
    }

    // MARK: Building arrays

    public init(strings: GGUFStringArray) { storage = .string(strings) }
    public init(strings: [String]) { storage = .string(GGUFStringArray(strings)) }
    public init(floats: [Float]) { storage = .float32(floats) }
    public init(float64s: [Double]) { storage = .float64(float64s) }
    public init(int32s: [Int32]) { storage = .int32(int32s) }
    public init(uint32s: [UInt32]) { storage = .uint32(uint32s) }
    public init(int64s: [Int64]) { storage = .int64(int64s) }
    public init(uint64s: [UInt64]) { storage = .uint64(uint64s) }
    public init(uint8s: [UInt8]) { storage = .uint8(uint8s) }
    public init(int8s: [Int8]) { storage = .int8(int8s) }
    public init(uint16s: [UInt16]) { storage = .uint16(uint16s) }
    public init(int16s: [Int16]) { storage = .int16(int16s) }
    public init(bools: [Bool]) { storage = .bool(bools) }
    public init(arrays: [GGUFArray]) { storage = .array(arrays) }

    /// An array from generic values, or nil when they do not all have the same type (the format
    /// has one element type per array). An empty list gives an empty array of `emptyType`.
    public init?(_ values: [GGUFValue], emptyType: GGUFValueType = .uint8) {
        let type = values.first?.type ?? emptyType
        guard values.allSatisfy({ $0.type == type }) else { return nil }
        switch type {
        case .uint8: storage = .uint8(values.map { if case .uint8(let v) = $0 { v } else { 0 } })
        case .int8: storage = .int8(values.map { if case .int8(let v) = $0 { v } else { 0 } })
        case .uint16: storage = .uint16(values.map { if case .uint16(let v) = $0 { v } else { 0 } })
        case .int16: storage = .int16(values.map { if case .int16(let v) = $0 { v } else { 0 } })
        case .uint32: storage = .uint32(values.map { if case .uint32(let v) = $0 { v } else { 0 } })
        case .int32: storage = .int32(values.map { if case .int32(let v) = $0 { v } else { 0 } })
        case .float32: storage = .float32(values.map { if case .float32(let v) = $0 { v } else { 0 } })
        case .bool: storage = .bool(values.map { if case .bool(let v) = $0 { v } else { false } })
        case .string: storage = .string(GGUFStringArray(values.map { $0.string ?? "" }))
        case .uint64: storage = .uint64(values.map { if case .uint64(let v) = $0 { v } else { 0 } })
        case .int64: storage = .int64(values.map { if case .int64(let v) = $0 { v } else { 0 } })
        case .float64: storage = .float64(values.map { if case .float64(let v) = $0 { v } else { 0 } })
        case .array:
            var inner: [GGUFArray] = []
            inner.reserveCapacity(values.count)
            for value in values {
                guard let elements = value.array, let array = GGUFArray(elements) else { return nil }
                inner.append(array)
            }
            storage = .array(inner)
        }
    }
}
