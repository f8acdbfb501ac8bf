// GGUFTensorInfo: where one tensor lives in a GGUF file and how big it is, already validated by
// the parser (sizes fit in Int, whole blocks per row, inside the data region).

/// One tensor of a GGUF file.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's name, e.g. "blk.0.attn_q.weight".
    public let name: String
    /// Dimensions, innermost (ne0, the contiguous one) first; 1 to 4 of them, each > 0.
    public let dims: [Int]
    /// Element type.
    public let type: GGMLType
    /// Byte offset of the tensor's data, relative to the start of the data region
    /// (`GGUFFile.dataOffset`). A multiple of the file's alignment.
    public let offset: Int
    /// Number of elements: the product of `dims`.
    public let elementCount: Int
    /// Bytes of the tensor's data.
    public let byteCount: Int

    init(name: String, dims: [Int], type: GGMLType, offset: Int, elementCount: Int, byteCount: Int) {
        self.name = name
        self.dims = dims
        self.type = type
        self.offset = offset
        self.elementCount = elementCount
        self.byteCount = byteCount
    }

    /// Elements per row (ne0).
    public var rowLength: Int { dims[0] }
    /// Number of rows: the product of all dims but the first (ne1 * ne2 * ne3).
    public var rowCount: Int { elementCount / dims[0] }
    /// Bytes of one row.
    public var rowByteCount: Int { byteCount / rowCount }
}
