// GGUFQuantizer: writes a GGUF again with its weights in a quantization mix (llama.cpp's
// `llama-quantize MODEL OUT Q4_K_M`, without an importance matrix).
//
// Every metadata entry is kept (split keys dropped), `general.file_type` is set to the mix's
// LLAMA_FTYPE and `general.quantization_version` to 2. Tensors keep their order and names; each
// one is copied when its type does not change, else converted to floats (F16, BF16 or
// dequantized blocks) and quantized, in row chunks spread over threads. The output is streamed:
// one chunk of one tensor is in memory at a time, next to the memory-mapped source.

import Bundle
import GGUF
import Kernels
#if canImport(Glibc)
import Glibc
#endif

/// Quantizes GGUF files.
public enum GGUFQuantizer {
    /// What a quantization did.
    public struct Result: Sendable {
        public let mix: QuantizationMix
        /// Every tensor, in file order.
        public let tensors: [TensorQuantization]
        public let sourceSize: Int
        /// SHA-256 of the source file (hex).
        public let sourceSHA256: String
        /// Bytes written.
        public let outputSize: Int

        /// Tensors that were quantized already and were dequantized and quantized again.
        public var requantized: [TensorQuantization] { tensors.filter(\.isRequantized) }
        /// Tensors whose row length forced another type than the mix's choice.
        public var fellBack: [TensorQuantization] { tensors.filter { $0.wanted != nil } }
    }

    /// ggml's quantization format version (GGML_QNT_VERSION).
    public static let quantizationVersion: UInt32 = 2

    /// Values converted per chunk (16 MiB of floats).
    static let chunkValues = 1 << 22

    /// Quantizes the GGUF at `input` into a new file at `output` (written via a temporary file).
    public static func quantize(_ input: String, to output: String, mix: QuantizationMix, threads: Int,
                                progress: ProgressHandler? = nil) throws -> Result {
        let file = try OutputFile(path: output)
        let result = try quantize(input, mix: mix, threads: threads, progress: progress) { try file.write($0) }
        try file.commit()
        return result
    }

    /// Quantizes the GGUF at `input`, handing the output's bytes to `write` in order.
    public static func quantize(_ input: String, mix: QuantizationMix, threads: Int, progress: ProgressHandler? = nil,
                                write: (UnsafeRawBufferPointer) throws -> Void) throws -> Result {
        let source: MappedFile
        do { source = try MappedFile(path: input) } catch { throw LLMPackError("cannot read \(input): \(error)") }
        let bytes = source.bytes
        let gguf: GGUFFile
        do { gguf = try GGUFFile.parse(bytes) } catch { throw LLMPackError("\(input) is not a valid GGUF: \(error)") }
        guard gguf.dataOffset <= bytes.count else {
            throw LLMPackError("\(input): tensor data would start past the end of the file")
        }
        let plans = QuantizationPlan.make(gguf, mix: mix)
        for plan in plans where plan.isConverted {
            guard Kernels.supports(plan.sourceType) else {
                throw LLMPackError("\(input): cannot convert tensor \(plan.name): llmpack cannot read \(plan.sourceType.name) data")
            }
            guard Kernels.canQuantize(plan.type) else {
                throw LLMPackError("\(input): cannot convert tensor \(plan.name) to \(plan.type.name)")
            }
        }
        let digest = hash(bytes, progress: progress)

        let (header, offsets, dataSize) = try makeHeader(gguf, plans: plans, mix: mix)
        try header.withUnsafeBytes { try write($0) }
        var written = header.count
        let data = UnsafeRawBufferPointer(rebasing: bytes[gguf.dataOffset...])
        let pool = ThreadPool(threads: max(1, threads))
        let zeros = [UInt8](repeating: 0, count: gguf.alignment)
        let total = gguf.tensors.reduce(0) { $0 + $1.byteCount }
        var done = 0
        for (index, (tensor, plan)) in zip(gguf.tensors, plans).enumerated() {
            precondition(written == header.count + offsets[index], "GGUFQuantizer: tensor data out of place")
            let tensorBytes = UnsafeRawBufferPointer(rebasing: data[tensor.offset..<(tensor.offset + tensor.byteCount)])
            if plan.isConverted {
                written += try convert(tensor, bytes: tensorBytes, to: plan.type, pool: pool, write: write) { part in
                    progress?("quantize", done + part, total)
                }
            } else {
                try write(tensorBytes)
                written += tensorBytes.count
            }
            let padding = (gguf.alignment - written % gguf.alignment) % gguf.alignment
            try zeros.withUnsafeBytes { try write(UnsafeRawBufferPointer(rebasing: $0[0..<padding])) }
            written += padding
            done += tensor.byteCount
            progress?("quantize", done, total)
        }
        precondition(written == header.count + dataSize, "GGUFQuantizer: wrote \(written) bytes, planned \(header.count + dataSize)")
        return Result(mix: mix, tensors: plans, sourceSize: bytes.count, sourceSHA256: digest.hex, outputSize: written)
    }

    /// The new header: the source's metadata (file type and quantization version set), tensor
    /// infos with the new types and offsets, padding. Also each tensor's data offset and the size
    /// of the data region.
    static func makeHeader(_ gguf: GGUFFile, plans: [TensorQuantization], mix: QuantizationMix) throws
        -> (bytes: [UInt8], offsets: [Int], dataSize: Int) {
        var writer = GGUFWriter(alignment: gguf.alignment)
        var setFileType = false, setVersion = false
        for entry in gguf.metadata {
            switch entry.key {
            case "split.no", "split.count", "split.tensors.count":
                continue
            case "general.file_type":
                writer.add(key: entry.key, .uint32(mix.fileType)); setFileType = true
            case "general.quantization_version":
                writer.add(key: entry.key, .uint32(quantizationVersion)); setVersion = true
            default:
                writer.add(entry)
            }
        }
        if !setVersion { writer.add(key: "general.quantization_version", .uint32(quantizationVersion)) }
        if !setFileType { writer.add(key: "general.file_type", .uint32(mix.fileType)) }

        // The writer lays out the metadata; the tensor infos are appended here, since their data
        // is streamed later and never held by a writer.
        let metadataOnly = writer.serializeHeader()
        let metadataEnd = try metadataOnly.withUnsafeBytes { try GGUFFile.parse($0).headerEnd }
        var out = Array(metadataOnly[0..<metadataEnd])
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        out.replaceSubrange(8..<16, with: withUnsafeBytes(of: UInt64(plans.count).littleEndian) { Array($0) })

        var offsets: [Int] = []
        var next = 0
        for plan in plans {
            guard let size = plan.type.byteCount(elementCount: plan.dims.reduce(1, *)) else {
                throw LLMPackError("tensor \(plan.name): its size in \(plan.type.name) overflows")
            }
            offsets.append(next)
            append(UInt64(plan.name.utf8.count))
            out.append(contentsOf: plan.name.utf8)
            append(UInt32(plan.dims.count))
            for dim in plan.dims { append(UInt64(dim)) }
            append(plan.type.rawValue)
            append(UInt64(next))
            next = (next + size + gguf.alignment - 1) / gguf.alignment * gguf.alignment
        }
        out.append(contentsOf: repeatElement(0, count: (gguf.alignment - out.count % gguf.alignment) % gguf.alignment))
        do {
            _ = try out.withUnsafeBytes { try GGUFFile.parse($0, tensorDataLength: next) }
        } catch {
            throw LLMPackError("the quantized GGUF's header does not parse: \(error)")
        }
        return (out, offsets, next)
    }

    /// Converts one tensor to `type` chunk by chunk, writing each chunk; returns the bytes written.
    static func convert(_ tensor: GGUFTensorInfo, bytes: UnsafeRawBufferPointer, to type: GGMLType, pool: ThreadPool,
                        write: (UnsafeRawBufferPointer) throws -> Void, progress: (Int) -> Void) throws -> Int {
        let cols = tensor.rowLength, rows = tensor.rowCount
        let sourceRowBytes = tensor.rowByteCount
        guard let rowBytes = type.byteCount(elementCount: cols) else {
            throw LLMPackError("tensor \(tensor.name): rows of \(cols) values do not fit \(type.name)")
        }
        let rowsPerChunk = max(1, min(rows, chunkValues / cols))
        let floats = UnsafeMutablePointer<Float>.allocate(capacity: rowsPerChunk * cols)
        defer { floats.deallocate() }
        let out = UnsafeMutableRawPointer.allocate(byteCount: max(1, rowsPerChunk * rowBytes), alignment: 64)
        defer { out.deallocate() }
        var written = 0
        var first = 0
        while first < rows {
            let count = min(rowsPerChunk, rows - first)
            let source = bytes.baseAddress! + first * sourceRowBytes
            // Dequantize in pieces of a few rows over the pool, then check the values.
            let rowsPerTask = max(1, (1 << 16) / cols)
            pool.parallelFor((count + rowsPerTask - 1) / rowsPerTask) { task in
                let r = task * rowsPerTask, n = min(rowsPerTask, count - r)
                Kernels.dequantize(type: tensor.type, source + r * sourceRowBytes, count: n * cols, into: floats + r * cols)
            }
            for i in 0..<(count * cols) where !floats[i].isFinite {
                let row = first + i / cols, column = i % cols
                throw LLMPackError("tensor \(tensor.name) holds a value that is not finite (\(floats[i])) at row \(row), column \(column)")
            }
            Kernels.quantizeRows(type: type, floats, rows: count, cols: cols, into: out, pool: pool)
            try write(UnsafeRawBufferPointer(start: out, count: count * rowBytes))
            written += count * rowBytes
            first += count
            progress(first * sourceRowBytes)
        }
        return written
    }

    /// SHA-256 of the source, reporting progress every 64 MiB.
    static func hash(_ bytes: UnsafeRawBufferPointer, progress: ProgressHandler?) -> SHA256Digest {
        var sha = SHA256()
        var offset = 0
        let step = 64 << 20
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            sha.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
            progress?("hash", offset, bytes.count)
        }
        return sha.finalize()
    }
}
