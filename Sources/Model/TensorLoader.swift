// TensorLoader: finds a model's tensors by name, checks their shapes and types against what the
// architecture expects, and hands out weight matrices that are views into the mapped file
// (nothing is copied but the small norm vectors).

import GGUF
import Kernels

/// Looks up tensors of one GGUF file whose tensor data is `data`.
struct TensorLoader {
    let gguf: GGUFFile
    let data: UnsafeRawBufferPointer

    /// The weight matrix `name` with `rows` output features and `cols` input features
    /// (GGUF dims `[cols, rows]`), as a view into `data`.
    func matrix(_ name: String, rows: Int, cols: Int) throws -> WeightMatrix {
        guard let matrix = try optionalMatrix(name, rows: rows, cols: cols) else {
            throw ModelError("missing tensor \(name)")
        }
        return matrix
    }

    /// Like `matrix`, but nil when the file has no tensor `name`.
    func optionalMatrix(_ name: String, rows: Int, cols: Int) throws -> WeightMatrix? {
        guard let info = gguf.tensor(named: name) else { return nil }
        try check(info, dims: [cols, rows])
        guard Kernels.supports(info.type) else {
            throw ModelError("tensor \(name) has type \(info.type.name), which llmpack cannot multiply "
                + "(supported: \(Self.supportedTypeNames))")
        }
        guard cols % info.type.blockSize == 0 else {
            throw ModelError("tensor \(name): row length \(cols) is not a multiple of the "
                + "\(info.type.name) block size \(info.type.blockSize)")
        }
        return WeightMatrix(type: info.type, data: try pointer(to: info), rows: rows, cols: cols)
    }

    /// The vector `name` of `count` elements, converted to Float (norm weights, biases).
    func vector(_ name: String, count: Int) throws -> [Float] {
        guard let info = gguf.tensor(named: name) else { throw ModelError("missing tensor \(name)") }
        try check(info, dims: [count])
        guard Kernels.supports(info.type) else {
            throw ModelError("tensor \(name) has type \(info.type.name), which llmpack cannot read "
                + "(supported: \(Self.supportedTypeNames))")
        }
        guard count % info.type.blockSize == 0 else {
            throw ModelError("tensor \(name): length \(count) is not a multiple of the "
                + "\(info.type.name) block size \(info.type.blockSize)")
        }
        let source = try pointer(to: info)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            Kernels.dequantize(type: info.type, source, count: count, into: buffer.baseAddress!)
            initialized = count
        }
    }

    /// The tensor types the kernels handle, for error messages.
    static var supportedTypeNames: String {
        Kernels.supportedTypes.map(\.name).joined(separator: ", ")
    }

    /// Checks dims and that the tensor's bytes lie inside `data`.
    private func check(_ info: GGUFTensorInfo, dims: [Int]) throws {
        guard info.dims == dims else {
            throw ModelError("tensor \(info.name) has dims \(info.dims), expected \(dims)")
        }
        let (end, overflow) = info.offset.addingReportingOverflow(info.byteCount)
        guard info.offset >= 0, !overflow, end <= data.count else {
            throw ModelError("tensor \(info.name) (bytes \(info.offset)..<\(info.offset &+ info.byteCount)) "
                + "lies outside the tensor data (\(data.count) bytes)")
        }
    }

    private func pointer(to info: GGUFTensorInfo) throws -> UnsafeRawPointer {
        guard let base = data.baseAddress else { throw ModelError("tensor data is empty") }
        return base + info.offset
    }
}
