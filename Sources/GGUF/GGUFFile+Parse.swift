// GGUFFile+Parse: reads and validates a GGUF v2/v3 header (little-endian).
//
// Layout: "GGUF", version u32, tensor count u64, metadata count u64, then the metadata entries
// (key string, value type u32, value), then the tensor infos (name string, dimension count u32,
// dimensions u64 each, type u32, data offset u64), then padding up to the alignment, then the
// tensor data. A string is a u64 byte length and the bytes; an array is an element type u32, a
// u64 count and the elements.
//
// Nothing from the file is trusted: every count is checked against the bytes left before anything
// is allocated, every size is computed with overflow checks, and every problem becomes a GGUFError
// naming the field and its byte offset.
//
// Policy on strings that are not valid UTF-8: keys and tensor names are identifiers and are rejected
// (naming the offset); string values and array elements are kept as their exact bytes (token strings
// are bytes in llama.cpp) and only repaired with U+FFFD when read as Swift `String`s.
//
// Beyond llama.cpp: bools must be 0 or 1, dimensions must be positive, and tensor data need not be
// packed back to back, only aligned, inside the data region, and not overlapping.

extension GGUFFile {
    /// The deepest nesting of arrays inside arrays that `parse` accepts (an array of scalars is
    /// depth 1). Real files use 1.
    public static let maximumArrayNesting = 8

    /// Parses and validates a GGUF header.
    ///
    /// - Parameters:
    ///   - bytes: the whole file, or at least its header when `tensorDataLength` is given.
    ///   - tensorDataLength: the size of the tensor data region when it is stored apart from the
    ///     header (as in a bundle). Tensor ranges are then checked against it instead of against
    ///     `bytes.count - dataOffset`.
    /// - Throws: `GGUFError` naming the field at fault and its byte offset.
    public static func parse(_ bytes: UnsafeRawBufferPointer, tensorDataLength: Int? = nil) throws -> GGUFFile {
        var parser = GGUFParser(bytes)
        return try parser.parse(tensorDataLength: tensorDataLength)
    }

    /// Parses and validates a GGUF header held in an array (see `parse(_:tensorDataLength:)`).
    public static func parse(_ bytes: [UInt8], tensorDataLength: Int? = nil) throws -> GGUFFile {
        try bytes.withUnsafeBytes { try parse($0, tensorDataLength: tensorDataLength) }
    }
}

/// The fewest bytes one tensor info takes: name length, dimension count, one dimension, type, offset.
private let minimumTensorInfoSize = 8 + 4 + 8 + 4 + 8
/// The fewest bytes one metadata entry takes: key length, value type, a one-byte value.
private let minimumMetadataEntrySize = 8 + 4 + 1
/// The most items reserved up front for a count read from the file. Counts are already bounded by
/// the bytes left, but a corrupt count in a large file could still reserve far more than it uses.
private let reserveLimit = 4096
/// The most dimensions a ggml tensor has.
private let maximumDimensions = 4

/// One parse of one buffer.
private struct GGUFParser {
    var reader: ByteReader

    init(_ bytes: UnsafeRawBufferPointer) { reader = ByteReader(bytes) }

    mutating func parse(tensorDataLength: Int?) throws -> GGUFFile {
        let version = try readPreamble()

        let tensorCountOffset = reader.offset
        let tensorCount = try reader.read(UInt64.self, "tensor count")
        let metadataCountOffset = reader.offset
        let metadataCount = try reader.read(UInt64.self, "metadata count")
        try checkCount(tensorCount, of: "tensor count", at: tensorCountOffset, minimumSize: minimumTensorInfoSize)
        try checkCount(metadataCount, of: "metadata count", at: metadataCountOffset, minimumSize: minimumMetadataEntrySize)
        if Int(tensorCount) * minimumTensorInfoSize + Int(metadataCount) * minimumMetadataEntrySize > reader.remaining {
            throw GGUFError("tensor count \(tensorCount) and metadata count \(metadataCount) at offset "
                + "\(tensorCountOffset) need more than the \(reader.remaining) bytes left", offset: tensorCountOffset)
        }

        var metadata: [GGUFMetadataEntry] = []
        metadata.reserveCapacity(min(Int(metadataCount), reserveLimit))
        var keyIndex: [String: Int] = [:]
        var alignment = 32
        for i in 0..<Int(metadataCount) {
            let entry = try readMetadataEntry(number: i)
            if let first = keyIndex[entry.key] {
                throw GGUFError("duplicate metadata key \(quoted(entry.key)) at offset \(entry.offset) "
                    + "(first at offset \(metadata[first].offset))", offset: entry.offset)
            }
            if entry.key == "general.alignment" { alignment = try checkedAlignment(entry) }
            keyIndex[entry.key] = metadata.count
            metadata.append(entry)
        }

        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(min(Int(tensorCount), reserveLimit))
        var infoOffsets: [Int] = []
        infoOffsets.reserveCapacity(min(Int(tensorCount), reserveLimit))
        var tensorIndex: [String: Int] = [:]
        for i in 0..<Int(tensorCount) {
            let infoOffset = reader.offset
            let tensor = try readTensorInfo(number: i)
            if let first = tensorIndex[tensor.name] {
                throw GGUFError("duplicate tensor name \(quoted(tensor.name)) at offset \(infoOffset) "
                    + "(first at offset \(infoOffsets[first]))", offset: infoOffset)
            }
            tensorIndex[tensor.name] = tensors.count
            tensors.append(tensor)
            infoOffsets.append(infoOffset)
        }

        let headerEnd = reader.offset
        let (padded, overflow) = headerEnd.addingReportingOverflow(alignment - 1)
        guard !overflow else {
            throw GGUFError("header end \(headerEnd) cannot be aligned to \(alignment)", offset: headerEnd)
        }
        let dataOffset = padded / alignment * alignment
        let dataSize = try checkTensorPlacement(tensors, infoOffsets: infoOffsets, alignment: alignment,
                                                dataOffset: dataOffset, tensorDataLength: tensorDataLength)
        return GGUFFile(version: version, metadata: metadata, keyIndex: keyIndex,
                        tensors: tensors, tensorIndex: tensorIndex, alignment: alignment,
                        headerEnd: headerEnd, dataOffset: dataOffset, dataSize: dataSize)
    }

    // MARK: Preamble

    /// Reads the magic and the version; returns the version.
    mutating func readPreamble() throws -> UInt32 {
        if reader.bytes.isEmpty {
            throw GGUFError("input is empty (0 bytes): not a GGUF file (magic expected at offset 0)", offset: 0)
        }
        try reader.require(4, "magic")
        let magic = Array(reader.take(4))
        guard magic == Array("GGUF".utf8) else {
            let hex = magic.map { byte in
                let digits = String(byte, radix: 16, uppercase: true)
                return digits.count == 1 ? "0" + digits : digits
            }.joined(separator: " ")
            throw GGUFError("magic at offset 0 is \(hex), not \"GGUF\" (47 47 55 46): not a GGUF file", offset: 0)
        }
        let version = try reader.read(UInt32.self, "version")
        switch version {
        case 2, 3:
            return version
        case 1:
            throw GGUFError("version 1 at offset 4 is not supported (GGUF v1 used 32-bit counts "
                + "and lengths); only versions 2 and 3 are", offset: 4)
        case _ where (1...3).contains(version.byteSwapped):
            throw GGUFError("version at offset 4 reads \(version) (\(version.byteSwapped) byte-swapped): "
                + "big-endian GGUF files are not supported", offset: 4)
        default:
            throw GGUFError("version \(version) at offset 4 is not supported; only versions 2 and 3 are", offset: 4)
        }
    }

    /// Throws unless `count` items of at least `minimumSize` bytes each fit in the bytes left.
    func checkCount(_ count: UInt64, of what: String, at offset: Int, minimumSize: Int) throws {
        guard count <= UInt64(reader.remaining / minimumSize) else {
            throw GGUFError("\(what) \(count) at offset \(offset) is impossible: each item needs at least "
                + "\(minimumSize) bytes and only \(reader.remaining) are left", offset: offset)
        }
    }

    // MARK: Metadata

    mutating func readMetadataEntry(number i: Int) throws -> GGUFMetadataEntry {
        let entryOffset = reader.offset
        let key = try readName("key of metadata entry #\(i)")
        let typeOffset = reader.offset
        let rawType = try reader.read(UInt32.self, "value type of metadata \(quoted(key))")
        guard let type = GGUFValueType(rawValue: rawType) else {
            throw GGUFError("metadata \(quoted(key)) has unknown value type \(rawType) at offset \(typeOffset)",
                            offset: typeOffset)
        }
        let payload: GGUFMetadataEntry.Payload
        switch type {
        case .string:
            payload = .string(try readStringBytes { "metadata \(quoted(key))" })
        case .array:
            payload = .array(try readArray(depth: 1) { "metadata \(quoted(key))" })
        default:
            payload = .scalar(try readScalar(type) { "value of metadata \(quoted(key))" })
        }
        return GGUFMetadataEntry(key: key, payload: payload, offset: entryOffset)
    }

    /// `general.alignment` must be a uint32 and a non-zero power of two.
    func checkedAlignment(_ entry: GGUFMetadataEntry) throws -> Int {
        guard case .scalar(.uint32(let value)) = entry.payload else {
            throw GGUFError("metadata 'general.alignment' at offset \(entry.offset) has type "
                + "\(entry.type.name); it must be UINT32", offset: entry.offset)
        }
        guard value != 0, value & (value - 1) == 0 else {
            throw GGUFError("metadata 'general.alignment' at offset \(entry.offset) is \(value); "
                + "it must be a non-zero power of two", offset: entry.offset)
        }
        return Int(value)
    }

    /// Reads a key or tensor name: a string that must be valid UTF-8.
    mutating func readName(_ what: @autoclosure () -> String) throws -> String {
        let offset = reader.offset
        let length = try reader.read(UInt64.self, "length of \(what())")
        guard length <= UInt64(reader.remaining) else {
            throw GGUFError("length \(length) of \(what()) at offset \(offset) exceeds the "
                + "\(reader.remaining) bytes left", offset: offset)
        }
        guard let name = String(validating: reader.take(Int(length)), as: UTF8.self) else {
            throw GGUFError("\(what()) at offset \(offset) is not valid UTF-8", offset: offset)
        }
        return name
    }

    /// Reads a string's length and exact bytes.
    mutating func readStringBytes(_ what: () -> String) throws -> [UInt8] {
        let offset = reader.offset
        let length = try reader.read(UInt64.self, "string length of \(what())")
        guard length <= UInt64(reader.remaining) else {
            throw GGUFError("string length \(length) of \(what()) at offset \(offset) exceeds the "
                + "\(reader.remaining) bytes left", offset: offset)
        }
        return Array(reader.take(Int(length)))
    }

    /// Reads one number or bool.
    mutating func readScalar(_ type: GGUFValueType, _ what: () -> String) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try reader.read(UInt8.self, what()))
        case .int8: return .int8(try reader.read(Int8.self, what()))
        case .uint16: return .uint16(try reader.read(UInt16.self, what()))
        case .int16: return .int16(try reader.read(Int16.self, what()))
        case .uint32: return .uint32(try reader.read(UInt32.self, what()))
        case .int32: return .int32(try reader.read(Int32.self, what()))
        case .uint64: return .uint64(try reader.read(UInt64.self, what()))
        case .int64: return .int64(try reader.read(Int64.self, what()))
        case .float32: return .float32(Float(bitPattern: try reader.read(UInt32.self, what())))
        case .float64: return .float64(Double(bitPattern: try reader.read(UInt64.self, what())))
        case .bool:
            let offset = reader.offset
            let byte = try reader.read(UInt8.self, what())
            guard byte <= 1 else {
                throw GGUFError("\(what()) at offset \(offset) is a bool of value \(byte); it must be 0 or 1",
                                offset: offset)
            }
            return .bool(byte == 1)
        case .string, .array:
            preconditionFailure("readScalar called for \(type.name)")
        }
    }

    /// Reads an array (element type, count, elements) into compact storage. `depth` is 1 for an
    /// array that is a metadata value, 2 for an array inside it, and so on.
    mutating func readArray(depth: Int, _ what: () -> String) throws -> GGUFArray {
        let typeOffset = reader.offset
        let rawType = try reader.read(UInt32.self, "array element type of \(what())")
        guard let type = GGUFValueType(rawValue: rawType) else {
            throw GGUFError("array \(what()) has unknown element type \(rawType) at offset \(typeOffset)",
                            offset: typeOffset)
        }
        let countOffset = reader.offset
        let rawCount = try reader.read(UInt64.self, "array length of \(what())")
        guard rawCount <= UInt64(reader.remaining / type.minimumEncodedSize) else {
            throw GGUFError("array length \(rawCount) of \(what()) at offset \(countOffset) is larger than "
                + "the \(reader.remaining) bytes left can hold (\(type.name) elements take at least "
                + "\(type.minimumEncodedSize) bytes each)", offset: countOffset)
        }
        let count = Int(rawCount)
        let elementsOffset = reader.offset
        switch type {
        case .uint8: return GGUFArray(storage: .uint8(reader.takeArray(of: UInt8.self, count: count)))
        case .int8: return GGUFArray(storage: .int8(reader.takeArray(of: Int8.self, count: count)))
        case .uint16: return GGUFArray(storage: .uint16(reader.takeArray(of: UInt16.self, count: count)))
        case .int16: return GGUFArray(storage: .int16(reader.takeArray(of: Int16.self, count: count)))
        case .uint32: return GGUFArray(storage: .uint32(reader.takeArray(of: UInt32.self, count: count)))
        case .int32: return GGUFArray(storage: .int32(reader.takeArray(of: Int32.self, count: count)))
        case .uint64: return GGUFArray(storage: .uint64(reader.takeArray(of: UInt64.self, count: count)))
        case .int64: return GGUFArray(storage: .int64(reader.takeArray(of: Int64.self, count: count)))
        case .float32: return GGUFArray(storage: .float32(reader.takeFloat32s(count: count)))
        case .float64: return GGUFArray(storage: .float64(reader.takeFloat64s(count: count)))
        case .bool:
            let raw = reader.take(count)
            if let bad = raw.firstIndex(where: { $0 > 1 }) {
                throw GGUFError("element \(bad) of array \(what()) at offset \(elementsOffset + bad) is a bool "
                    + "of value \(raw[bad]); it must be 0 or 1", offset: elementsOffset + bad)
            }
            return GGUFArray(storage: .bool(raw.map { $0 == 1 }))
        case .string:
            return GGUFArray(storage: .string(try readStringElements(count: count, what)))
        case .array:
            guard depth < GGUFFile.maximumArrayNesting else {
                throw GGUFError("array \(what()) at offset \(typeOffset) nests arrays deeper than "
                    + "\(GGUFFile.maximumArrayNesting) levels", offset: typeOffset)
            }
            var elements: [GGUFArray] = []
            elements.reserveCapacity(min(count, reserveLimit))
            for i in 0..<count {
                elements.append(try readArray(depth: depth + 1) { "\(what())[\(i)]" })
            }
            return GGUFArray(storage: .array(elements))
        }
    }

    /// Reads `count` strings into one buffer. The hot loop of a vocabulary, in two passes: the
    /// first checks every length and sums them, the second copies the bytes into storage of exactly
    /// that size. No allocation per string.
    mutating func readStringElements(count: Int, _ what: () -> String) throws -> GGUFStringArray {
        let bytes = reader.bytes
        let start = reader.offset
        var position = start
        var total = 0
        for i in 0..<count {
            guard bytes.count - position >= 8 else {
                throw GGUFError("string length of element \(i) of array \(what()) at offset \(position) is truncated: "
                    + "needs 8 bytes, only \(bytes.count - position) left (input is \(bytes.count) bytes)",
                    offset: position)
            }
            let length = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            let left = bytes.count - position - 8
            guard length <= UInt64(left) else {
                throw GGUFError("string length \(length) of element \(i) of array \(what()) at offset \(position) "
                    + "exceeds the \(left) bytes left", offset: position)
            }
            position += 8 + Int(length)
            total += Int(length)
        }

        var ends = [Int](repeating: 0, count: count)
        let storage = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            var position = start
            var filled = 0
            for i in 0..<count {
                let length = Int(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)))
                position += 8
                if length > 0 {
                    UnsafeMutableRawPointer(buffer.baseAddress! + filled)
                        .copyMemory(from: bytes.baseAddress! + position, byteCount: length)
                }
                position += length
                filled += length
                ends[i] = filled
            }
            initialized = filled
        }
        _ = reader.take(position - start)
        return GGUFStringArray(storage: storage, ends: ends)
    }

    // MARK: Tensor infos

    mutating func readTensorInfo(number i: Int) throws -> GGUFTensorInfo {
        let name = try readName("name of tensor #\(i)")

        let dimsOffset = reader.offset
        let dimCount = try reader.read(UInt32.self, "dimension count of tensor \(quoted(name))")
        guard (1...UInt32(maximumDimensions)).contains(dimCount) else {
            throw GGUFError("tensor \(quoted(name)) has \(dimCount) dimensions (at offset \(dimsOffset)); "
                + "it must have 1 to \(maximumDimensions)", offset: dimsOffset)
        }
        var dims: [Int] = []
        dims.reserveCapacity(Int(dimCount))
        var elementCount = 1
        var overflow = false
        for d in 0..<Int(dimCount) {
            let offset = reader.offset
            let dim = try reader.read(UInt64.self, "dimension \(d) of tensor \(quoted(name))")
            guard dim > 0, dim <= UInt64(Int.max) else {
                throw GGUFError("dimension \(d) of tensor \(quoted(name)) at offset \(offset) is \(dim); "
                    + "it must be between 1 and \(Int.max)", offset: offset)
            }
            dims.append(Int(dim))
            if !overflow { (elementCount, overflow) = elementCount.multipliedReportingOverflow(by: Int(dim)) }
        }
        guard !overflow else {
            throw GGUFError("tensor \(quoted(name)) dimensions \(dims) at offset \(dimsOffset) overflow: "
                + "their product does not fit in 64 bits", offset: dimsOffset)
        }

        let typeOffset = reader.offset
        let rawType = try reader.read(UInt32.self, "type of tensor \(quoted(name))")
        guard let type = GGMLType(rawValue: rawType) else {
            throw GGUFError("tensor \(quoted(name)) has unknown type \(rawType) at offset \(typeOffset)",
                            offset: typeOffset)
        }
        guard dims[0] % type.blockSize == 0 else {
            throw GGUFError("tensor \(quoted(name)) row length \(dims[0]) (at offset \(dimsOffset + 4)) is not "
                + "a multiple of the \(type.name) block size \(type.blockSize)", offset: dimsOffset + 4)
        }
        guard let byteCount = type.byteCount(elementCount: elementCount) else {
            throw GGUFError("tensor \(quoted(name)) dimensions \(dims) at offset \(dimsOffset) overflow: "
                + "its \(type.name) byte size does not fit in 64 bits", offset: dimsOffset)
        }

        let offsetOffset = reader.offset
        let dataOffset = try reader.read(UInt64.self, "data offset of tensor \(quoted(name))")
        guard dataOffset <= UInt64(Int.max) else {
            throw GGUFError("tensor \(quoted(name)) data offset \(dataOffset) at offset \(offsetOffset) is too large",
                            offset: offsetOffset)
        }
        return GGUFTensorInfo(name: name, dims: dims, type: type, offset: Int(dataOffset),
                              elementCount: elementCount, byteCount: byteCount)
    }

    /// Checks that every tensor's data is aligned, inside the data region, and clear of the others.
    /// Returns the data size the tensors need.
    func checkTensorPlacement(_ tensors: [GGUFTensorInfo], infoOffsets: [Int], alignment: Int,
                              dataOffset: Int, tensorDataLength: Int?) throws -> Int {
        let fileSize = reader.bytes.count
        if let tensorDataLength, tensorDataLength < 0 {
            throw GGUFError("tensor data length \(tensorDataLength) is negative")
        }
        let available = tensorDataLength ?? max(0, fileSize - dataOffset)
        /// The data range of a tensor as a message shows it: file offsets when the data follows
        /// the header in `bytes`, data-region offsets when it is stored apart.
        func shown(_ start: Int, _ end: Int) -> String {
            let (fileStart, startOverflow) = dataOffset.addingReportingOverflow(start)
            let (fileEnd, endOverflow) = dataOffset.addingReportingOverflow(end)
            if tensorDataLength != nil { return "[\(start), \(end))" }
            if startOverflow || endOverflow { return "[\(start), \(end)) of the data region" }
            return "[\(fileStart), \(fileEnd))"
        }

        var dataSize = 0
        for (i, tensor) in tensors.enumerated() {
            let infoOffset = infoOffsets[i]
            guard tensor.offset % alignment == 0 else {
                throw GGUFError("tensor \(quoted(tensor.name)) data offset \(tensor.offset) is not a multiple of "
                    + "the alignment \(alignment) (tensor info at offset \(infoOffset))", offset: infoOffset)
            }
            let (end, overflow) = tensor.offset.addingReportingOverflow(tensor.byteCount)
            guard !overflow, end <= available else {
                let range = overflow ? "at \(tensor.offset) (\(tensor.byteCount) bytes)" : shown(tensor.offset, end)
                let limit = tensorDataLength == nil
                    ? "extends past end of file (\(fileSize) bytes)"
                    : "extends past end of tensor data (\(available) bytes)"
                throw GGUFError("tensor \(quoted(tensor.name)) data \(range) \(limit) "
                    + "(tensor info at offset \(infoOffset))", offset: infoOffset)
            }
            dataSize = max(dataSize, end)
        }

        // No two tensors may share bytes: sorted by offset, each must start at or after the
        // previous one's end.
        let order = tensors.indices.sorted { tensors[$0].offset < tensors[$1].offset }
        for (previous, current) in zip(order, order.dropFirst()) {
            let a = tensors[previous], b = tensors[current]
            if b.offset < a.offset + a.byteCount {
                throw GGUFError("tensor \(quoted(b.name)) data \(shown(b.offset, b.offset + b.byteCount)) overlaps "
                    + "tensor \(quoted(a.name)) data \(shown(a.offset, a.offset + a.byteCount)) "
                    + "(tensor info at offset \(infoOffsets[current]))", offset: infoOffsets[current])
            }
        }
        return dataSize
    }
}
