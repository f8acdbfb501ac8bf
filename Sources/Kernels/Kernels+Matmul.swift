// Kernels+Matmul: y = W x for one or many tokens, on quantized weights read in place.
//
// Two strategies. Row dots (token generation, small batches): the activations are quantized once
// per call into the weight type's 8-bit blocks, the output rows are split into chunks that the
// pool's threads take in turn, and each weight row is streamed once and reused for up to
// CK_MAX_NTOK tokens. Packed panels (prompt processing): the activations become A8 rows, and each
// thread decodes 16-row panels of the weights into a register-friendly byte layout once, then runs
// every token through them with VNNI multiply-adds (ck_gemm.h).

import CKernels
import GGUF

extension Kernels {
    /// How `matmul` computes a product.
    public enum MatmulStrategy: Sendable, CaseIterable {
        /// The fastest for the shape and ISA (what models use).
        case automatic
        /// One weight row at a time against up to 8 tokens (every type and ISA).
        case rowDots
        /// Packed 16-row panels against every token (quantized types; fast on AVX-512 only, but
        /// each ISA has it so that tests can compare them).
        case packedPanels
    }

    /// Fewest tokens for which the packed path beats row dots on AVX-512 (panel packing is paid
    /// once per call and must be spread over enough tokens).
    static let packedMinimumTokens = 32

    /// Whether `matmul` with `.automatic` uses packed panels for this type, token count and ISA.
    public static func usesPackedPanels(_ type: GGMLType, tokens: Int, isa: ISA? = nil) -> Bool {
        (isa ?? activeISA) == .avx512 && tokens >= packedMinimumTokens && ck_gemm_block(type.rawValue) != 0
    }

    /// y[t * w.rows + r] = sum over c of W[r, c] * x[t * w.cols + c], for t in 0..<tokens.
    ///
    /// `x` holds `tokens` rows of `w.cols` floats, `y` room for `tokens` rows of `w.rows` floats.
    /// `isa` overrides `activeISA` (it must be supported by this CPU); `strategy` forces a path
    /// (tests and benchmarks; `.packedPanels` falls back to row dots for float weights).
    public static func matmul(_ w: WeightMatrix, _ x: UnsafePointer<Float>, tokens: Int,
                              _ y: UnsafeMutablePointer<Float>, pool: ThreadPool, isa: ISA? = nil,
                              strategy: MatmulStrategy = .automatic) {
        let isa = isa ?? activeISA
        precondition(isa.isSupported, "Kernels.matmul: this CPU cannot run \(isa.rawValue) kernels")
        let traits = requireTraits(w.type)
        precondition(w.cols % traits.blockSize == 0,
                     "Kernels.matmul: \(w.cols) columns is not a whole number of \(w.type.name) blocks")
        guard tokens > 0, w.rows > 0 else { return }
        let packed = switch strategy {
        case .automatic: usesPackedPanels(w.type, tokens: tokens, isa: isa)
        case .rowDots: false
        case .packedPanels: ck_gemm_block(w.type.rawValue) != 0
        }
        if packed {
            matmulPacked(w, x, tokens: tokens, y, pool: pool, isa: isa, traits: traits)
        } else {
            matmulRowDots(w, x, tokens: tokens, y, pool: pool, isa: isa, traits: traits)
        }
    }

    /// Quantize `tokens` rows of `cols` floats with `quantize` into a new buffer of `stride`-byte
    /// rows (in parallel for many tokens). The caller deallocates it.
    private static func quantizeRows(_ x: UnsafePointer<Float>, tokens: Int, cols: Int, stride: Int, pool: ThreadPool,
                                     _ quantize: (UnsafePointer<Float>, UnsafeMutableRawPointer) -> Void)
        -> UnsafeMutableRawPointer {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: stride * tokens, alignment: 64)
        if tokens >= 8 {
            pool.parallelFor(tokens) { t in quantize(x + t * cols, buffer + t * stride) }
        } else {
            for t in 0..<tokens { quantize(x + t * cols, buffer + t * stride) }
        }
        return buffer
    }

    private static func matmulRowDots(_ w: WeightMatrix, _ x: UnsafePointer<Float>, tokens: Int,
                                      _ y: UnsafeMutablePointer<Float>, pool: ThreadPool, isa: ISA,
                                      traits: QuantTraits) {
        let cols = w.cols, rows = w.rows

        // 1. Activations in the weight type's format.
        let act = traits.actIndex
        let actStride = ck_act_row_bytes(act, Int64(cols))
        var scratch: UnsafeMutableRawPointer? = nil
        defer { scratch?.deallocate() }
        let activations: UnsafeRawPointer
        if traits.activation == .float {
            activations = UnsafeRawPointer(x)
        } else {
            let quantize = ck_quantizer_get(isa.index, act)!
            let buffer = quantizeRows(x, tokens: tokens, cols: cols, stride: actStride, pool: pool) { row, out in
                quantize(row, out, Int64(cols))
            }
            scratch = buffer
            activations = UnsafeRawPointer(buffer)
        }

        // 2. Output rows in chunks: many per thread, so that a thread whose core is taken away
        //    holds up little work (each chunk costs one atomic increment).
        let chunkRows = pool.threads == 1 ? rows : max(16, (rows + pool.threads * 32 - 1) / (pool.threads * 32))
        let chunks = (rows + chunkRows - 1) / chunkRows
        let rowBytes = w.rowBytes
        let type = w.type.rawValue
        pool.parallelFor(chunks) { c in
            let r0 = c * chunkRows
            let r1 = min(rows, r0 + chunkRows)
            ck_matmul_rows(isa.index, type, w.data, rowBytes, Int64(cols), Int64(r0), Int64(r1),
                           activations, actStride, Int64(tokens), y, Int64(rows))
        }
    }

    private static func matmulPacked(_ w: WeightMatrix, _ x: UnsafePointer<Float>, tokens: Int,
                                     _ y: UnsafeMutablePointer<Float>, pool: ThreadPool, isa: ISA,
                                     traits: QuantTraits) {
        let cols = w.cols, rows = w.rows
        // One activation scale per 256 values for K-quants (as ggml's Q8_K), per 32 otherwise.
        let scaleBlock: Int32 = traits.blockSize == 256 ? 256 : 32
        let stride = ck_a8_row_bytes(Int64(cols))
        let activations = quantizeRows(x, tokens: tokens, cols: cols, stride: stride, pool: pool) { row, out in
            ck_quantize_a8(isa.index, row, out, Int64(cols), scaleBlock)
        }
        defer { activations.deallocate() }

        // One panel of 16 rows per index: threads take them in turn.
        let panel = 16
        let panels = (rows + panel - 1) / panel
        let rowBytes = w.rowBytes
        let type = w.type.rawValue
        pool.parallelFor(panels) { p in
            let r0 = p * panel
            let r1 = min(rows, r0 + panel)
            let done = ck_gemm_rows(isa.index, type, w.data, rowBytes, Int64(cols), Int64(r0), Int64(r1),
                                    activations, stride, Int64(tokens), y, Int64(rows))
            precondition(done != 0, "Kernels.matmul: out of memory for a weight panel")
        }
    }
}
