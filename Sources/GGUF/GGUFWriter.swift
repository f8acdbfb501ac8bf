// GGUFWriter: builds GGUF v3 files: metadata in the order added, tensor infos, padding to the
// alignment, and each tensor's data at an aligned offset. Used by tests and by quantize-while-packing.

import Glibc

/// Builds a GGUF v3 file.
///
/// Tensor data is laid out in the order tensors are added, each at the next multiple of
/// `alignment`, and padded with zeros to the alignment after it. When `alignment` is not the
/// default 32 and no `general.alignment` entry was added, one is written first. An explicitly added
/// `general.alignment` is written as given (which lets tests build files that disagree with it).
public struct GGUFWriter {
    /// The alignment of the data region and of every tensor's data.
    public let alignment: Int
    private var entries: [GGUFMetadataEntry] = []
    private var tensors: [(name: String, dims: [Int], type: GGMLType, data: [UInt8])] = []

    /// A writer that aligns tensor data to `alignment` bytes (a power of two).
    public init(alignment: Int = 32) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment must be a power of two")
        self.alignment = alignment
    }

    /// Adds a metadata entry. Arrays must hold one element type.
    public mutating func add(key: String, _ value: GGUFValue) {
        entries.append(GGUFMetadataEntry(key: key, value: value))
    }

    /// Adds an array in compact storage (the fast way to write a vocabulary).
    public mutating func add(key: String, _ array: GGUFArray) {
        entries.append(GGUFMetadataEntry(key: key, array: array))
    }

    /// Adds an entry as it is, e.g. one copied from a parsed file (strings keep their exact bytes).
    public mutating func add(_ entry: GGUFMetadataEntry) {
        entries.append(entry)
    }

    /// Adds a tensor. `dims` are innermost first (ne0 first); `data` must hold exactly the bytes
    /// the dimensions and type call for.
    public mutating func addTensor(name: String, dims: [Int], type: GGMLType, data: [UInt8]) {
        precondition((1...4).contains(dims.count) && dims.allSatisfy { $0 > 0 }, "tensor \(name): bad dims \(dims)")
        precondition(dims[0] % type.blockSize == 0, "tensor \(name): ne0 \(dims[0]) is not a whole number of blocks")
        let elements = dims.reduce(1) { $0 * $1 }
        precondition(type.byteCount(elementCount: elements) == data.count,
                     "tensor \(name): \(data.count) bytes given, \(type.byteCount(elementCount: elements) ?? -1) needed")
        tensors.append((name, dims, type, data))
    }

    /// Where each tensor's data starts, relative to the data region, in the order added.
    public var tensorOffsets: [Int] {
        var offsets: [Int] = []
        var next = 0
        for tensor in tensors {
            offsets.append(next)
            next = alignUp(next + tensor.data.count)
        }
        return offsets
    }

    /// The header: preamble, metadata, tensor infos, and zero padding up to the data region.
    public func serializeHeader() -> [UInt8] {
        var out = ByteWriter()
        let written = entriesToWrite
        out.bytes.append(contentsOf: Array("GGUF".utf8))
        out.append(UInt32(3))
        out.append(UInt64(tensors.count))
        out.append(UInt64(written.count))
        for entry in written {
            out.appendString(Array(entry.key.utf8))
            out.append(entry.type.rawValue)
            switch entry.payload {
            case .scalar(let value): out.appendScalar(value)
            case .string(let bytes): out.appendString(bytes)
            case .array(let array): out.appendArray(array)
            }
        }
        for (tensor, offset) in zip(tensors, tensorOffsets) {
            out.appendString(Array(tensor.name.utf8))
            out.append(UInt32(tensor.dims.count))
            for dim in tensor.dims { out.append(UInt64(dim)) }
            out.append(tensor.type.rawValue)
            out.append(UInt64(offset))
        }
        out.bytes.append(contentsOf: repeatElement(0, count: alignUp(out.bytes.count) - out.bytes.count))
        return out.bytes
    }

    /// The whole file.
    public func serialize() -> [UInt8] {
        var bytes = serializeHeader()
        for tensor in tensors {
            bytes.append(contentsOf: tensor.data)
            bytes.append(contentsOf: repeatElement(0, count: alignUp(tensor.data.count) - tensor.data.count))
        }
        return bytes
    }

    /// Writes the whole file to `path` (created or truncated), without building it in memory first.
    public func write(to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GGUFError("cannot create \(quoted(path)): \(String(cString: strerror(errno)))") }
        var closed = false
        defer { if !closed { close(fd) } }
        func put(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        throw GGUFError("cannot write \(quoted(path)): \(String(cString: strerror(errno)))")
                    }
                    done += n
                }
            }
        }
        try put(serializeHeader())
        for tensor in tensors {
            try put(tensor.data)
            try put(Array(repeating: 0, count: alignUp(tensor.data.count) - tensor.data.count))
        }
        closed = true
        guard close(fd) == 0 else { throw GGUFError("cannot close \(quoted(path)): \(String(cString: strerror(errno)))") }
    }

    /// The entries in file order, with `general.alignment` first when it must be stated.
    private var entriesToWrite: [GGUFMetadataEntry] {
        if alignment != 32 && !entries.contains(where: { $0.key == "general.alignment" }) {
            return [GGUFMetadataEntry(key: "general.alignment", value: .uint32(UInt32(alignment)))] + entries
        }
        return entries
    }

    private func alignUp(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
}

/// Appends little-endian GGUF encodings to a byte array.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func appendString(_ string: [UInt8]) {
        append(UInt64(string.count))
        bytes.append(contentsOf: string)
    }

    mutating func appendScalar(_ value: GGUFValue) {
        switch value {
        case .uint8(let v): append(v)
        case .int8(let v): append(v)
        case .uint16(let v): append(v)
        case .int16(let v): append(v)
        case .uint32(let v): append(v)
        case .int32(let v): append(v)
        case .uint64(let v): append(v)
        case .int64(let v): append(v)
        case .float32(let v): append(v.bitPattern)
        case .float64(let v): append(v.bitPattern)
        case .bool(let v): append(UInt8(v ? 1 : 0))
        case .string(let s): appendString(Array(s.utf8))
        case .array(let elements):
            guard let array = GGUFArray(elements) else { preconditionFailure("GGUF arrays hold one element type") }
            appendArray(array)
        }
    }

    /// Element type, count, elements.
    mutating func appendArray(_ array: GGUFArray) {
        append(array.elementType.rawValue)
        append(UInt64(array.count))
        switch array.storage {
        case .uint8(let a): appendAll(a)
        case .int8(let a): appendAll(a)
        case .uint16(let a): appendAll(a)
        case .int16(let a): appendAll(a)
        case .uint32(let a): appendAll(a)
        case .int32(let a): appendAll(a)
        case .uint64(let a): appendAll(a)
        case .int64(let a): appendAll(a)
        case .float32(let a): appendAll(a)
        case .float64(let a): appendAll(a)
        case .bool(let a): bytes.append(contentsOf: a.map { $0 ? 1 : 0 })
        case .string(let strings):
            // Built in one buffer of the exact size: a vocabulary is a quarter million strings.
            let section = strings.withStorage { storage, ends in
                [UInt8](unsafeUninitializedCapacity: 8 * ends.count + storage.count) { out, initialized in
                    let base = UnsafeMutableRawPointer(out.baseAddress!)
                    var position = 0
                    var start = 0
                    for end in ends {
                        withUnsafeBytes(of: UInt64(end - start).littleEndian) { length in
                            (base + position).copyMemory(from: length.baseAddress!, byteCount: 8)
                        }
                        position += 8
                        if end > start {
                            (base + position).copyMemory(from: storage.baseAddress! + start, byteCount: end - start)
                        }
                        position += end - start
                        start = end
                    }
                    initialized = position
                }
            }
            bytes.append(contentsOf: section)
        case .array(let inner):
            for element in inner { appendArray(element) }
        }
    }

    private mutating func appendAll<T: FixedWidthInteger>(_ values: [T]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in values { append(v) }
        #endif
    }

    private mutating func appendAll(_ values: [Float]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        appendAll(values.map(\.bitPattern))
        #endif
    }

    private mutating func appendAll(_ values: [Double]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        appendAll(values.map(\.bitPattern))
        #endif
    }
}
