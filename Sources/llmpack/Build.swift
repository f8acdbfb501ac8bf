// `llmpack build MODEL.gguf -o OUT`: pack a model and the runner into one executable.
import ArgumentParser
import Bundle
import LLMPackKit
#if canImport(Glibc)
import Glibc
#endif

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pack a GGUF model and the runner into one executable.",
        discussion: "The output is written to a temporary file and renamed when complete. The same inputs give byte-identical output.")

    enum Compression: String, ExpressibleByArgument, CaseIterable {
        case weights
    }

    @Argument(help: "The GGUF model file.") var model: String
    @Option(name: .shortAndLong, help: "The executable to write.") var output: String
    @Option(help: "Model name for the manifest (default: general.name, else the file name).") var name: String?
    @Option(name: .customLong("ctx"), help: "Default context size in tokens.") var contextLength: Int?
    @Option(name: .customLong("temp"), help: "Default sampling temperature.") var temperature: Float?
    @Option(name: .customLong("top-p"), help: "Default nucleus sampling threshold.") var topP: Float?
    @Option(name: .customLong("system"), help: "Default system prompt.") var systemPrompt: String?
    @Option(name: .customLong("arg"), parsing: .unconditionalSingleValue, help: "A default argument for the runner (repeatable, e.g. --arg=-n --arg=64).")
    var arguments: [String] = []
    @Option(name: .customLong("license-file"), help: "A file with the model's licence text.") var licenseFile: String?
    @Option(help: "The runner to embed (default: llmpack-runner next to llmpack).") var runner: String?
    @Option(help: "Compress: 'weights' stores tensor-data chunks as zstd where that saves at least 5 %.") var compress: Compression?
    @Flag(help: "Record the build time in the manifest (the output then differs between builds).") var timestamp = false
    @Flag(name: .customLong("no-selftest"), help: "Do not record the self-test (the bundle then cannot --selftest).")
    var noSelfTest = false
    @Flag(name: .customLong("no-model-check"), help: "Pack without loading the model: no check that this runner can run it, no self-test (for archiving a model a later runner will run, see rebase).")
    var noModelCheck = false

    func validate() throws {
        if let contextLength, contextLength <= 0 { throw ValidationError("--ctx must be positive") }
        if let temperature, !(temperature >= 0 && temperature.isFinite) { throw ValidationError("--temp must be 0 or more") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
    }

    func run() throws {
        try reportingErrors {
            guard let runnerPath = runner ?? LLMPack.defaultRunnerPath() else {
                throw LLMPackError("cannot find the runner next to llmpack; give --runner PATH")
            }
            let license = try licenseFile.map { try LLMPack.readTextFile($0, what: "licence file") }
            let config = RunConfig(contextLength: contextLength, temperature: temperature, topP: topP,
                                   systemPrompt: systemPrompt, arguments: arguments.isEmpty ? nil : arguments)
            var options = BuildOptions(name: name, runConfig: config, licenseText: license, compressWeights: compress == .weights,
                                       createdAt: timestamp ? Self.now() : nil, llmpackVersion: LLMPack.version)
            if !noModelCheck {
                // Loading the model proves its architecture and tensor types are supported (a
                // bundle that cannot run is refused here, not at launch); then record the self-test.
                let source = try ModelSource.open(path: model)
                do {
                    if noSelfTest {
                        _ = try Engine(gguf: source.gguf, tensorData: source.tensorData, storage: source, contextLength: 16, threads: 1)
                    } else {
                        options.selfTest = try SelfTestCommand.record(source: source, threads: physicalCoreCount())
                    }
                } catch {
                    throw LLMPackError("\(model) cannot run in this llmpack: \(error)")
                }
            }
            let bar = ProgressBar()
            let result: BuildResult
            do {
                result = try BundleBuilder.build(gguf: model, runner: runnerPath, output: output, options: options, progress: bar.handler)
            } catch {
                bar.finish()
                throw error
            }
            bar.finish()
            print(summary(result))
            if result.outputSize >= 1 << 32 {
                Terminal.printError("llmpack: warning: \(output) is \(Terminal.size(result.outputSize)); FAT32 drives cannot hold files of 4 GiB or more")
            }
        }
    }

    func summary(_ result: BuildResult) -> String {
        var line = "wrote \(result.outputPath): \(Terminal.size(result.outputSize)) (runner \(Terminal.size(result.runnerSize)), "
        line += "model \(result.manifest.model.name), weights "
        line += ModelInfo.weightsLine(result.index.section(.tensorData)!) + ")"
        return line
    }

    /// The current UTC time in ISO 8601.
    static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
