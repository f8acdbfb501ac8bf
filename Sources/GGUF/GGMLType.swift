// GGMLType: the tensor element types a GGUF file can hold, numbered as in ggml, with the block
// geometry (elements per block, bytes per block) that every size computation rests on.
//
// The numbers come from ggml's type_traits table. Values that ggml has retired (4, 5, 31-33, 36-38)
// or that this code does not know are not cases: `GGMLType(rawValue:)` returns nil for them and the
// parser reports them as unknown tensor types.

/// A ggml tensor element type, with ggml's numbering.
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22
    case iq4_xs = 23, i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35, mxfp4 = 39

    /// The type's name as the GGUF tools print it: "F32", "Q4_K", "IQ2_XXS", "MXFP4", ...
    public var name: String { traits.name }

    /// Elements per block: 1 for plain types (F32, F16, BF16, integers), 32 or 256 for quantized ones.
    public var blockSize: Int { traits.blockSize }

    /// Bytes of one block.
    public var bytesPerBlock: Int { traits.bytesPerBlock }

    /// Whether the type stores quantized blocks (anything but F32, F16, BF16, F64 and the integers).
    public var isQuantized: Bool { blockSize > 1 }

    /// Bytes needed for `elementCount` elements, or nil when the count is negative, not a whole
    /// number of blocks, or the size overflows `Int`.
    public func byteCount(elementCount: Int) -> Int? {
        guard elementCount >= 0, elementCount % blockSize == 0 else { return nil }
        let (bytes, overflow) = (elementCount / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
        return overflow ? nil : bytes
    }

    /// The type with this name (as `name` prints it, any letter case), or nil.
    public init?(name: String) {
        let wanted = name.uppercased()
        guard let match = Self.allCases.first(where: { $0.name.uppercased() == wanted }) else { return nil }
        self = match
    }

    /// ggml's type_traits, reduced to what a file layout needs. Block sizes are the sizes of
    /// ggml's `block_*` structs (ggml-common.h): e.g. block_q4_K = 2 halves + 12 scales + 128 nibble
    /// bytes = 144. Q8_1 is 36 bytes (two halves d, s + 32 int8); some older tables say 40, from when
    /// d and s were floats. A switch, not a dictionary: kernels ask for these in hot paths.
    private var traits: (name: String, blockSize: Int, bytesPerBlock: Int) {
        switch self {
        case .f32: return ("F32", 1, 4)
        case .f16: return ("F16", 1, 2)
        case .q4_0: return ("Q4_0", 32, 18)
        case .q4_1: return ("Q4_1", 32, 20)
        case .q5_0: return ("Q5_0", 32, 22)
        case .q5_1: return ("Q5_1", 32, 24)
        case .q8_0: return ("Q8_0", 32, 34)
        case .q8_1: return ("Q8_1", 32, 36)
        case .q2_K: return ("Q2_K", 256, 84)
        case .q3_K: return ("Q3_K", 256, 110)
        case .q4_K: return ("Q4_K", 256, 144)
        case .q5_K: return ("Q5_K", 256, 176)
        case .q6_K: return ("Q6_K", 256, 210)
        case .q8_K: return ("Q8_K", 256, 292)
        case .iq2_xxs: return ("IQ2_XXS", 256, 66)
        case .iq2_xs: return ("IQ2_XS", 256, 74)
        case .iq3_xxs: return ("IQ3_XXS", 256, 98)
        case .iq1_s: return ("IQ1_S", 256, 50)
        case .iq4_nl: return ("IQ4_NL", 32, 18)
        case .iq3_s: return ("IQ3_S", 256, 110)
        case .iq2_s: return ("IQ2_S", 256, 82)
        case .iq4_xs: return ("IQ4_XS", 256, 136)
        case .i8: return ("I8", 1, 1)
        case .i16: return ("I16", 1, 2)
        case .i32: return ("I32", 1, 4)
        case .i64: return ("I64", 1, 8)
        case .f64: return ("F64", 1, 8)
        case .iq1_m: return ("IQ1_M", 256, 56)
        case .bf16: return ("BF16", 1, 2)
        case .tq1_0: return ("TQ1_0", 256, 54)
        case .tq2_0: return ("TQ2_0", 256, 66)
        case .mxfp4: return ("MXFP4", 32, 17)
        }
    }
}

extension GGMLType: CustomStringConvertible {
    public var description: String { name }
}
