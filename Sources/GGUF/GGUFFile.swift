// GGUFFile: a parsed, validated GGUF header: metadata in file order, tensor infos in file order,
// and where the tensor data lies. Lookups by key and by tensor name are dictionary-fast; typed
// accessors read vocabulary-sized arrays without building an enum per element.

/// A parsed GGUF header. Make one with `GGUFFile.parse(_:tensorDataLength:)`.
public struct GGUFFile: Sendable {
    /// Format version: 2 or 3.
    public let version: UInt32
    /// Metadata entries in file order.
    public let metadata: [GGUFMetadataEntry]
    /// Tensors in file order.
    public let tensors: [GGUFTensorInfo]
    /// Alignment of the data region and of every tensor's offset (`general.alignment`, default 32).
    public let alignment: Int
    /// Byte offset where the header (magic, counts, metadata, tensor infos) ends, before padding.
    public let headerEnd: Int
    /// Byte offset where tensor data starts: `headerEnd` rounded up to `alignment`.
    public let dataOffset: Int
    /// Bytes of the data region the tensors need: the end of the furthest tensor (relative to
    /// `dataOffset`), not padded further. 0 when there are no tensors.
    public let dataSize: Int

    private let keyIndex: [String: Int]
    private let tensorIndex: [String: Int]

    init(version: UInt32, metadata: [GGUFMetadataEntry], keyIndex: [String: Int],
         tensors: [GGUFTensorInfo], tensorIndex: [String: Int],
         alignment: Int, headerEnd: Int, dataOffset: Int, dataSize: Int) {
        self.version = version
        self.metadata = metadata
        self.keyIndex = keyIndex
        self.tensors = tensors
        self.tensorIndex = tensorIndex
        self.alignment = alignment
        self.headerEnd = headerEnd
        self.dataOffset = dataOffset
        self.dataSize = dataSize
    }

    // MARK: Metadata

    /// The value for `key` as a `GGUFValue`. For vocabulary-sized arrays prefer the typed
    /// accessors below: this builds one enum per element.
    public subscript(key: String) -> GGUFValue? { entry(key)?.value }

    /// The entry for `key`.
    public func entry(_ key: String) -> GGUFMetadataEntry? {
        keyIndex[key].map { metadata[$0] }
    }

    /// The array for `key`, in compact storage.
    public func array(_ key: String) -> GGUFArray? { entry(key)?.arrayValue }

    /// The string array for `key` (exact bytes kept; elements read as `String` are repaired UTF-8).
    /// Fast: no per-element work. `Array(file.stringArray(k)!)` gives `[String]`.
    public func stringArray(_ key: String) -> GGUFStringArray? { array(key)?.strings }

    /// The float array for `key` (float32 without copying, float64 converted).
    public func floatArray(_ key: String) -> [Float]? { array(key)?.floats }

    /// The int32 array for `key` (int32 without copying, other integer types converted if they fit).
    public func int32Array(_ key: String) -> [Int32]? { array(key)?.int32s }

    /// An integer value for `key` (any integer type that fits in Int).
    public func int(_ key: String) -> Int? { self[key]?.int }

    /// A float value for `key` (float32, float64, or an integer converted).
    public func float(_ key: String) -> Float? { self[key]?.float }

    /// A bool value for `key`.
    public func bool(_ key: String) -> Bool? { self[key]?.bool }

    /// A string value for `key`.
    public func string(_ key: String) -> String? {
        entry(key)?.stringBytes.map { String(decoding: $0, as: UTF8.self) }
    }

    /// `general.architecture`, e.g. "gemma3".
    public var architecture: String? { string("general.architecture") }

    // MARK: Tensors

    /// The tensor called `name`.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The bytes of `tensor` inside `tensorData`, the data region (which starts at `dataOffset`
    /// in the file). `tensorData` must hold at least `dataSize` bytes.
    public func data(of tensor: GGUFTensorInfo, in tensorData: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        precondition(tensor.offset + tensor.byteCount <= tensorData.count,
                     "tensor data region too small for \(quoted(tensor.name))")
        return UnsafeRawBufferPointer(rebasing: tensorData[tensor.offset..<(tensor.offset + tensor.byteCount)])
    }
}
