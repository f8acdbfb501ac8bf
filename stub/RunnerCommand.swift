// The runner's command line. Flags about the bundle itself live here (--info, --verify,
// --version, --help); the engine's options (-p, -n, -t, -c, --temp, --seed, ...) are left free
// for the generation commands that are added on top.
import ArgumentParser
import Bundle
import LLMPackKit

struct RunnerCommand: ParsableCommand {
    /// The name the runner was started as (e.g. "brain.run").
    static let programName: String = {
        let path = CommandLine.arguments.first ?? "llmpack-runner"
        return path.split(separator: "/").last.map(String.init) ?? path
    }()

    static let configuration = CommandConfiguration(
        commandName: programName,
        abstract: "A language model packed into one executable by llmpack.",
        discussion: "The model travels inside this file; nothing else is read from disk.",
        version: "\(programName): llmpack-runner \(LLMPack.version) (bundle format \(BundleFormat.version))")

    @Flag(help: "Show the packed model's manifest.") var info = false
    @Flag(help: "Recompute every checksum of the packed model.") var verify = false

    func run() throws {
        // The structural check of every launch: trailer, index checksum, bounds (milliseconds).
        let bundle = try openOwnPayload()
        if verify {
            let status = Verification.run(bundle, name: Self.programName)
            if status != 0 { throw ExitCode(status) }
            return
        }
        if info {
            try reportingErrors {
                print(ModelInfo.text(manifest: try bundle.manifest(), runConfig: try bundle.runConfig(), tensorData: bundle.section(.tensorData)))
            }
            return
        }
        try reportingErrors {
            let manifest = try bundle.manifest()
            _ = try bundle.parseGGUF()
            print("\(Self.programName): \(manifest.model.name) (\(manifest.model.architecture ?? "unknown architecture")), packed by llmpack \(manifest.llmpackVersion).")
            print("Text generation is not part of this runner yet; see --info, --verify and --help.")
        }
    }

    /// The payload of this very file; says so and exits 2 when there is none.
    func openOwnPayload() throws -> BundleReader {
        do {
            return try ModelSource.embeddedBundle()
        } catch let error as BundleError where error.kind == .noPayload {
            Terminal.printError("\(Self.programName): no llmpack payload: this runner carries no model (or its file is truncated); pack one with `llmpack build MODEL.gguf -o OUT`")
            throw ExitCode(2)
        } catch {
            Terminal.printError("\(Self.programName): error: \(error)")
            throw ExitCode.failure
        }
    }
}

/// Runs `body`; an error becomes one line on standard error and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        Terminal.printError("\(RunnerCommand.programName): error: \(error)")
        throw ExitCode.failure
    }
}
