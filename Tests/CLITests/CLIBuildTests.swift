// llmpack build / inspect / extract / verify / rebase and the runner's own flags, on small GGUFs.
import Foundation
import Testing
import Bundle

@Suite struct CLIBuildTests {
    @Test func buildThenInspectExtractVerifyAndRunTheRunner() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/tiny.gguf", bundle = folder + "/tiny.run", extracted = folder + "/back.gguf"
        try makeModel(at: model)
        let build = try llmpack("build", "--no-model-check", model, "-o", bundle, "--ctx", "128", "--temp", "0.25", "--top-p", "0.9", "--system", "Be terse.", "--arg=-n", "--arg=16")
        #expect(build.status == 0, "\(build)")
        #expect(build.stdout.contains("wrote \(bundle)"))
        #expect(FileManager.default.isExecutableFile(atPath: bundle))
        // Only the output in the folder: no temporary files left behind.
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder)) == ["tiny.gguf", "tiny.run"])

        let inspect = try llmpack("inspect", bundle)
        #expect(inspect.status == 0, "\(inspect)")
        for text in ["gguf-header", "tensor-data", "run-config", "manifest", "Tiny Test", "smooth.weight", "llama.context_length", "memory-mapped"] {
            #expect(inspect.stdout.contains(text), "\(text) in \(inspect.stdout)")
        }
        let json = try llmpack("inspect", bundle, "--json")
        #expect(json.status == 0, "\(json)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let sections = try #require(object["sections"] as? [[String: Any]])
        #expect(sections.compactMap { $0["kind"] as? String } == ["gguf-header", "run-config", "manifest", "tensor-data"])
        let tensors = try #require(object["tensors"] as? [[String: Any]])
        #expect(tensors.compactMap { $0["name"] as? String } == ["smooth.weight", "half.weight", "noise.weight"])
        let runConfig = try #require(object["runConfig"] as? [String: Any])
        #expect(runConfig["contextLength"] as? Int == 128)
        #expect(runConfig["arguments"] as? [String] == ["-n", "16"])

        let extract = try llmpack("extract", bundle, "-o", extracted)
        #expect(extract.status == 0, "\(extract)")
        #expect(try bytes(of: extracted) == bytes(of: model))

        let verify = try llmpack("verify", bundle)
        #expect(verify.status == 0, "\(verify)")
        #expect(verify.stdout.contains("OK"))

        let info = try run(bundle, ["--info"])
        #expect(info.status == 0, "\(info)")
        for text in ["Tiny Test (llama)", "128 by default", "temperature 0.25", "top-p 0.9", "Be terse.", "apache-2.0", "tiny.gguf", "-n 16"] {
            #expect(info.stdout.contains(text), "\(text) in \(info.stdout)")
        }
        let selfVerify = try run(bundle, ["--verify"])
        #expect(selfVerify.status == 0, "\(selfVerify)")
        let version = try run(bundle, ["--version"])
        #expect(version.status == 0 && version.stdout.contains("0.1.0"), "\(version)")
        let help = try run(bundle, ["--help"])
        #expect(help.status == 0 && help.stdout.contains("--info") && help.stdout.contains("--verify"), "\(help)")
    }

    @Test func twoBuildsOfTheSameInputAreIdentical() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try makeModel(at: folder + "/m.gguf")
        for extra in [[], ["--compress", "weights"]] {
            #expect(try run(llmpackPath, ["build", "--no-model-check", folder + "/m.gguf", "-o", folder + "/a.run"] + extra).status == 0)
            #expect(try run(llmpackPath, ["build", "--no-model-check", folder + "/m.gguf", "-o", folder + "/b.run"] + extra).status == 0)
            #expect(try sha256sum(folder + "/a.run") == sha256sum(folder + "/b.run"))
        }
    }

    @Test func compressedWeightsRoundTripAndReportTheirRatio() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/m.gguf", bundle = folder + "/m.run"
        try makeModel(at: model, scale: 8)
        let build = try llmpack("build", "--no-model-check", model, "-o", bundle, "--compress", "weights")
        #expect(build.status == 0, "\(build)")
        #expect(build.stdout.contains("zstd chunks"), "\(build)")
        let inspect = try llmpack("inspect", bundle)
        #expect(inspect.stdout.contains("1 zstd, ratio"), "\(inspect.stdout)")
        #expect(inspect.stdout.contains("decompressed at launch"))
        #expect(try run(bundle, ["--info"]).stdout.contains("zstd chunks"))
        #expect(try run(bundle, ["--verify"]).status == 0)
        #expect(try llmpack("extract", bundle, "-o", folder + "/x.gguf").status == 0)
        #expect(try bytes(of: folder + "/x.gguf") == bytes(of: model))
        let bad = try llmpack("build", "--no-model-check", model, "-o", bundle, "--compress", "everything")
        #expect(bad.status != 0 && !bad.signalled)
    }

    @Test func rebasePutsThePayloadBehindAnotherRunner() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/m.gguf", bundle = folder + "/m.run"
        try makeModel(at: model)
        #expect(try llmpack("build", "--no-model-check", model, "-o", bundle).status == 0)
        // The same runner gives the same file back.
        #expect(try llmpack("rebase", bundle, "--runner", runnerPath, "-o", folder + "/same.run").status == 0)
        #expect(try bytes(of: folder + "/same.run") == bytes(of: bundle))
        // Another ELF executable as the stub: the payload still reads back.
        let rebase = try llmpack("rebase", bundle, "--runner", "/bin/true", "-o", folder + "/other.run")
        #expect(rebase.status == 0, "\(rebase)")
        #expect(try llmpack("verify", folder + "/other.run").status == 0)
        #expect(try llmpack("extract", folder + "/other.run", "-o", folder + "/x.gguf").status == 0)
        #expect(try bytes(of: folder + "/x.gguf") == bytes(of: model))
        // A bundle is not a runner.
        expectFailure(try llmpack("rebase", bundle, "--runner", bundle, "-o", folder + "/bad.run"), mentioning: "already carries a payload")
        #expect(!FileManager.default.fileExists(atPath: folder + "/bad.run"))
    }

    @Test func buildRejectsBadInputsAndLeavesNoOutput() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = folder + "/out.run"
        try write(Array("definitely not a GGUF file".utf8), to: folder + "/junk.gguf")
        expectFailure(try llmpack("build", "--no-model-check", folder + "/junk.gguf", "-o", out), status: 1, mentioning: "not a valid GGUF")
        expectFailure(try llmpack("build", "--no-model-check", folder + "/missing.gguf", "-o", out), status: 1, mentioning: "cannot read model")
        try makeModel(at: folder + "/m.gguf")
        var truncated = try bytes(of: folder + "/m.gguf")
        truncated.removeLast(1000)
        try write(truncated, to: folder + "/cut.gguf")
        expectFailure(try llmpack("build", "--no-model-check", folder + "/cut.gguf", "-o", out), status: 1, mentioning: "not a valid GGUF")
        expectFailure(try llmpack("build", "--no-model-check", folder + "/m.gguf", "-o", out, "--runner", folder + "/m.gguf"), status: 1, mentioning: "not an ELF executable")
        expectFailure(try llmpack("build", "--no-model-check", folder + "/m.gguf", "-o", out, "--license-file", folder + "/nope.txt"), status: 1, mentioning: "licence file")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder)) == ["junk.gguf", "m.gguf", "cut.gguf"])
    }

    @Test func licenseFileIsRecorded() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try makeModel(at: folder + "/m.gguf", license: nil)
        try write(Array("Permission is granted to test.".utf8), to: folder + "/LICENSE")
        #expect(try llmpack("build", "--no-model-check", folder + "/m.gguf", "-o", folder + "/a.run").status == 0)
        #expect(try run(folder + "/a.run", ["--info"]).stdout.contains("License:        not stated"))
        #expect(try llmpack("build", "--no-model-check", folder + "/m.gguf", "-o", folder + "/b.run", "--license-file", folder + "/LICENSE", "--name", "Renamed").status == 0)
        let info = try run(folder + "/b.run", ["--info"]).stdout
        #expect(info.contains("Permission is granted to test."), "\(info)")
        #expect(info.contains("Renamed (llama)"), "\(info)")
    }

    @Test func aRunnerWithoutPayloadSaysSo() throws {
        let outcome = try run(runnerPath, ["--info"])
        expectFailure(outcome, status: 2, mentioning: "no llmpack payload")
        #expect(try run(runnerPath, ["--version"]).status == 0)
    }

    @Test func theEmbeddedPayloadWinsOverFilesInTheCurrentFolder() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try makeModel(at: folder + "/m.gguf")
        #expect(try llmpack("build", "--no-model-check", folder + "/m.gguf", "-o", folder + "/mine.run", "--name", "Embedded").status == 0)
        #expect(try llmpack("build", "--no-model-check", folder + "/m.gguf", "-o", folder + "/other.run", "--name", "Other").status == 0)
        for name in ["model.gguf", "model.run", "brain.run"] {
            try FileManager.default.copyItem(atPath: folder + "/other.run", toPath: folder + "/" + name)
        }
        let info = try run(folder + "/mine.run", ["--info"], in: folder)
        #expect(info.stdout.contains("Model:          Embedded"), "\(info)")
        // Also when started under another name through a symbolic link.
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: folder + "/mine.run")
        #expect(try run(folder + "/link", ["--info"], in: folder).stdout.contains("Embedded"))
    }
}
