// WeightMatrix: a view of a 2-D weight tensor stored as ggml blocks (usually inside the memory map).

import GGUF

/// A row-major matrix of `rows` x `cols` elements of `type`, read in place. Row r (one output
/// feature) starts at `data + r * rowBytes`. The memory must outlive every use of the view.
public struct WeightMatrix: @unchecked Sendable {
    /// Element type of the stored blocks.
    public let type: GGMLType
    /// First byte of row 0.
    public let data: UnsafeRawPointer
    /// Output features (ggml's ne1).
    public let rows: Int
    /// Input features (ggml's ne0); a multiple of the type's block size.
    public let cols: Int

    public init(type: GGMLType, data: UnsafeRawPointer, rows: Int, cols: Int) {
        self.type = type
        self.data = data
        self.rows = rows
        self.cols = cols
    }

    /// Bytes of one row.
    public var rowBytes: Int { cols / type.blockSize * type.bytesPerBlock }

    /// Bytes of the whole matrix.
    public var byteCount: Int { rows * rowBytes }
}
