// The default model's real tensors (when the model is on disk): the fixture rows are the bytes
// at the recorded offsets, and matrix products over the real blocks match the reference.

import Foundation
import GGUF
import Kernels
import Testing

struct ModelTensor: CustomTestStringConvertible, Sendable {
    let name: String
    let type: GGMLType
    let rows: Int
    let cols: Int
    let offset: Int
    var testDescription: String { "\(name) (\(type.name) \(rows)x\(cols))" }
}

let modelTensors: [ModelTensor] = {
    guard let text = try? String(contentsOf: fixturesURL.appendingPathComponent("model-tensors.txt"), encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap { line in
        let p = line.split(separator: " ")
        guard p.count == 5, let type = ggmlType(named: String(p[1])), let rows = Int(p[2]), let cols = Int(p[3]),
              let offset = Int(p[4]) else { return nil }
        return ModelTensor(name: String(p[0]), type: type, rows: rows, cols: cols, offset: offset)
    }
}()

let modelData: Data? = FileManager.default.fileExists(atPath: modelPath)
    ? try? Data(contentsOf: URL(fileURLWithPath: modelPath), options: .alwaysMapped) : nil

@Suite("Default model tensors", .enabled(if: modelData != nil, "the default model is not on disk"))
struct ModelTensorTests {
    static let pool = ThreadPool(threads: 2)

    @Test("fixture rows are the model's bytes")
    func fixtureRowsMatchModel() throws {
        let data = try #require(modelData)
        #expect(modelTensors.count >= 6)
        for tensor in modelTensors {
            let rowBytes = try #require(Kernels.traits(tensor.type)?.rowBytes(count: tensor.cols))
            for row in [0, tensor.rows - 1] {
                let fixture = try fixtureData("model-\(tensor.name)-row\(row).blocks")
                let start = tensor.offset + row * rowBytes
                #expect(data[start..<(start + rowBytes)] == fixture, "\(tensor.name) row \(row)")
            }
        }
    }

    @Test("the GGUF parser agrees with the recorded tensors; every model tensor has kernels")
    func parserAgrees() throws {
        let file = try MappedFile(path: modelPath)
        let gguf = try GGUFFile.parse(file.bytes)
        for recorded in modelTensors {
            let info = try #require(gguf.tensor(named: recorded.name))
            #expect(info.type == recorded.type)
            #expect(info.dims == [recorded.cols, recorded.rows])
            #expect(gguf.dataOffset + info.offset == recorded.offset, "\(recorded.name)")
        }
        for info in gguf.tensors {
            #expect(Kernels.supports(info.type), "\(info.name): \(info.type.name)")
            #expect(info.dims[0] % info.type.blockSize == 0, "\(info.name)")
        }
    }

    @Test("matrix products over the real blocks", arguments: modelTensors, isas)
    func realMatmul(_ tensor: ModelTensor, isa: Kernels.ISA) throws {
        let data = try #require(modelData)
        let rowBytes = try #require(Kernels.traits(tensor.type)?.rowBytes(count: tensor.cols))
        // The output matrix has 262144 rows: check a slice at its start and one at its end.
        let slices = tensor.rows > 4096 ? [0, tensor.rows - 1024] : [0]
        let sliceRows = min(tensor.rows, 1024)
        var rng = SeededRandom(seed: 6000)
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            for first in slices {
                let w = WeightMatrix(type: tensor.type, data: raw.baseAddress! + tensor.offset + first * rowBytes,
                                     rows: sliceRows, cols: tensor.cols)
                let weights = dequantizedWeights(w)
                for tokens in [1, 5] {
                    let x = Kernels_randomActivations(tensor.cols * tokens, &rng)
                    let ref = referenceProduct(weights: weights, rows: sliceRows, cols: tensor.cols, x: x, tokens: tokens,
                                               activationBlock: activationBlock(tensor.type))
                    let y = runMatmul(w, x, tokens: tokens, pool: Self.pool, isa: isa)
                    let bad = worstViolation(y, ref)
                    try #require(bad == nil, "\(tensor.name) rows from \(first) tokens \(tokens): \(String(describing: bad))")
                }
            }
        }
    }
}
