// Kernels+Quantize: floats to ggml blocks, the inverse of Kernels+Dequantize. Reference-quality
// quantizers (ggml's quantize_row_*_ref maths, no importance matrix) for the types llama.cpp's
// quantize tool writes for the usual mixes, and a row-parallel driver for whole matrices.

import GGUF

extension Kernels {
    /// The types `quantize` can write.
    public static let quantizableTypes: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K]

    /// Whether `quantize` can write `type`.
    public static func canQuantize(_ type: GGMLType) -> Bool { quantizableTypes.contains(type) }

    /// Quantize `count` floats from `src` (a whole number of blocks of `type`) into `into`, which
    /// must hold `type.byteCount(elementCount: count)` bytes. Deterministic: the same floats give
    /// the same bytes on every machine and ISA. Values should be finite; NaN or infinite input gives
    /// unspecified (but never crashing) output.
    public static func quantize(type: GGMLType, _ src: UnsafePointer<Float>, count: Int, into: UnsafeMutableRawPointer) {
        precondition(canQuantize(type), "Kernels.quantize: cannot write \(type.name)")
        precondition(count >= 0 && count % type.blockSize == 0,
                     "Kernels.quantize: \(count) values is not a whole number of \(type.name) blocks")
        let blocks = count / type.blockSize, size = type.bytesPerBlock
        switch type {
        case .f32:
            for i in 0..<count { into.storeBytes(of: src[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
        case .f16:
            for i in 0..<count { into.storeBytes(of: Float16(src[i]).bitPattern.littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        case .bf16:
            for i in 0..<count { into.storeBytes(of: bfloat16Bits(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        default:
            let quantizeBlock: (UnsafePointer<Float>, UnsafeMutableRawPointer) -> Void = switch type {
            case .q8_0: LegacyQuantizer.q8_0
            case .q4_0: LegacyQuantizer.q4_0
            case .q4_1: LegacyQuantizer.q4_1
            case .q5_0: LegacyQuantizer.q5_0
            case .q5_1: LegacyQuantizer.q5_1
            case .q4_K: KQuantizer.q4_K
            case .q5_K: KQuantizer.q5_K
            default: KQuantizer.q6_K
            }
            for b in 0..<blocks { quantizeBlock(src + b * type.blockSize, into + b * size) }
        }
    }

    /// Quantize a `rows` x `cols` matrix of floats (row-major, `cols` a whole number of blocks)
    /// into consecutive rows of `type`, spreading rows over `pool`'s threads. The output does not
    /// depend on the thread count.
    public static func quantizeRows(type: GGMLType, _ src: UnsafePointer<Float>, rows: Int, cols: Int,
                                    into: UnsafeMutableRawPointer, pool: ThreadPool? = nil) {
        precondition(rows >= 0, "Kernels.quantizeRows: negative row count")
        guard rows > 0 else { return }
        guard let rowBytes = type.byteCount(elementCount: cols), cols % type.blockSize == 0 else {
            preconditionFailure("Kernels.quantizeRows: \(cols) columns is not a whole number of \(type.name) blocks")
        }
        // About 64 Ki values per task: enough work to amortise the fork/join, enough tasks to balance.
        let rowsPerTask = max(1, (1 << 16) / max(1, cols))
        let tasks = (rows + rowsPerTask - 1) / rowsPerTask
        let run: (Int) -> Void = { task in
            let first = task * rowsPerTask, count = min(rowsPerTask, rows - first)
            quantize(type: type, src + first * cols, count: count * cols, into: into + first * rowBytes)
        }
        if let pool { pool.parallelFor(tasks, run) } else { for task in 0..<tasks { run(task) } }
    }
}
