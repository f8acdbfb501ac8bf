// Kernels+Dequantize: ggml blocks to floats (embedding lookups, tests, small tensors).

import CKernels
import GGUF

extension Kernels {
    /// Dequantize `count` values of `type` (a whole number of blocks) from `src` into `into`.
    public static func dequantize(type: GGMLType, _ src: UnsafeRawPointer, count: Int,
                                  into: UnsafeMutablePointer<Float>, isa: ISA? = nil) {
        let traits = requireTraits(type)
        precondition(count >= 0 && count % traits.blockSize == 0,
                     "Kernels.dequantize: \(count) values is not a whole number of \(type.name) blocks")
        guard count > 0 else { return }
        traits.kernels(isa ?? activeISA).pointee.dequant(src, into, Int64(count))
    }

    /// Dequantize row `row` (`w.cols` values) of `w` into `into`.
    public static func dequantizeRow(_ w: WeightMatrix, row: Int, into: UnsafeMutablePointer<Float>,
                                     isa: ISA? = nil) {
        precondition(row >= 0 && row < w.rows, "Kernels.dequantizeRow: row \(row) outside 0..<\(w.rows)")
        dequantize(type: w.type, w.data + row * w.rowBytes, count: w.cols, into: into, isa: isa)
    }
}
