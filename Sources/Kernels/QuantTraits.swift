// QuantTraits: the per-type table that is the seam between models and kernels: block geometry,
// the activation format a type's dot product wants, and its dequantize / dot kernels per ISA.

import CKernels
import GGUF

/// How activations are prepared for a weight type's dot product.
public enum ActivationFormat: Sendable, Equatable {
    /// Plain floats (F32, F16 and BF16 weights).
    case float
    /// 8-bit blocks of 32 values with a float scale (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 weights).
    case q8_0
    /// 8-bit blocks of 256 values with a float scale and sums per 16 (K-quant weights).
    case q8_K
}

/// What the kernels know about one weight type.
public struct QuantTraits: Sendable {
    /// The type these traits describe.
    public let type: GGMLType
    /// Values per block.
    public let blockSize: Int
    /// Bytes per block.
    public let bytesPerBlock: Int
    /// The activation format its dot product consumes.
    public let activation: ActivationFormat

    /// Bytes of a row of `count` values, or nil when `count` is not a whole number of blocks
    /// (or the size overflows).
    public func rowBytes(count: Int) -> Int? {
        guard count >= 0, count % blockSize == 0 else { return nil }
        let (bytes, overflow) = (count / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
        return overflow ? nil : bytes
    }

    /// The C kernels of this type at `isa`.
    func kernels(_ isa: Kernels.ISA) -> UnsafePointer<ck_type_kernels> {
        ck_type_kernels_get(isa.index, type.rawValue)!
    }

    var actIndex: Int32 {
        switch activation {
        case .float: Int32(CK_ACT_F32)
        case .q8_0: Int32(CK_ACT_Q8_0)
        case .q8_K: Int32(CK_ACT_Q8_K)
        }
    }
}

extension Kernels {
    /// Weight types with dequantization and matrix-product kernels.
    public static let supportedTypes: [GGMLType] = GGMLType.allCases.filter { traitsTable[$0] != nil }

    private static let traitsTable: [GGMLType: QuantTraits] = {
        var table: [GGMLType: QuantTraits] = [:]
        for type in GGMLType.allCases {
            guard let k = ck_type_kernels_get(Int32(CK_ISA_GENERIC), type.rawValue)?.pointee else { continue }
            let activation: ActivationFormat = switch Int(k.act) {
            case Int(CK_ACT_Q8_0): .q8_0
            case Int(CK_ACT_Q8_K): .q8_K
            default: .float
            }
            table[type] = QuantTraits(type: type, blockSize: Int(k.block_size),
                                      bytesPerBlock: Int(k.block_bytes), activation: activation)
        }
        return table
    }()

    /// The traits of `type`, or nil when the kernels cannot handle it.
    public static func traits(_ type: GGMLType) -> QuantTraits? { traitsTable[type] }

    /// Whether `matmul`, `dequantize` and `dequantizeRow` accept weights of `type`.
    public static func supports(_ type: GGMLType) -> Bool { traitsTable[type] != nil }

    static func requireTraits(_ type: GGMLType) -> QuantTraits {
        guard let t = traitsTable[type] else { preconditionFailure("Kernels: no kernels for type \(type.name)") }
        return t
    }
}
