// Kernels+Matmul: y = W x for one or many tokens, on quantized weights read in place.
//
// The activations are quantized once per call into 8-bit blocks (unless the weights are float);
// then the output rows are split into chunks that the pool's threads take in turn, and each chunk
// runs the C kernel, which reuses every weight row for up to CK_MAX_NTOK tokens at a time.

import CKernels
import GGUF

extension Kernels {
    /// y[t * w.rows + r] = sum over c of W[r, c] * x[t * w.cols + c], for t in 0..<tokens.
    ///
    /// `x` holds `tokens` rows of `w.cols` floats, `y` room for `tokens` rows of `w.rows` floats.
    /// `isa` overrides `activeISA` (it must be supported by this CPU).
    public static func matmul(_ w: WeightMatrix, _ x: UnsafePointer<Float>, tokens: Int,
                              _ y: UnsafeMutablePointer<Float>, pool: ThreadPool, isa: ISA? = nil) {
        let isa = isa ?? activeISA
        precondition(isa.isSupported, "Kernels.matmul: this CPU cannot run \(isa.rawValue) kernels")
        let traits = requireTraits(w.type)
        precondition(w.cols % traits.blockSize == 0,
                     "Kernels.matmul: \(w.cols) columns is not a whole number of \(w.type.name) blocks")
        guard tokens > 0, w.rows > 0 else { return }
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
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: actStride * tokens, alignment: 64)
            scratch = buffer
            let quantize = ck_quantizer_get(isa.index, act)!
            if tokens >= 8 {
                pool.parallelFor(tokens) { t in quantize(x + t * cols, buffer + t * actStride, Int64(cols)) }
            } else {
                for t in 0..<tokens { quantize(x + t * cols, buffer + t * actStride, Int64(cols)) }
            }
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
}
