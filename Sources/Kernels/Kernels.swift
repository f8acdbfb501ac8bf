// Kernels: the numeric layer under the models. Quantized matrix products on ggml blocks read in
// place, dequantization, float vector helpers, and the choice of instruction set (ISA) they run on.
//
// The SIMD code lives in the C target CKernels, built once per ISA; this file picks the ISA once
// per process (the best the CPU supports, or the one named by LLMPACK_ISA) and every kernel call
// can name another supported ISA explicitly (tests use that to check each path).
import CKernels
import GGUF
#if canImport(Glibc)
import Glibc
#endif

/// Namespace of the numeric kernels.
public enum Kernels {
    /// An instruction-set level the kernels are built for.
    public enum ISA: String, CaseIterable, Sendable, Comparable {
        /// Portable code: runs on every x86-64 CPU (and any other).
        case generic
        /// AVX2 with FMA and F16C (Haswell, Zen and later).
        case avx2
        /// AVX-512 F, BW, VL and VNNI (Ice Lake, Zen 4 and later).
        case avx512

        var index: Int32 {
            switch self {
            case .generic: Int32(CK_ISA_GENERIC)
            case .avx2: Int32(CK_ISA_AVX2)
            case .avx512: Int32(CK_ISA_AVX512)
            }
        }

        public static func < (a: ISA, b: ISA) -> Bool { a.index < b.index }

        /// Whether this CPU can run this ISA's kernels.
        public var isSupported: Bool { ck_isa_supported(index) != 0 }
    }

    /// Every ISA this CPU can run, from the most portable up.
    public static var supportedISAs: [ISA] { ISA.allCases.filter(\.isSupported) }

    /// The ISA used when a call names none: the best this CPU supports, unless the environment
    /// variable LLMPACK_ISA (generic, avx2, avx512) asks for a lower one.
    public static let activeISA: ISA = {
        let best = supportedISAs.last ?? .generic
        guard let raw = getenv("LLMPACK_ISA"), let wanted = ISA(rawValue: String(cString: raw).lowercased()) else {
            return best
        }
        return min(wanted, best)
    }()

    /// The dispatch path chosen at run time: "avx512", "avx2" or "generic".
    public static var isa: String { activeISA.rawValue }
}
