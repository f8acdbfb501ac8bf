// Helpers for the GGUF tests: a raw byte builder for hand-made (often broken) files, a small
// writer-made fixture, and assertions on parse errors.

import GGUF
import Testing

/// Builds GGUF bytes field by field, so tests can write exactly the broken file they need.
struct RawGGUF {
    var bytes: [UInt8] = []

    /// Magic, version and counts.
    static func header(version: UInt32 = 3, tensors: UInt64, metadata: UInt64) -> RawGGUF {
        var raw = RawGGUF()
        raw.bytes = Array("GGUF".utf8)
        raw.u32(version)
        raw.u64(tensors)
        raw.u64(metadata)
        return raw
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func string(_ s: String) { stringBytes(Array(s.utf8)) }
    mutating func stringBytes(_ b: [UInt8]) { u64(UInt64(b.count)); bytes.append(contentsOf: b) }

    /// A metadata entry: key, value type, then whatever `value` appends.
    mutating func entry(_ key: String, type: UInt32, _ value: (inout RawGGUF) -> Void) {
        string(key)
        u32(type)
        value(&self)
    }

    mutating func uint32Entry(_ key: String, _ v: UInt32) { entry(key, type: 4) { $0.u32(v) } }

    /// A tensor info.
    mutating func tensor(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) {
        string(name)
        u32(UInt32(dims.count))
        for d in dims { u64(d) }
        u32(type)
        u64(offset)
    }

    /// Zero padding up to a multiple of `alignment`, then `count` data bytes.
    mutating func padAndData(alignment: Int = 32, count: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
        bytes.append(contentsOf: (0..<count).map { UInt8(truncatingIfNeeded: $0) })
    }
}

/// The error `parse` throws for `bytes`, or nil (with a recorded issue) when it accepts them or
/// throws something else.
func parseError(_ bytes: [UInt8], tensorDataLength: Int? = nil,
                sourceLocation: SourceLocation = #_sourceLocation) -> GGUFError? {
    do {
        let file = try GGUFFile.parse(bytes, tensorDataLength: tensorDataLength)
        Issue.record("parse accepted bad input (\(file.tensors.count) tensors)", sourceLocation: sourceLocation)
        return nil
    } catch let error as GGUFError {
        return error
    } catch {
        Issue.record("parse threw a non-GGUF error: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Expects `parse` to reject `bytes` with a one-line message that contains every fragment.
func expectRejected(_ bytes: [UInt8], tensorDataLength: Int? = nil, _ fragments: String...,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error = parseError(bytes, tensorDataLength: tensorDataLength, sourceLocation: sourceLocation) else { return }
    let text = error.description
    #expect(text.hasPrefix("GGUF: "), "\(text)", sourceLocation: sourceLocation)
    #expect(!text.contains("\n"), "message spans lines: \(text)", sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(text.contains(fragment), "\"\(text)\" lacks \"\(fragment)\"", sourceLocation: sourceLocation)
    }
}

/// A small valid file with a few metadata kinds and three tensors, the last one a whole multiple
/// of the alignment long so that the file ends exactly where the tensor data does.
func makeFixture() -> (writer: GGUFWriter, bytes: [UInt8]) {
    var writer = GGUFWriter()
    writer.add(key: "general.architecture", .string("test"))
    writer.add(key: "test.count", .uint32(7))
    writer.add(key: "test.offset", .int8(-3))
    writer.add(key: "test.scale", .float32(0.5))
    writer.add(key: "test.flag", .bool(true))
    writer.add(key: "test.big", .uint64(1 << 40))
    writer.add(key: "tokenizer.ggml.tokens", .array([.string("a"), .string("bé"), .string("<tok>")]))
    writer.add(key: "tokenizer.ggml.scores", .array([.float32(-1), .float32(0.25), .float32(3)]))
    writer.add(key: "test.nested", .array([.array([.int32(1), .int32(2)]), .array([.int32(3)])]))
    writer.addTensor(name: "a", dims: [4, 2], type: .f32, data: (0..<32).map { UInt8($0) })
    writer.addTensor(name: "b", dims: [32, 2], type: .q8_0, data: (0..<68).map { UInt8($0) })
    writer.addTensor(name: "c", dims: [16], type: .f16, data: (0..<32).map { UInt8($0 * 3) })
    return (writer, writer.serialize())
}

/// Checks every invariant `parse` promises about a file it accepted from `bytes`.
func expectStructurallyValid(_ file: GGUFFile, fileSize: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(file.alignment > 0 && file.alignment & (file.alignment - 1) == 0, sourceLocation: sourceLocation)
    #expect(file.version == 2 || file.version == 3, sourceLocation: sourceLocation)
    #expect(file.dataOffset % file.alignment == 0 && file.dataOffset >= file.headerEnd, sourceLocation: sourceLocation)
    #expect(file.headerEnd <= fileSize, sourceLocation: sourceLocation)
    #expect(Set(file.metadata.map(\.key)).count == file.metadata.count, sourceLocation: sourceLocation)
    #expect(Set(file.tensors.map(\.name)).count == file.tensors.count, sourceLocation: sourceLocation)
    var maxEnd = 0
    for t in file.tensors {
        #expect((1...4).contains(t.dims.count) && t.dims.allSatisfy { $0 > 0 }, sourceLocation: sourceLocation)
        #expect(t.dims.reduce(1, *) == t.elementCount, sourceLocation: sourceLocation)
        #expect(t.type.byteCount(elementCount: t.elementCount) == t.byteCount, sourceLocation: sourceLocation)
        #expect(t.offset % file.alignment == 0, sourceLocation: sourceLocation)
        #expect(file.dataOffset + t.offset + t.byteCount <= fileSize, sourceLocation: sourceLocation)
        maxEnd = max(maxEnd, t.offset + t.byteCount)
    }
    #expect(file.dataSize == maxEnd, sourceLocation: sourceLocation)
    let sorted = file.tensors.sorted { $0.offset < $1.offset }
    for (a, b) in zip(sorted, sorted.dropFirst()) {
        #expect(a.offset + a.byteCount <= b.offset, sourceLocation: sourceLocation)
    }
    for entry in file.metadata { _ = entry.value.description }   // every value can be read
}
