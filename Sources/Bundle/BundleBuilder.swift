// `llmpack build`: validate a GGUF, describe it in a manifest, and write runner + payload to a
// temporary file that becomes the output only when complete.
import GGUF
#if canImport(Glibc)
import Glibc
#endif

/// Options of `llmpack build` beyond the paths.
public struct BuildOptions: Sendable {
    /// Model name for the manifest; default `general.name`, else the file name.
    public var name: String?
    /// Run defaults stored in the bundle.
    public var runConfig: RunConfig
    /// Licence text from `--license-file` (overrides the GGUF's licence text).
    public var licenseText: String?
    /// Store tensor-data chunks as zstd frames where that saves at least 5 %.
    public var compressWeights: Bool
    /// ISO 8601 time to record in the manifest; nil (the default) keeps output reproducible.
    public var createdAt: String?
    /// The llmpack version recorded in the manifest.
    public var llmpackVersion: String
    /// Worker threads for hashing and compression.
    public var threads: Int
    /// The self-test record (JSON) to store, made by running the model at build time.
    public var selfTest: [UInt8]?
    /// The GGUF's file name for the manifest (default: the last component of its path; set it
    /// when the GGUF is a scratch file, such as the output of `--quant`).
    public var sourceFileName: String?
    /// How the GGUF was made from another one (`--quant`), for the manifest.
    public var quantization: Manifest.Quantization?

    public init(name: String? = nil, runConfig: RunConfig = RunConfig(), licenseText: String? = nil, compressWeights: Bool = false,
                createdAt: String? = nil, llmpackVersion: String, threads: Int = Parallel.processorCount) {
        self.name = name
        self.runConfig = runConfig
        self.licenseText = licenseText
        self.compressWeights = compressWeights
        self.createdAt = createdAt
        self.llmpackVersion = llmpackVersion
        self.threads = threads
    }
}

/// What a build wrote.
public struct BuildResult: Sendable {
    public let outputPath: String
    /// Size of the output file.
    public let outputSize: Int
    public let runnerSize: Int
    public let manifest: Manifest
    public let index: BundleIndex

    /// Tensor-data bytes stored in the bundle.
    public var storedTensorBytes: Int { index.section(.tensorData)!.storedLength }
    /// Raw tensor-data bytes.
    public var rawTensorBytes: Int { index.section(.tensorData)!.rawLength }
}

/// Builds bundles from GGUF files.
public enum BundleBuilder {
    /// Validates `ggufPath`, then writes `runnerPath`'s bytes and the payload to `outputPath`
    /// (via a temporary file; executable). `progress` gets the phases "hash" and "pack".
    public static func build(gguf ggufPath: String, runner runnerPath: String, output outputPath: String,
                             options: BuildOptions, progress: ProgressHandler? = nil) throws -> BuildResult {
        let source = try map(ggufPath, what: "model")
        let runner = try map(runnerPath, what: "runner")
        let (gguf, header, tensorData) = try validate(source.bytes, path: ggufPath)
        try BundleWriter.checkStub(runner.bytes)

        let digest = hashInSteps(source.bytes, progress: progress)
        let manifest = makeManifest(gguf: gguf, fileName: options.sourceFileName ?? fileName(ggufPath), size: source.bytes.count, sha256: digest, options: options)
        let output = try OutputFile(path: outputPath)
        let index = try BundleWriter.write(stub: runner.bytes,
                                           contents: BundleContents(ggufHeader: header, tensorData: tensorData, runConfig: options.runConfig,
                                                                    manifest: manifest, compressWeights: options.compressWeights,
                                                                    selfTest: options.selfTest),
                                           to: output, threads: options.threads, progress: progress)
        let size = output.bytesWritten
        try output.commit(mode: 0o755)
        return BuildResult(outputPath: outputPath, outputSize: size, runnerSize: runner.bytes.count, manifest: manifest, index: index)
    }

    /// Parses the whole GGUF, checks that its header alone parses as the runner will parse it,
    /// and splits it at the tensor data.
    public static func validate(_ bytes: UnsafeRawBufferPointer, path: String) throws
        -> (GGUFFile, header: UnsafeRawBufferPointer, tensorData: UnsafeRawBufferPointer) {
        let gguf: GGUFFile
        do {
            gguf = try GGUFFile.parse(bytes)
        } catch {
            throw BundleError.invalid("\(path) is not a valid GGUF: \(error)")
        }
        guard gguf.dataOffset <= bytes.count else {
            throw BundleError.invalid("\(path): tensor data would start at \(gguf.dataOffset), past the end of the file (\(bytes.count) bytes)")
        }
        let header = UnsafeRawBufferPointer(rebasing: bytes[0..<gguf.dataOffset])
        let tensorData = UnsafeRawBufferPointer(rebasing: bytes[gguf.dataOffset...])
        do {
            _ = try GGUFFile.parse(header, tensorDataLength: tensorData.count)
        } catch {
            throw BundleError.invalid("\(path): the GGUF header does not parse on its own: \(error)")
        }
        return (gguf, header, tensorData)
    }

    /// The manifest of a GGUF.
    public static func makeManifest(gguf: GGUFFile, fileName: String, size: Int, sha256: SHA256Digest, options: BuildOptions) -> Manifest {
        var byType: [String: Manifest.TensorTypeCount] = [:]
        var parameters = 0
        for tensor in gguf.tensors {
            parameters += tensor.elementCount
            var entry = byType[tensor.type.name] ?? Manifest.TensorTypeCount(type: tensor.type.name, tensors: 0, elements: 0, bytes: 0)
            entry.tensors += 1
            entry.elements += tensor.elementCount
            entry.bytes += tensor.byteCount
            byType[tensor.type.name] = entry
        }
        let types = byType.values.sorted { ($0.bytes, $1.type) > ($1.bytes, $0.type) }
        let architecture = gguf.architecture
        let stem = fileName.hasSuffix(".gguf") ? String(fileName.dropLast(5)) : fileName
        let name = options.name ?? gguf["general.name"]?.string ?? stem
        let contextLength = architecture.flatMap { gguf["\($0).context_length"]?.int }
        return Manifest(
            llmpackVersion: options.llmpackVersion,
            source: .init(fileName: fileName, size: size, sha256: sha256.hex, ggufVersion: Int(gguf.version), dataOffset: gguf.dataOffset),
            model: .init(name: name, architecture: architecture, parameterCount: parameters, tensorCount: gguf.tensors.count,
                         contextLength: contextLength, tensorTypes: types),
            license: license(gguf: gguf, fileText: options.licenseText),
            build: .init(compressWeights: options.compressWeights, chunkSize: BundleFormat.chunkSize,
                         headerZstdLevel: Int(BundleFormat.headerZstdLevel), weightsZstdLevel: Int(BundleFormat.weightsZstdLevel),
                         createdAt: options.createdAt, quantization: options.quantization))
    }

    /// The licence from `--license-file`, else from `general.license*`; nil when neither says.
    static func license(gguf: GGUFFile, fileText: String?) -> Manifest.License? {
        let license = gguf["general.license"]?.string
        let name = gguf["general.license.name"]?.string ?? license
        let link = gguf["general.license.link"]?.string
        if let fileText { return Manifest.License(name: name, link: link, text: fileText, source: "file") }
        guard name != nil || link != nil else { return nil }
        return Manifest.License(name: name, link: link, text: nil, source: "gguf")
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
    }

    static func map(_ path: String, what: String) throws -> MappedFile {
        do { return try MappedFile(path: path) } catch { throw BundleError.io("cannot read \(what) \(path): \(error)") }
    }

    /// SHA-256 of a buffer, reporting progress every 16 MiB.
    static func hashInSteps(_ bytes: UnsafeRawBufferPointer, progress: ProgressHandler?) -> SHA256Digest {
        var sha = SHA256()
        var offset = 0
        let step = 16 << 20
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            sha.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
            progress?("hash", offset, bytes.count)
        }
        return sha.finalize()
    }
}
