// Dequantization against the `gguf` Python package's numpy dequantizer (fixtures made by
// scripts/make-kernel-fixtures.py), on every ISA this machine runs.

import Foundation
import GGUF
import Kernels
import Testing

struct FixtureCase: CustomTestStringConvertible, Sendable {
    let name: String
    let type: GGMLType
    let count: Int
    var testDescription: String { "\(name) (\(type.name))" }
}

let fixtureCases: [FixtureCase] = {
    guard let text = try? String(contentsOf: fixturesURL.appendingPathComponent("MANIFEST"), encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap { line in
        let parts = line.split(separator: " ")
        guard parts.count == 3, let type = ggmlType(named: String(parts[1])), let count = Int(parts[2]) else { return nil }
        return FixtureCase(name: String(parts[0]), type: type, count: count)
    }
}()

@Suite("Dequantization")
struct DequantizeTests {
    @Test("the fixture manifest lists every type, and real model rows")
    func manifestIsComplete() {
        let types = Set(fixtureCases.map(\.type))
        for type: GGMLType in [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K] {
            #expect(types.contains(type), "no fixture for \(type.name)")
        }
        #expect(fixtureCases.filter { $0.name.hasPrefix("model-") }.count >= 8)
    }

    @Test("matches numpy exactly", arguments: fixtureCases, isas)
    func matchesNumpy(_ fixture: FixtureCase, isa: Kernels.ISA) throws {
        let blocks = try fixtureData(fixture.name + ".blocks")
        let expectedData = try fixtureData(fixture.name + ".f32")
        let traits = try #require(Kernels.traits(fixture.type))
        #expect(blocks.count == traits.rowBytes(count: fixture.count))
        #expect(expectedData.count == fixture.count * 4)
        let expected = expectedData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        var got = [Float](repeating: .nan, count: fixture.count)
        blocks.withUnsafeBytes { src in
            got.withUnsafeMutableBufferPointer { dst in
                Kernels.dequantize(type: fixture.type, src.baseAddress!, count: fixture.count, into: dst.baseAddress!, isa: isa)
            }
        }
        let mismatches = (0..<fixture.count).filter { got[$0] != expected[$0] }
        #expect(mismatches.isEmpty, "\(mismatches.count) values differ, first at \(mismatches.first ?? -1): got \(mismatches.first.map { got[$0] } ?? 0), want \(mismatches.first.map { expected[$0] } ?? 0)")
    }

    @Test("dequantizeRow reads the right row")
    func dequantizeRowOffsets() throws {
        var rng = SeededRandom(seed: 7)
        for type in Kernels.supportedTypes {
            let cols = testColumns(type), rows = 3
            let bytes = randomBlocks(type, count: rows * cols / type.blockSize, rng: &rng)
            try bytes.withUnsafeBytes { raw in
                let w = WeightMatrix(type: type, data: raw.baseAddress!, rows: rows, cols: cols)
                #expect(w.byteCount == bytes.count)
                var all = [Float](repeating: 0, count: rows * cols)
                Kernels.dequantize(type: type, raw.baseAddress!, count: rows * cols, into: &all)
                for r in 0..<rows {
                    var row = [Float](repeating: 0, count: cols)
                    Kernels.dequantizeRow(w, row: r, into: &row)
                    let same = (0..<cols).allSatisfy { row[$0] == all[r * cols + $0] || (row[$0].isNaN && all[r * cols + $0].isNaN) }
                    try #require(same, "\(type.name) row \(r)")
                }
            }
        }
    }

    @Test("traits agree with ggml's block geometry")
    func traitsGeometry() throws {
        for type in Kernels.supportedTypes {
            let traits = try #require(Kernels.traits(type))
            #expect(traits.blockSize == type.blockSize, "\(type.name)")
            #expect(traits.bytesPerBlock == type.bytesPerBlock, "\(type.name)")
        }
        #expect(Kernels.traits(.q4_K)?.activation == .q8_K)
        #expect(Kernels.traits(.q5_0)?.activation == .q8_0)
        #expect(Kernels.traits(.bf16)?.activation == .float)
        #expect(Kernels.traits(.iq2_xxs) == nil)
        #expect(Kernels.traits(.q4_K)?.rowBytes(count: 1000) == nil)
        #expect(Kernels.traits(.q4_K)?.rowBytes(count: 2048) == 8 * 144)
        #expect(Kernels.traits(.q8_0)?.rowBytes(count: Int.max - Int.max % 32) == nil)
        #expect(Set(Kernels.supportedTypes) == [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K])
    }
}
