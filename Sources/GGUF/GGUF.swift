// TEMPORARY stand-in for the GGUF target's GGMLType (owned by the GGUF helper, branch h/gguf).
// Exists only so that the Kernels target builds before h/gguf lands; replaced by the real file on merge.

/// ggml's tensor element types, numbered as in ggml.
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9,
         q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15,
         iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22,
         iq4_xs = 23, i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30,
         tq1_0 = 34, tq2_0 = 35, mxfp4 = 39

    public var name: String {
        switch self {
        case .f32: "F32"; case .f16: "F16"; case .bf16: "BF16"; case .f64: "F64"
        case .i8: "I8"; case .i16: "I16"; case .i32: "I32"; case .i64: "I64"
        default: String(describing: self).uppercased()
        }
    }

    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_nl, .mxfp4: 32
        default: 256
        }
    }

    public var bytesPerBlock: Int {
        switch self {
        case .f32: 4; case .f16: 2; case .bf16: 2; case .f64: 8
        case .i8: 1; case .i16: 2; case .i32: 4; case .i64: 8
        case .q4_0: 18; case .q4_1: 20; case .q5_0: 22; case .q5_1: 24; case .q8_0: 34; case .q8_1: 40
        case .q2_K: 84; case .q3_K: 110; case .q4_K: 144; case .q5_K: 176; case .q6_K: 210; case .q8_K: 292
        case .iq2_xxs: 66; case .iq2_xs: 74; case .iq3_xxs: 98; case .iq1_s: 50; case .iq4_nl: 18
        case .iq3_s: 110; case .iq2_s: 82; case .iq4_xs: 136; case .iq1_m: 56
        case .tq1_0: 54; case .tq2_0: 66; case .mxfp4: 17
        }
    }
}
