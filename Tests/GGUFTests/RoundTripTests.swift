// Writer -> parser round trips, MappedFile, and the typed accessors.

import Foundation
import GGUF
import Testing

@Suite struct RoundTripTests {
    @Test func fixtureRoundTrips() throws {
        let (_, bytes) = makeFixture()
        let file = try GGUFFile.parse(bytes)
        #expect(file.version == 3)
        #expect(file.alignment == 32)
        #expect(file.architecture == "test")
        #expect(file.metadata.map(\.key) == ["general.architecture", "test.count", "test.offset", "test.scale",
                                             "test.flag", "test.big", "tokenizer.ggml.tokens",
                                             "tokenizer.ggml.scores", "test.nested"])
        #expect(file["test.count"] == .uint32(7))
        #expect(file["test.offset"] == .int8(-3))
        #expect(file["test.scale"] == .float32(0.5))
        #expect(file["test.flag"] == .bool(true))
        #expect(file["test.big"] == .uint64(1 << 40))
        #expect(file["tokenizer.ggml.tokens"] == .array([.string("a"), .string("bé"), .string("<tok>")]))
        #expect(file.stringArray("tokenizer.ggml.tokens")?.strings == ["a", "bé", "<tok>"])
        #expect(file.floatArray("tokenizer.ggml.scores") == [-1, 0.25, 3])
        #expect(file["test.nested"] == .array([.array([.int32(1), .int32(2)]), .array([.int32(3)])]))
        #expect(file["missing"] == nil)

        #expect(file.tensors.map(\.name) == ["a", "b", "c"])
        #expect(file.tensors.map(\.dims) == [[4, 2], [32, 2], [16]])
        #expect(file.tensors.map(\.type) == [.f32, .q8_0, .f16])
        #expect(file.tensors.map(\.offset) == [0, 32, 128])
        #expect(file.tensors.map(\.byteCount) == [32, 68, 32])
        #expect(file.dataOffset % 32 == 0)
        #expect(file.dataSize == 160)
        #expect(bytes.count == file.dataOffset + 160)
        bytes.withUnsafeBytes { raw in
            let region = UnsafeRawBufferPointer(rebasing: raw[file.dataOffset...])
            #expect(Array(file.data(of: file.tensors[1], in: region)) == (0..<68).map { UInt8($0) })
            #expect(Array(file.data(of: file.tensors[2], in: region)) == (0..<32).map { UInt8($0 * 3) })
        }
        expectStructurallyValid(file, fileSize: bytes.count)
    }

    @Test func everyValueTypeRoundTrips() throws {
        let values: [(String, GGUFValue)] = [
            ("u8", .uint8(200)), ("i8", .int8(-100)), ("u16", .uint16(60000)), ("i16", .int16(-30000)),
            ("u32", .uint32(4_000_000_000)), ("i32", .int32(-2_000_000_000)), ("f32", .float32(-1.5e-3)),
            ("bool", .bool(false)), ("str", .string("héllo\u{0}wörld")), ("empty", .string("")),
            ("u64", .uint64(.max)), ("i64", .int64(.min)), ("f64", .float64(.pi)),
            ("a.u8", .array([.uint8(1), .uint8(255)])), ("a.i8", .array([.int8(-1)])),
            ("a.u16", .array([.uint16(7)])), ("a.i16", .array([.int16(-7)])),
            ("a.u32", .array([.uint32(9)])), ("a.i32", .array([.int32(-9), .int32(10)])),
            ("a.f32", .array([.float32(1), .float32(-0.0)])), ("a.bool", .array([.bool(true), .bool(false)])),
            ("a.str", .array([.string(""), .string("x")])), ("a.u64", .array([.uint64(1 << 63)])),
            ("a.i64", .array([.int64(-5)])), ("a.f64", .array([.float64(2.5)])), ("a.empty", .array([])),
            ("a.nested", .array([.array([.array([.string("deep")])]), .array([.array([])])])),
        ]
        var writer = GGUFWriter(alignment: 64)
        for (key, value) in values { writer.add(key: key, value) }
        writer.addTensor(name: "w", dims: [256, 1, 1, 2], type: .q4_K, data: [UInt8](repeating: 9, count: 288))
        let file = try GGUFFile.parse(writer.serialize())
        #expect(file.alignment == 64)
        #expect(file["general.alignment"] == .uint32(64))
        for (key, value) in values { #expect(file[key] == value, "\(key)") }
        #expect(file.dataOffset % 64 == 0)
        #expect(file.tensor(named: "w")?.dims == [256, 1, 1, 2])
    }

    @Test func typedAccessors() throws {
        var writer = GGUFWriter()
        writer.add(key: "ints", GGUFArray(uint8s: [1, 2, 255]))
        writer.add(key: "wide", GGUFArray(uint64s: [1, .max]))
        writer.add(key: "doubles", GGUFArray(float64s: [0.5, 2]))
        writer.add(key: "n", .int16(-4))
        writer.add(key: "f", .float64(0.25))
        let file = try GGUFFile.parse(writer.serialize())
        #expect(file.int32Array("ints") == [1, 2, 255])
        #expect(file.array("ints")?.ints == [1, 2, 255])
        #expect(file.int32Array("wide") == nil)          // UInt64.max does not fit
        #expect(file.floatArray("doubles") == [0.5, 2])
        #expect(file.floatArray("ints") == nil)
        #expect(file.stringArray("ints") == nil)
        #expect(file.int("n") == -4 && file.float("n") == -4)
        #expect(file.float("f") == 0.25 && file.int("f") == nil)
        #expect(file.string("n") == nil)
    }

    @Test func invalidUTF8TokensSurviveAsBytes() throws {
        let tokens: [[UInt8]] = [[0x61], [0xE2, 0x82], [0xFF], [0xC3, 0xA9]]   // "a", cut "€", 0xFF, "é"
        var writer = GGUFWriter()
        writer.add(key: "tokens", GGUFArray(strings: GGUFStringArray(byteStrings: tokens)))
        writer.add(GGUFMetadataEntry(key: "name", stringBytes: [0x41, 0xFE]))
        let bytes = writer.serialize()
        let file = try GGUFFile.parse(bytes)
        let parsed = try #require(file.stringArray("tokens"))
        #expect((0..<4).map { Array(parsed.bytes(at: $0)) } == tokens)
        #expect((0..<4).map { parsed.isValidUTF8(at: $0) } == [true, false, false, true])
        #expect(parsed[1] == "\u{FFFD}" && parsed[3] == "é")
        #expect(file.entry("name")?.stringBytes == [0x41, 0xFE])
        #expect(file.string("name") == "A\u{FFFD}")

        // Copying entries to a new writer keeps the bytes exactly.
        var copy = GGUFWriter()
        for entry in file.metadata { copy.add(entry) }
        #expect(copy.serialize() == bytes)
    }

    @Test func mappedFileReadsWhatWasWritten() throws {
        let path = NSTemporaryDirectory() + "gguf-test-\(UInt32.random(in: 0 ... .max)).gguf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (writer, bytes) = makeFixture()
        try writer.write(to: path)
        let mapped = try MappedFile(path: path)
        #expect(mapped.path == path)
        #expect(Array(mapped.bytes) == bytes)
        let file = try GGUFFile.parse(mapped.bytes)
        #expect(file.tensors.count == 3)
        // Mapped at a 2 MiB boundary, so that the kernel can back the weights with huge pages.
        #expect(UInt(bitPattern: mapped.bytes.baseAddress) % (2 << 20) == 0)
    }

    @Test func mappedFileEdgeCases() throws {
        let path = NSTemporaryDirectory() + "gguf-empty-\(UInt32.random(in: 0 ... .max))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let empty = try MappedFile(path: path)
        #expect(empty.bytes.count == 0)
        expectRejected([], "empty")

        do {
            _ = try MappedFile(path: "/nonexistent/model.gguf")
            Issue.record("opened a missing file")
        } catch let error as GGUFError {
            #expect(error.description == "GGUF: cannot open '/nonexistent/model.gguf': No such file or directory")
        }
        do {
            _ = try MappedFile(path: NSTemporaryDirectory())
            Issue.record("mapped a directory")
        } catch let error as GGUFError {
            #expect(error.description.contains("not a regular file"))
        }
        do {
            try GGUFWriter().write(to: "/nonexistent/dir/out.gguf")
            Issue.record("wrote into a missing directory")
        } catch let error as GGUFError {
            #expect(error.description.contains("cannot create '/nonexistent/dir/out.gguf': No such file or directory"))
        }
    }

    @Test func version2IsAccepted() throws {
        var bytes = makeFixture().bytes
        bytes[4] = 2
        let file = try GGUFFile.parse(bytes)
        #expect(file.version == 2 && file.tensors.count == 3)
    }

    @Test func emptyFileWithNoTensors() throws {
        let file = try GGUFFile.parse(GGUFWriter().serialize())
        #expect(file.metadata.isEmpty && file.tensors.isEmpty && file.dataSize == 0 && file.dataOffset == 32)
        // Tolerated without padding too, since no tensor needs the data region.
        let bare = try GGUFFile.parse(RawGGUF.header(tensors: 0, metadata: 0).bytes)
        #expect(bare.headerEnd == 24 && bare.dataOffset == 32)
    }
}
