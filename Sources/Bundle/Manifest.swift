// The manifest section: where a bundle's model came from and how the bundle was built.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Provenance of a bundle.
public struct Manifest: Codable, Sendable, Equatable {
    /// The source GGUF.
    public struct Source: Codable, Sendable, Equatable {
        public var fileName: String
        public var size: Int
        /// SHA-256 of the whole GGUF (hex).
        public var sha256: String
        public var ggufVersion: Int
        /// Where the tensor data starts in the GGUF.
        public var dataOffset: Int
        public init(fileName: String, size: Int, sha256: String, ggufVersion: Int, dataOffset: Int) {
            self.fileName = fileName; self.size = size; self.sha256 = sha256; self.ggufVersion = ggufVersion; self.dataOffset = dataOffset
        }
    }

    /// Tensors of one GGML type.
    public struct TensorTypeCount: Codable, Sendable, Equatable {
        public var type: String
        public var tensors: Int
        public var elements: Int
        public var bytes: Int
        public init(type: String, tensors: Int, elements: Int, bytes: Int) {
            self.type = type; self.tensors = tensors; self.elements = elements; self.bytes = bytes
        }
    }

    /// What the model is.
    public struct Model: Codable, Sendable, Equatable {
        public var name: String
        public var architecture: String?
        /// Sum of the tensors' element counts.
        public var parameterCount: Int
        public var tensorCount: Int
        /// The model's trained context length, from `<arch>.context_length`.
        public var contextLength: Int?
        /// Tensor-type mix, most bytes first.
        public var tensorTypes: [TensorTypeCount]
        public init(name: String, architecture: String?, parameterCount: Int, tensorCount: Int, contextLength: Int?, tensorTypes: [TensorTypeCount]) {
            self.name = name; self.architecture = architecture; self.parameterCount = parameterCount
            self.tensorCount = tensorCount; self.contextLength = contextLength; self.tensorTypes = tensorTypes
        }
    }

    /// The licence, from the GGUF metadata or from `--license-file`.
    public struct License: Codable, Sendable, Equatable {
        public var name: String?
        public var link: String?
        public var text: String?
        /// "gguf" or "file".
        public var source: String
        public init(name: String? = nil, link: String? = nil, text: String? = nil, source: String) {
            self.name = name; self.link = link; self.text = text; self.source = source
        }
    }

    /// How `llmpack build --quant` made the packed GGUF from another one. `source` then
    /// describes the packed (quantized) GGUF, which `extract` gives back byte for byte.
    public struct Quantization: Codable, Sendable, Equatable {
        /// The mix, as `--quant` names it ("q4_k_m").
        public var quant: String
        /// The GGUF that was quantized: its file name, size and SHA-256 (hex).
        public var sourceFile: String
        public var sourceSize: Int
        public var sourceSha256: String
        /// Tensors that were quantized already and were dequantized and quantized again.
        public var requantizedTensors: Int
        public init(quant: String, sourceFile: String, sourceSize: Int, sourceSha256: String, requantizedTensors: Int) {
            self.quant = quant; self.sourceFile = sourceFile; self.sourceSize = sourceSize
            self.sourceSha256 = sourceSha256; self.requantizedTensors = requantizedTensors
        }
    }

    /// Options the bundle was built with.
    public struct Build: Codable, Sendable, Equatable {
        public var compressWeights: Bool
        public var chunkSize: Int
        public var headerZstdLevel: Int
        public var weightsZstdLevel: Int
        /// ISO 8601 build time, only when asked for (`--timestamp`).
        public var createdAt: String?
        /// Present when the weights were quantized at build time (`--quant`).
        public var quantization: Quantization?
        public init(compressWeights: Bool, chunkSize: Int, headerZstdLevel: Int, weightsZstdLevel: Int, createdAt: String? = nil,
                    quantization: Quantization? = nil) {
            self.compressWeights = compressWeights; self.chunkSize = chunkSize
            self.headerZstdLevel = headerZstdLevel; self.weightsZstdLevel = weightsZstdLevel; self.createdAt = createdAt
            self.quantization = quantization
        }
    }

    public var formatVersion: Int
    public var llmpackVersion: String
    public var source: Source
    public var model: Model
    public var license: License?
    public var build: Build

    public init(formatVersion: Int = Int(BundleFormat.version), llmpackVersion: String, source: Source, model: Model, license: License?, build: Build) {
        self.formatVersion = formatVersion; self.llmpackVersion = llmpackVersion; self.source = source
        self.model = model; self.license = license; self.build = build
    }

    /// The section's bytes.
    public func encoded() throws -> [UInt8] { try SectionJSON.encode(self) }
    /// Decodes the section's bytes.
    public static func decode(_ bytes: [UInt8]) throws -> Manifest { try SectionJSON.decode(Manifest.self, from: bytes, what: "manifest") }
}
