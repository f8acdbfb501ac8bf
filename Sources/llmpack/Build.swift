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
    @Option(name: .customLong("chat-template"), help: "A Jinja chat template file to use instead of the model's (checked on a test conversation).")
    var chatTemplate: String?
    @Option(help: "Default port of the runner's HTTP server (0: any free port).") var port: Int?
    @Option(help: "Default number of requests the runner's server generates for at once.") var parallel: Int?
    @Option(name: .customLong("default-args"), parsing: .unconditional, help: "Runner flags applied before the command line, e.g. \"--temp 0.2 -n 64\" (checked by the runner).")
    var defaultArguments: String?
    @Option(name: .customLong("license-file"), help: "A file with the model's licence text.") var licenseFile: String?
    @Option(help: "The runner to embed (default: llmpack-runner next to llmpack).") var runner: String?
    @Option(help: "Compress: 'weights' stores tensor-data chunks as zstd where that saves at least 5 %.") var compress: Compression?
    @Option(help: ArgumentHelp("Quantize the weights first, as llama.cpp's llama-quantize does for this mix.",
                               discussion: "Best from an F32, F16 or BF16 model; tensors that are quantized already are dequantized and quantized again (with a warning)."))
    var quant: QuantizationMix?
    @Flag(help: "Record the build time in the manifest (the output then differs between builds).") var timestamp = false
    @Flag(name: .customLong("no-selftest"), help: "Do not record the self-test (the bundle then cannot --selftest).")
    var noSelfTest = false
    @Flag(name: .customLong("no-model-check"), help: "Pack without loading the model: no check that this runner can run it, no self-test (for archiving a model a later runner will run, see rebase).")
    var noModelCheck = false

    func validate() throws {
        if let contextLength, contextLength <= 0 { throw ValidationError("--ctx must be positive") }
        if let temperature, !(temperature >= 0 && temperature.isFinite) { throw ValidationError("--temp must be 0 or more") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        if let parallel, !(1...64).contains(parallel) { throw ValidationError("--parallel must be between 1 and 64") }
    }

    func run() throws {
        try reportingErrors {
            guard let runnerPath = runner ?? LLMPack.defaultRunnerPath() else {
                throw LLMPackError("cannot find the runner next to llmpack; give --runner PATH")
            }
            let license = try licenseFile.map { try LLMPack.readTextFile($0, what: "licence file") }
            let runnerArguments = arguments + (try DefaultArguments.split(defaultArguments ?? ""))
            try DefaultArguments.check(runnerArguments, runner: runnerPath)
            let template = try chatTemplate.map { try LLMPack.readTextFile($0, what: "chat template") }
            if let template {
                try ChatPrompt.check(template: template, gguf: try ModelSource.open(path: model).gguf, systemPrompt: systemPrompt)
            }
            let config = RunConfig(contextLength: contextLength, temperature: temperature, topP: topP,
                                   systemPrompt: systemPrompt, arguments: runnerArguments.isEmpty ? nil : runnerArguments,
                                   chatTemplate: template, port: port, parallel: parallel)
            var options = BuildOptions(name: name, runConfig: config, licenseText: license, compressWeights: compress == .weights,
                                       createdAt: timestamp ? Self.now() : nil, llmpackVersion: LLMPack.version)
            // With --quant the bundle packs a quantized copy of the model, written to a scratch
            // file next to the output (unlinked: it vanishes with the process).
            var packed = model
            var scratch: ScratchFile?
            if let quant {
                let file = try ScratchFile(in: ScratchFile.folder(of: output))
                let quantized = try quantize(to: file, mix: quant)
                options.sourceFileName = Self.quantizedFileName(model, mix: quant)
                options.quantization = Manifest.Quantization(quant: quant.rawValue, sourceFile: Self.fileName(model),
                                                             sourceSize: quantized.sourceSize, sourceSha256: quantized.sourceSHA256,
                                                             requantizedTensors: quantized.requantized.count)
                packed = file.path
                scratch = file
            }
            defer { withExtendedLifetime(scratch) {} }
            if !noModelCheck {
                // Loading the model proves its architecture and tensor types are supported (a
                // bundle that cannot run is refused here, not at launch); then record the self-test.
                let source = try ModelSource.open(path: packed)
                do {
                    if noSelfTest {
                        _ = try Engine(gguf: source.gguf, tensorData: source.tensorData, storage: source, contextLength: 16, threads: 1)
                    } else {
                        options.selfTest = try SelfTestCommand.record(source: source, threads: physicalCoreCount())
                    }
                } catch {
                    throw LLMPackError("\(model)\(quant.map { " in \($0.name)" } ?? "") cannot run in this llmpack: \(error)")
                }
            }
            let bar = ProgressBar()
            let result: BuildResult
            do {
                result = try BundleBuilder.build(gguf: packed, runner: runnerPath, output: output, options: options, progress: bar.handler)
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

    /// Quantizes the model into `file`, reporting what happened.
    func quantize(to file: ScratchFile, mix: QuantizationMix) throws -> GGUFQuantizer.Result {
        let bar = ProgressBar()
        let result: GGUFQuantizer.Result
        do {
            result = try GGUFQuantizer.quantize(model, mix: mix, threads: physicalCoreCount(), progress: bar.handler) { try file.write($0) }
        } catch {
            bar.finish()
            throw error
        }
        bar.finish()
        let converted = result.tensors.filter(\.isConverted).count
        print("quantized \(model) to \(mix.name): \(converted) of \(result.tensors.count) tensors converted, "
              + "\(Terminal.size(result.sourceSize)) -> \(Terminal.size(result.outputSize))")
        let requantized = result.requantized
        if !requantized.isEmpty {
            let types = Set(requantized.map(\.sourceType.name)).sorted().joined(separator: ", ")
            Terminal.printError("llmpack: warning: \(requantized.count) tensors were quantized already (\(types)); they are dequantized "
                                + "and quantized again, which loses more than quantizing the original F32, F16 or BF16 model")
        }
        // One note per (wanted, used) pair of types.
        var fallbacks: [[String]: Int] = [:]
        for tensor in result.fellBack { fallbacks[[tensor.wanted!.name, tensor.type.name], default: 0] += 1 }
        for (types, count) in fallbacks.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            Terminal.printError("llmpack: note: \(count) tensors have rows whose length is not a whole number of \(types[0]) blocks; "
                                + "they use \(types[1]) (as llama.cpp does)")
        }
        return result
    }

    /// "model-Q4_K_M.gguf" for "path/model.gguf".
    static func quantizedFileName(_ path: String, mix: QuantizationMix) -> String {
        let name = fileName(path)
        let stem = name.hasSuffix(".gguf") ? String(name.dropLast(5)) : name
        return "\(stem)-\(mix.name).gguf"
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
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

extension QuantizationMix: ExpressibleByArgument {}
