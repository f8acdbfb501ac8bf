// Engine: a loaded model and its tokenizer, ready to run. The CLI and the runner both build one
// from a model source (a .gguf file or a bundle), so every command runs the same code.
import GGUF
import Model
import Tokenizer
#if canImport(Glibc)
import Glibc
#endif

public final class Engine {
    public let gguf: GGUFFile
    public let model: any LanguageModel
    public let tokenizer: any Tokenizer
    public let threads: Int
    /// Whatever owns the memory the weights point into (a memory map); kept alive with the engine.
    private let storage: AnyObject?

    public init(gguf: GGUFFile, tensorData: UnsafeRawBufferPointer, storage: AnyObject?,
                contextLength: Int?, threads: Int) throws {
        self.gguf = gguf
        self.storage = storage
        self.threads = max(1, threads)
        // The model first: an unsupported architecture or tensor type is the error to report.
        self.model = try ModelRegistry.load(gguf: gguf, tensorData: tensorData,
                                            contextLength: contextLength, threads: self.threads)
        self.tokenizer = try TokenizerLoader.load(from: gguf)
    }

    public var vocabularySize: Int { model.config.vocabSize }
    public var contextLength: Int { model.config.contextLength }
}

/// The number of physical cores (hyperthread siblings counted once), the default thread count.
public func physicalCoreCount() -> Int {
    var cores = Set<String>()
    var cpu = 0
    while true {
        let base = "/sys/devices/system/cpu/cpu\(cpu)/topology/"
        guard let core = readSmallFile(base + "core_id") else { break }
        let package = readSmallFile(base + "physical_package_id") ?? "0"
        cores.insert(package + ":" + core)
        cpu += 1
    }
    let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    if cores.isEmpty { return max(1, online) }
    return max(1, min(cores.count, online > 0 ? online : cores.count))
}

private func readSmallFile(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var buffer = [CChar](repeating: 0, count: 64)
    guard fgets(&buffer, 64, f) != nil else { return nil }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    var text = String(decoding: bytes, as: UTF8.self)
    while let last = text.last, last.isWhitespace { text.removeLast() }
    return text
}
