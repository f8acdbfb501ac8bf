// A "model source": a plain .gguf file, a bundle, or the runner's own payload, opened into
// what the engine needs: the parsed GGUF, its tensor data (mapped without a copy when stored
// raw), the run defaults and, for bundles, the manifest.
import GGUF
import Bundle

/// An opened model, whatever it came from.
public final class ModelSource: @unchecked Sendable {
    /// What the model was read from.
    public enum Kind: String, Sendable {
        case gguf
        case bundle
    }

    /// The file the model was read from (`/proc/self/exe` for an embedded payload).
    public let path: String
    public let kind: Kind
    public let gguf: GGUFFile
    /// The GGUF's tensor data; tensor offsets are relative to its start.
    public var tensorData: UnsafeRawBufferPointer { tensorBuffer.bytes }
    /// Run defaults (empty for a plain GGUF).
    public let runConfig: RunConfig
    /// Provenance (bundles only).
    public let manifest: Manifest?
    /// The bundle structure (bundles only).
    public let bundle: BundleReader?
    private let tensorBuffer: TensorData
    private let mapping: MappedFile?

    private init(path: String, kind: Kind, gguf: GGUFFile, tensorBuffer: TensorData, runConfig: RunConfig,
                 manifest: Manifest?, bundle: BundleReader?, mapping: MappedFile?) {
        self.path = path
        self.kind = kind
        self.gguf = gguf
        self.tensorBuffer = tensorBuffer
        self.runConfig = runConfig
        self.manifest = manifest
        self.bundle = bundle
        self.mapping = mapping
    }

    /// Opens a .gguf file or a bundle (told apart by the GGUF magic at the start).
    public static func open(path: String, threads: Int = Parallel.processorCount) throws -> ModelSource {
        let file: MappedFile
        do { file = try MappedFile(path: path) } catch { throw BundleError(.io, "cannot read \(path): \(error)") }
        let bytes = file.bytes
        if bytes.count >= 4 && Array(bytes[0..<4]) == Array("GGUF".utf8) {
            let gguf: GGUFFile
            do { gguf = try GGUFFile.parse(bytes) } catch { throw BundleError(.invalidInput, "\(path) is not a valid GGUF: \(error)") }
            guard gguf.dataOffset <= bytes.count else {
                throw BundleError(.invalidInput, "\(path): tensor data would start past the end of the file")
            }
            let data = TensorData(bytes: UnsafeRawBufferPointer(rebasing: bytes[gguf.dataOffset...]), owner: file)
            return ModelSource(path: path, kind: .gguf, gguf: gguf, tensorBuffer: data, runConfig: RunConfig(),
                               manifest: nil, bundle: nil, mapping: file)
        }
        return try openBundle(BundleReader(file: bytes, owner: file), path: path, threads: threads, mapping: file)
    }

    /// Opens the payload of the running executable. Throws a `BundleError` of kind `.noPayload`
    /// when it carries none. Never looks at other files.
    public static func openEmbedded(threads: Int = Parallel.processorCount) throws -> ModelSource {
        let reader = try embeddedBundle()
        return try openBundle(reader, path: "/proc/self/exe", threads: threads, mapping: nil)
    }

    /// The running executable's bundle structure (checked: trailer, index, bounds).
    public static func embeddedBundle() throws -> BundleReader {
        try BundleReader(path: "/proc/self/exe")
    }

    private static func openBundle(_ reader: BundleReader, path: String, threads: Int, mapping: MappedFile?) throws -> ModelSource {
        let gguf = try reader.parseGGUF()
        let manifest = try reader.manifest()
        let runConfig = try reader.runConfig()
        let data = try reader.loadTensorData(threads: threads)
        return ModelSource(path: path, kind: .bundle, gguf: gguf, tensorBuffer: data, runConfig: runConfig,
                           manifest: manifest, bundle: reader, mapping: mapping)
    }
}
