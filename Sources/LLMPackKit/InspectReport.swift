// What `llmpack inspect` shows: the bundle's layout (sections, offsets, sizes, checksums, chunks),
// the manifest and run config, the GGUF metadata and the tensor table; as text or as JSON.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Bundle
import GGUF

/// Everything `llmpack inspect` reports about a bundle.
public struct InspectReport: Codable, Sendable {
    public struct Region: Codable, Sendable {
        public var offset: Int
        public var length: Int
    }

    public struct Section: Codable, Sendable {
        public var kind: String
        public var encoding: String
        /// File offset of the stored bytes.
        public var offset: Int
        public var storedLength: Int
        public var rawLength: Int
        public var sha256: String
    }

    public struct Chunk: Codable, Sendable {
        public var number: Int
        public var encoding: String
        public var offset: Int
        public var storedLength: Int
        public var rawLength: Int
        public var sha256: String
    }

    public struct TensorDataSummary: Codable, Sendable {
        public var chunkSize: Int
        public var chunkCount: Int
        public var compressedChunks: Int
        public var storedLength: Int
        public var rawLength: Int
        /// raw / stored, two decimals.
        public var compressionRatio: String
        public var memoryMapped: Bool
        public var chunks: [Chunk]
    }

    public struct MetadataItem: Codable, Sendable {
        public var key: String
        public var type: String
        public var value: MetadataValue
    }

    public struct Tensor: Codable, Sendable {
        public var name: String
        public var type: String
        public var dims: [Int]
        /// Offset in the tensor data.
        public var offset: Int
        public var bytes: Int
    }

    public var file: String
    public var fileSize: Int
    /// "bundle" or "gguf" (a plain GGUF file: only the GGUF part below is present).
    public var kind: String
    public var formatVersion: Int?
    public var payload: Region?
    public var index: Region?
    public var indexSHA256: String?
    public var sections: [Section]?
    public var tensorData: TensorDataSummary?
    public var manifest: Manifest?
    public var runConfig: RunConfig?
    public var ggufVersion: Int
    public var dataOffset: Int
    public var alignment: Int
    public var metadata: [MetadataItem]
    public var tensors: [Tensor]

    /// Gathers the report (structure checks and small-section checksums only; no full hash).
    public init(reader: BundleReader, path: String) throws {
        let gguf = try reader.parseGGUF()
        file = path
        fileSize = reader.file.count
        kind = "bundle"
        dataOffset = gguf.dataOffset
        formatVersion = Int(reader.trailer.version)
        payload = Region(offset: reader.payloadStart, length: reader.trailer.payloadLength)
        index = Region(offset: reader.payloadStart + reader.trailer.indexOffset, length: reader.trailer.indexLength)
        indexSHA256 = reader.trailer.indexChecksum.hex
        sections = reader.index.sections.map {
            Section(kind: $0.kind.description, encoding: $0.encoding.description, offset: reader.payloadStart + $0.offset,
                    storedLength: $0.storedLength, rawLength: $0.rawLength, sha256: $0.checksum.hex)
        }
        let tensorSection = reader.section(.tensorData)
        let chunks = reader.index.chunks.enumerated().map { number, chunk in
            Chunk(number: number, encoding: chunk.encoding.description, offset: reader.payloadStart + chunk.offset,
                  storedLength: chunk.storedLength, rawLength: chunk.rawLength, sha256: chunk.checksum.hex)
        }
        tensorData = TensorDataSummary(chunkSize: reader.index.chunkSize, chunkCount: chunks.count,
                                       compressedChunks: chunks.filter { $0.encoding != "raw" }.count,
                                       storedLength: tensorSection.storedLength, rawLength: tensorSection.rawLength,
                                       compressionRatio: ModelInfo.ratio(raw: tensorSection.rawLength, stored: tensorSection.storedLength),
                                       memoryMapped: tensorSection.encoding == .raw, chunks: chunks)
        manifest = try reader.manifest()
        runConfig = try reader.runConfig()
        ggufVersion = Int(gguf.version)
        alignment = gguf.alignment
        metadata = gguf.metadata.map { MetadataItem(key: $0.key, type: Self.typeName($0), value: MetadataValue($0)) }
        tensors = gguf.tensors.map { Tensor(name: $0.name, type: $0.type.name, dims: $0.dims, offset: $0.offset, bytes: $0.byteCount) }
    }

    /// The report of a plain GGUF file: its metadata and tensor table.
    public init(gguf: GGUFFile, path: String, fileSize: Int) {
        file = path
        self.fileSize = fileSize
        kind = "gguf"
        ggufVersion = Int(gguf.version)
        alignment = gguf.alignment
        dataOffset = gguf.dataOffset
        metadata = gguf.metadata.map { MetadataItem(key: $0.key, type: Self.typeName($0), value: MetadataValue($0)) }
        tensors = gguf.tensors.map { Tensor(name: $0.name, type: $0.type.name, dims: $0.dims, offset: $0.offset, bytes: $0.byteCount) }
    }

    static func typeName(_ entry: GGUFMetadataEntry) -> String {
        if let array = entry.arrayValue { return "ARRAY[\(array.elementType.name)]" }
        return entry.type.name
    }

    /// Pretty JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The text report.
    public func text() -> String {
        var lines: [String] = []
        if let formatVersion, let payload, let index, let indexSHA256, let sections, let tensorData, let manifest, let runConfig {
            lines += bundleLines(formatVersion: formatVersion, payload: payload, index: index, indexSHA256: indexSHA256,
                                 sections: sections, tensorData: tensorData, manifest: manifest, runConfig: runConfig)
        } else {
            lines.append("\(file): GGUF file, \(Terminal.grouped(fileSize)) bytes, tensor data from offset \(dataOffset)")
        }
        lines.append("")
        lines.append("GGUF metadata (version \(ggufVersion), alignment \(alignment), \(metadata.count) keys):")
        for item in metadata { lines.append("  \(item.key) [\(item.type)] = \(item.value.text)") }
        lines.append("")
        lines.append("Tensors (\(tensors.count)):")
        var tensorTable = [["name", "type", "dims", "offset", "bytes"]]
        for tensor in tensors {
            tensorTable.append([tensor.name, tensor.type, tensor.dims.map(String.init).joined(separator: " x "), "\(tensor.offset)", Terminal.grouped(tensor.bytes)])
        }
        lines += Self.columns(tensorTable).map { "  " + $0 }
        return lines.joined(separator: "\n")
    }

    private func bundleLines(formatVersion: Int, payload: Region, index: Region, indexSHA256: String, sections: [Section],
                             tensorData: TensorDataSummary, manifest: Manifest, runConfig: RunConfig) -> [String] {
        var lines: [String] = []
        lines.append("\(file): llmpack bundle, format \(formatVersion), \(Terminal.grouped(fileSize)) bytes")
        lines.append("  runner   0..<\(payload.offset)")
        lines.append("  payload  \(payload.offset)..<\(fileSize) (\(Terminal.size(payload.length)))")
        lines.append("  index    \(index.offset)..<\(index.offset + index.length)  sha256 \(indexSHA256)")
        lines.append("")
        lines.append("Sections:")
        var table = [["kind", "encoding", "file range", "stored", "raw", "sha256"]]
        for section in sections {
            table.append([section.kind, section.encoding, "\(section.offset)..<\(section.offset + section.storedLength)",
                          Terminal.grouped(section.storedLength), Terminal.grouped(section.rawLength), section.sha256])
        }
        lines += Self.columns(table).map { "  " + $0 }
        lines.append("")
        let compressed = tensorData.compressedChunks
        lines.append("Tensor data: \(tensorData.chunkCount) chunks of up to \(Terminal.size(tensorData.chunkSize)), \(compressed) zstd, ratio \(tensorData.compressionRatio):1, \(tensorData.memoryMapped ? "memory-mapped" : "decompressed at launch")")
        var chunkTable = [["chunk", "encoding", "file range", "stored", "raw", "sha256"]]
        for chunk in tensorData.chunks {
            chunkTable.append(["\(chunk.number)", chunk.encoding, "\(chunk.offset)..<\(chunk.offset + chunk.storedLength)",
                               Terminal.grouped(chunk.storedLength), Terminal.grouped(chunk.rawLength), chunk.sha256])
        }
        lines += Self.columns(chunkTable).map { "  " + $0 }
        lines.append("")
        lines.append("Manifest:")
        lines += ModelInfo.text(manifest: manifest, runConfig: runConfig).split(separator: "\n").map { "  " + $0 }
        return lines
    }

    /// Left-aligned columns separated by two spaces.
    static func columns(_ rows: [[String]]) -> [String] {
        guard let first = rows.first else { return [] }
        var widths = [Int](repeating: 0, count: first.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
    }
}

/// A metadata value for the report: scalars as they are, long arrays shortened to their first
/// elements and their length.
public enum MetadataValue: Codable, Sendable {
    case string(String)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case bool(Bool)
    case array([MetadataValue])
    case shortenedArray(count: Int, first: [MetadataValue])

    /// Arrays longer than this are shortened.
    static let arrayLimit = 16

    init(_ entry: GGUFMetadataEntry) {
        if let array = entry.arrayValue {
            let shown = (0..<min(array.count, Self.arrayLimit)).map { MetadataValue(array[$0]) }
            self = array.count > Self.arrayLimit ? .shortenedArray(count: array.count, first: Array(shown.prefix(4))) : .array(shown)
        } else {
            self = MetadataValue(entry.value)
        }
    }

    init(_ value: GGUFValue) {
        switch value {
        case .uint8(let v): self = .unsigned(UInt64(v))
        case .uint16(let v): self = .unsigned(UInt64(v))
        case .uint32(let v): self = .unsigned(UInt64(v))
        case .uint64(let v): self = .unsigned(v)
        case .int8(let v): self = .integer(Int64(v))
        case .int16(let v): self = .integer(Int64(v))
        case .int32(let v): self = .integer(Int64(v))
        case .int64(let v): self = .integer(v)
        case .float32(let v): self = .number(Double(v))
        case .float64(let v): self = .number(v)
        case .bool(let v): self = .bool(v)
        case .string(let v): self = .string(v)
        case .array(let values):
            let shown = values.prefix(Self.arrayLimit).map { MetadataValue($0) }
            self = values.count > Self.arrayLimit ? .shortenedArray(count: values.count, first: Array(shown.prefix(4))) : .array(shown)
        }
    }

    /// One line for the text report (long strings cut).
    public var text: String {
        switch self {
        case .string(let s): return "\"" + ModelInfo.oneLine(s, limit: 80) + "\""
        case .integer(let v): return "\(v)"
        case .unsigned(let v): return "\(v)"
        case .number(let v): return "\(v)"
        case .bool(let v): return "\(v)"
        case .array(let values): return "[" + values.map(\.text).joined(separator: ", ") + "]"
        case .shortenedArray(let count, let first): return "[" + first.map(\.text).joined(separator: ", ") + ", … (\(count) elements)]"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let s): try container.encode(s)
        case .integer(let v): try container.encode(v)
        case .unsigned(let v): try container.encode(v)
        case .number(let v): try container.encode(v)
        case .bool(let v): try container.encode(v)
        case .array(let values): try container.encode(values)
        case .shortenedArray(let count, let first): try container.encode(ShortArray(count: count, first: first))
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let v = try? container.decode(Bool.self) { self = .bool(v) }
        else if let v = try? container.decode(Int64.self) { self = .integer(v) }
        else if let v = try? container.decode(UInt64.self) { self = .unsigned(v) }
        else if let v = try? container.decode(Double.self) { self = .number(v) }
        else if let v = try? container.decode(String.self) { self = .string(v) }
        else if let v = try? container.decode([MetadataValue].self) { self = .array(v) }
        else {
            let short = try container.decode(ShortArray.self)
            self = .shortenedArray(count: short.count, first: short.first)
        }
    }

    private struct ShortArray: Codable {
        var count: Int
        var first: [MetadataValue]
    }
}
