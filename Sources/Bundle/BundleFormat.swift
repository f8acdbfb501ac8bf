// The constants of the bundle format (docs/FORMAT.md): version, alignment, chunk size, kinds.

/// Constants of the bundle format, version 1 (see docs/FORMAT.md).
public enum BundleFormat {
    /// The format version this code writes and the newest it reads.
    public static let version: UInt32 = 1
    /// The payload and the tensor data start at multiples of this many bytes in the file.
    public static let alignment = 65_536
    /// Raw bytes per tensor-data chunk.
    public static let chunkSize = 64 << 20
    /// Size of the trailer at the end of the file.
    public static let trailerSize = 80
    /// The trailer's last 8 bytes.
    public static let trailerMagic: [UInt8] = Array("LLMPACK".utf8) + [0]
    /// The index's first 4 bytes.
    public static let indexMagic: [UInt8] = Array("LPIX".utf8)
    /// Bytes of the index header and of each section or chunk record.
    static let indexHeaderSize = 24
    static let recordSize = 64
    /// At most this many sections.
    static let maximumSections = 64
    /// A zstd frame may expand to at most this many times its stored size.
    public static let maximumCompressionRatio = 64
    /// A compressed chunk must save at least this fraction of its raw size.
    public static let minimumSaving = 0.05
    /// zstd levels (fixed, so that output is reproducible).
    public static let headerZstdLevel: Int32 = 9
    public static let weightsZstdLevel: Int32 = 3
    /// JSON sections are at most this large.
    static let maximumJSONSize = 16 << 20
}

/// What a section holds.
public enum SectionKind: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    /// The source GGUF's bytes before its tensor data (header, metadata, tensor infos).
    case ggufHeader = 1
    /// The source GGUF's tensor data, in chunks.
    case tensorData = 2
    /// Run defaults (JSON).
    case runConfig = 3
    /// Provenance (JSON).
    case manifest = 4
    /// A short greedy run recorded at build time (JSON), replayed by `--selftest`. Optional.
    case selfTest = 5

    /// Every bundle has exactly one section of each required kind; optional kinds at most one.
    public var isRequired: Bool { self != .selfTest }

    public var description: String {
        switch self {
        case .ggufHeader: return "gguf-header"
        case .tensorData: return "tensor-data"
        case .runConfig: return "run-config"
        case .manifest: return "manifest"
        case .selfTest: return "self-test"
        }
    }
}

/// How stored bytes turn into content.
public enum SectionEncoding: UInt32, Sendable, CustomStringConvertible {
    /// Stored as is.
    case raw = 0
    /// One zstd frame.
    case zstd = 1
    /// Tensor data whose chunks are partly zstd frames.
    case chunked = 2

    public var description: String {
        switch self {
        case .raw: return "raw"
        case .zstd: return "zstd"
        case .chunked: return "chunked"
        }
    }
}
