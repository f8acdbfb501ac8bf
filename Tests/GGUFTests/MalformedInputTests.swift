// One test per kind of bad input: each must be rejected with a one-line GGUFError that names the
// problem and where it is.

import GGUF
import Testing

/// A valid one-entry, one-tensor file built by hand: the base that the tests below break.
/// Layout: header 0..<24, entry "general.architecture" 24..<69, tensor info "t" 69..<102
/// (name 69, dimension count 78, dimension 0 at 82, type 90, offset 94), data at 128..<160.
private func smallFile(tensorType: UInt32 = 0, dims: [UInt64] = [8], offset: UInt64 = 0) -> [UInt8] {
    var raw = RawGGUF.header(tensors: 1, metadata: 1)
    raw.entry("general.architecture", type: 8) { $0.string("llama") }
    raw.tensor("t", dims: dims, type: tensorType, offset: offset)
    raw.padAndData(count: 32)
    return raw.bytes
}

@Suite struct MalformedInputTests {
    @Test func theBaseFileIsValid() throws {
        let file = try GGUFFile.parse(smallFile())
        #expect(file.headerEnd == 102 && file.dataOffset == 128 && file.tensors[0].byteCount == 32)
    }

    @Test func emptyInput() {
        expectRejected([], "input is empty (0 bytes)", "offset 0")
    }

    @Test func truncationInsideEveryRegion() throws {
        let bytes = makeFixture().bytes
        let file = try GGUFFile.parse(bytes)
        func cut(_ n: Int, _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation) {
            guard let error = parseError(Array(bytes[..<n]), sourceLocation: sourceLocation) else { return }
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\"\(error)\" lacks \"\(fragment)\"",
                        sourceLocation: sourceLocation)
            }
        }
        cut(2, "magic at offset 0 is truncated: needs 4 bytes, only 2 left")
        cut(6, "version at offset 4 is truncated")
        cut(12, "tensor count at offset 8 is truncated")
        cut(20, "metadata count at offset 16 is truncated")
        cut(100, "tensor count 3 at offset 8 is impossible: each item needs at least 32 bytes and only 76 are left")
        cut(174, "tensor count 3 and metadata count 9 at offset 8 need more than the 150 bytes left")

        // Inside a metadata entry: key length, key, value type, array header, array elements.
        let scores = try #require(file.entry("tokenizer.ggml.scores")).offset
        cut(scores + 4, "length of key of metadata entry #7 at offset \(scores) is truncated")
        cut(scores + 13, "length 21 of key of metadata entry #7 at offset \(scores) exceeds the 5 bytes left")
        cut(scores + 31, "value type of metadata 'tokenizer.ggml.scores' at offset \(scores + 29) is truncated")
        cut(scores + 35, "array element type of metadata 'tokenizer.ggml.scores' at offset \(scores + 33) is truncated")
        cut(scores + 39, "array length of metadata 'tokenizer.ggml.scores' at offset \(scores + 37) is truncated")
        cut(scores + 50, "array length 3 of metadata 'tokenizer.ggml.scores' at offset \(scores + 37) is larger than the 5 bytes left")
        let tokens = try #require(file.entry("tokenizer.ggml.tokens")).offset
        cut(tokens + 75, "string length 5 of element 2 of array metadata 'tokenizer.ggml.tokens' at offset \(tokens + 65) exceeds the 2 bytes left")
        let nested = try #require(file.entry("test.nested")).offset
        cut(nested + 59, "array length of metadata 'test.nested'[1] at offset \(nested + 59) is truncated")

        // Inside the tensor infos ("a": 41 bytes, "b": 41, "c": 33).
        let info = file.headerEnd - 115
        cut(info + 4, "length of name of tensor #0 at offset \(info) is truncated")
        cut(info + 11, "dimension count of tensor 'a' at offset \(info + 9) is truncated")
        cut(info + 15, "dimension 0 of tensor 'a' at offset \(info + 13) is truncated")
        cut(info + 31, "type of tensor 'a' at offset \(info + 29) is truncated")
        cut(info + 35, "data offset of tensor 'a' at offset \(info + 33) is truncated")

        // In the padding and in the tensor data.
        let data = file.dataOffset
        cut(file.headerEnd + 1, "tensor 'a' data [\(data), \(data + 32)) extends past end of file (\(file.headerEnd + 1) bytes) (tensor info at offset \(info))")
        cut(bytes.count - 1, "tensor 'c' data [\(data + 128), \(data + 160)) extends past end of file (\(bytes.count - 1) bytes)")
    }

    @Test func wrongMagic() {
        var bytes = smallFile()
        bytes[2] = UInt8(ascii: "M")
        bytes[3] = UInt8(ascii: "L")
        expectRejected(bytes, "magic at offset 0 is 47 47 4D 4C, not \"GGUF\"", "not a GGUF file")
        expectRejected(Array("GGU".utf8), "magic at offset 0 is truncated")
    }

    @Test(arguments: [0, 4, 1000, UInt32.max]) func unsupportedVersions(version: UInt32) {
        var raw = RawGGUF.header(version: version, tensors: 0, metadata: 0)
        raw.padAndData(count: 0)
        expectRejected(raw.bytes, "version \(version) at offset 4 is not supported; only versions 2 and 3 are")
    }

    @Test func versionOneIsNamed() {
        expectRejected(RawGGUF.header(version: 1, tensors: 0, metadata: 0).bytes,
                       "version 1 at offset 4 is not supported", "32-bit counts")
    }

    @Test func bigEndianFilesAreNamed() {
        expectRejected(RawGGUF.header(version: UInt32(3).byteSwapped, tensors: 0, metadata: 0).bytes,
                       "offset 4", "big-endian GGUF files are not supported")
    }

    @Test func hugeCountsFailFast() {
        expectRejected(RawGGUF.header(tensors: .max, metadata: 0).bytes,
                       "tensor count 18446744073709551615 at offset 8 is impossible")
        expectRejected(RawGGUF.header(tensors: 0, metadata: .max).bytes,
                       "metadata count 18446744073709551615 at offset 16 is impossible")
        var bytes = smallFile()
        bytes.replaceSubrange(8..<16, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        expectRejected(bytes, "tensor count 9223372036854775807 at offset 8 is impossible")
    }

    @Test func lengthsLargerThanTheFile() {
        var key = RawGGUF.header(tensors: 0, metadata: 1)
        key.u64(.max)
        key.bytes += [UInt8](repeating: 0x61, count: 20)
        expectRejected(key.bytes, "length 18446744073709551615 of key of metadata entry #0 at offset 24 exceeds the 20 bytes left")

        var string = RawGGUF.header(tensors: 0, metadata: 1)
        string.entry("k", type: 8) { $0.u64(1 << 40); $0.bytes += [1, 2, 3] }
        expectRejected(string.bytes, "string length 1099511627776 of metadata 'k' at offset 37 exceeds the 3 bytes left")

        for type: UInt32 in [0, 4, 8, 9, 12] {
            var array = RawGGUF.header(tensors: 0, metadata: 1)
            array.entry("k", type: 9) { $0.u32(type); $0.u64(.max); $0.bytes += [0, 0, 0, 0] }
            expectRejected(array.bytes, "array length 18446744073709551615 of metadata 'k' at offset 41 is larger than the 4 bytes left")
        }

        var element = RawGGUF.header(tensors: 0, metadata: 1)
        element.entry("k", type: 9) { $0.u32(8); $0.u64(2); $0.string("ok"); $0.u64(1 << 62); $0.bytes += [0, 0] }
        expectRejected(element.bytes, "string length 4611686018427387904 of element 1 of array metadata 'k' at offset 59 exceeds the 2 bytes left")

        var name = RawGGUF.header(tensors: 1, metadata: 0)
        name.u64(.max - 1)
        name.bytes += [UInt8](repeating: 0, count: 40)
        expectRejected(name.bytes, "length 18446744073709551614 of name of tensor #0 at offset 24 exceeds the 40 bytes left")
    }

    @Test(arguments: [0, 13, 48, 1 << 31 + 1]) func badAlignment(alignment: UInt32) {
        var raw = RawGGUF.header(tensors: 0, metadata: 1)
        raw.uint32Entry("general.alignment", alignment)
        expectRejected(raw.bytes, "metadata 'general.alignment' at offset 24 is \(alignment); it must be a non-zero power of two")
    }

    @Test func alignmentMustBeUInt32() {
        var raw = RawGGUF.header(tensors: 0, metadata: 1)
        raw.entry("general.alignment", type: 5) { $0.u32(32) }
        expectRejected(raw.bytes, "metadata 'general.alignment' at offset 24 has type INT32; it must be UINT32")
    }

    @Test func otherAlignmentsAreHonoured() throws {
        var raw = RawGGUF.header(tensors: 1, metadata: 1)
        raw.uint32Entry("general.alignment", 256)
        raw.tensor("t", dims: [8], type: 0, offset: 0)
        raw.padAndData(alignment: 256, count: 32)
        let file = try GGUFFile.parse(raw.bytes)
        #expect(file.alignment == 256 && file.dataOffset == 256)

        var misaligned = RawGGUF.header(tensors: 1, metadata: 1)
        misaligned.uint32Entry("general.alignment", 64)
        misaligned.tensor("t", dims: [8], type: 0, offset: 32)
        misaligned.padAndData(alignment: 64, count: 128)
        expectRejected(misaligned.bytes, "tensor 't' data offset 32 is not a multiple of the alignment 64 (tensor info at offset 57)")
    }

    @Test func dimensionCounts() {
        expectRejected(smallFile(dims: [8, 1, 1, 1, 1]), "tensor 't' has 5 dimensions (at offset 78); it must have 1 to 4")
        expectRejected(smallFile(dims: []), "tensor 't' has 0 dimensions (at offset 78)")
        expectRejected(smallFile(dims: [8, 0]), "dimension 1 of tensor 't' at offset 90 is 0; it must be between 1 and")
        expectRejected(smallFile(dims: [1 << 63]), "dimension 0 of tensor 't' at offset 82 is 9223372036854775808")
    }

    @Test func dimensionsThatOverflow() {
        expectRejected(smallFile(dims: [1 << 32, 1 << 32]),
                       "tensor 't' dimensions [4294967296, 4294967296] at offset 78 overflow: their product does not fit in 64 bits")
        expectRejected(smallFile(dims: [8, 1 << 31, 1 << 31, 4]), "overflow: their product does not fit")
        expectRejected(smallFile(dims: [1 << 62]), "tensor 't' dimensions [4611686018427387904] at offset 78 overflow: its F32 byte size does not fit")
    }

    @Test func rowsMustBeWholeBlocks() {
        expectRejected(smallFile(tensorType: 12, dims: [100]),
                       "tensor 't' row length 100 (at offset 82) is not a multiple of the Q4_K block size 256")
    }

    @Test func tensorOffsets() {
        expectRejected(smallFile(offset: 1 << 40),
                       "tensor 't' data [1099511627904, 1099511627936) extends past end of file (160 bytes) (tensor info at offset 69)")
        expectRejected(smallFile(offset: 32), "tensor 't' data [160, 192) extends past end of file (160 bytes)")
        expectRejected(smallFile(offset: 16), "tensor 't' data offset 16 is not a multiple of the alignment 32 (tensor info at offset 69)")
        expectRejected(smallFile(offset: .max), "tensor 't' data offset 18446744073709551615 at offset 94 is too large")
        expectRejected(smallFile(offset: UInt64(Int.max) / 32 * 32), "tensor 't' data at 9223372036854775776 (32 bytes) extends past end of file")
        expectRejected(smallFile(offset: UInt64(Int.max) / 32 * 32 - 32),
                       "tensor 't' data [9223372036854775744, 9223372036854775776) of the data region extends past end of file")
        // Against a separately stored data region.
        let bytes = smallFile()
        expectRejected(Array(bytes[..<128]), tensorDataLength: 31,
                       "tensor 't' data [0, 32) extends past end of tensor data (31 bytes) (tensor info at offset 69)")
    }

    @Test func overlappingTensors() {
        var raw = RawGGUF.header(tensors: 2, metadata: 0)
        raw.tensor("t", dims: [16], type: 0, offset: 0)     // [0, 64)
        raw.tensor("u", dims: [8], type: 0, offset: 32)     // [32, 64)
        raw.padAndData(count: 64)
        expectRejected(raw.bytes, "tensor 'u' data [128, 160) overlaps tensor 't' data [96, 160) (tensor info at offset 57)")

        var same = RawGGUF.header(tensors: 2, metadata: 0)
        same.tensor("t", dims: [8], type: 0, offset: 0)
        same.tensor("u", dims: [8], type: 0, offset: 0)
        same.padAndData(count: 32)
        expectRejected(same.bytes, "overlaps")
    }

    @Test func duplicateKeys() {
        var raw = RawGGUF.header(tensors: 0, metadata: 2)
        raw.uint32Entry("k", 1)
        raw.uint32Entry("k", 2)
        expectRejected(raw.bytes, "duplicate metadata key 'k' at offset 41 (first at offset 24)")
    }

    @Test func duplicateTensorNames() {
        var raw = RawGGUF.header(tensors: 2, metadata: 0)
        raw.tensor("t", dims: [8], type: 0, offset: 0)
        raw.tensor("t", dims: [8], type: 0, offset: 32)
        raw.padAndData(count: 64)
        expectRejected(raw.bytes, "duplicate tensor name 't' at offset 57 (first at offset 24)")
    }

    @Test(arguments: [4, 31, 36, 40, 1000] as [UInt32]) func unknownTensorType(type: UInt32) {
        expectRejected(smallFile(tensorType: type), "tensor 't' has unknown type \(type) at offset 90")
    }

    @Test func unknownValueTypes() {
        var raw = RawGGUF.header(tensors: 0, metadata: 1)
        raw.entry("k", type: 13) { $0.u32(0) }
        expectRejected(raw.bytes, "metadata 'k' has unknown value type 13 at offset 33")
        var array = RawGGUF.header(tensors: 0, metadata: 1)
        array.entry("k", type: 9) { $0.u32(77); $0.u64(0) }
        expectRejected(array.bytes, "array metadata 'k' has unknown element type 77 at offset 37")
    }

    @Test func boolsMustBeZeroOrOne() {
        var raw = RawGGUF.header(tensors: 0, metadata: 1)
        raw.entry("k", type: 7) { $0.u8(2) }
        expectRejected(raw.bytes, "value of metadata 'k' at offset 37 is a bool of value 2; it must be 0 or 1")
        var array = RawGGUF.header(tensors: 0, metadata: 1)
        array.entry("k", type: 9) { $0.u32(7); $0.u64(3); $0.bytes += [1, 0, 9] }
        expectRejected(array.bytes, "element 2 of array metadata 'k' at offset 51 is a bool of value 9")
    }

    @Test func namesMustBeUTF8() {
        var key = RawGGUF.header(tensors: 0, metadata: 1)
        key.stringBytes([0x6B, 0xFF])
        key.u32(4)
        key.u32(1)
        expectRejected(key.bytes, "key of metadata entry #0 at offset 24 is not valid UTF-8")
        var name = RawGGUF.header(tensors: 1, metadata: 0)
        name.stringBytes([0xC3])
        name.u32(1); name.u64(8); name.u32(0); name.u64(0)
        name.padAndData(count: 32)
        expectRejected(name.bytes, "name of tensor #0 at offset 24 is not valid UTF-8")
    }

    @Test func nestingIsBounded() throws {
        func nested(_ depth: Int) -> [UInt8] {
            var raw = RawGGUF.header(tensors: 0, metadata: 1)
            raw.entry("k", type: 9) { r in
                for _ in 1..<depth { r.u32(9); r.u64(1) }
                r.u32(0); r.u64(0)
            }
            return raw.bytes
        }
        let deepest = try GGUFFile.parse(nested(GGUFFile.maximumArrayNesting))
        #expect(deepest["k"] != nil)
        expectRejected(nested(GGUFFile.maximumArrayNesting + 1), "array metadata 'k'[0][0][0][0][0][0][0] at offset",
                       "nests arrays deeper than 8 levels")
        expectRejected(nested(100_000), "nests arrays deeper than 8 levels")
    }

    @Test func controlCharactersInNamesStayOnOneLine() {
        var raw = RawGGUF.header(tensors: 0, metadata: 2)
        raw.uint32Entry("a\nb", 1)
        raw.uint32Entry("a\nb", 2)
        expectRejected(raw.bytes, "duplicate metadata key 'a\\u{a}b'")
    }
}
