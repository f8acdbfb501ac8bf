// The engine from the command line on the default model: the runner's one-shot answer equals
// llama.cpp's greedy continuation, the self-test passes, and the llmpack engine commands (tokenize,
// eval, perplexity, bench) produce what they promise. Skipped when the model is not downloaded.
import Foundation
import Testing

@Suite(.serialized) struct CLIEngineTests {
    static let prompt = "The capital of France is"

    @Test(.enabled(if: FileManager.default.fileExists(atPath: defaultModelPath)))
    func runnerAnswersLikeLlamaCppAndPassesItsSelfTest() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bundle = folder + "/brain.run"
        let build = try llmpack("build", defaultModelPath, "-o", bundle)
        #expect(build.status == 0, "\(build)")

        // llama.cpp's greedy tokens after this prompt decode to " the capital of the country of France."
        let answer = try run(bundle, ["-p", Self.prompt, "-n", "8", "--temp", "0", "-t", "2"])
        #expect(answer.status == 0, "\(answer)")
        #expect(answer.stdout.hasPrefix(" the capital of the country of France."), "\(answer.stdout)")
        #expect(answer.stderr.contains("tokens/s"))

        let selftest = try run(bundle, ["--selftest"])
        #expect(selftest.status == 0, "\(selftest)")
        #expect(selftest.stdout.contains("self-test passed"))

        // A bundle built without the record says so.
        let bare = folder + "/bare.run"
        #expect(try llmpack("build", defaultModelPath, "-o", bare, "--no-selftest").status == 0)
        let none = try run(bare, ["--selftest"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("no self-test record"))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: defaultModelPath)))
    func tokenizeMatchesLlamaCpp() throws {
        let ids = try llmpack("tokenize", defaultModelPath, Self.prompt)
        #expect(ids.status == 0, "\(ids)")
        #expect(ids.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[2, 818, 5279, 529, 7001, 563]")
        let bare = try llmpack("tokenize", defaultModelPath, "<start_of_turn>hi", "--no-bos", "--no-special")
        #expect(!bare.stdout.contains("105"), "special-token text must stay text with --no-special: \(bare.stdout)")
        let special = try llmpack("tokenize", defaultModelPath, "<start_of_turn>hi", "--no-bos")
        #expect(special.stdout.hasPrefix("[105,"), "\(special.stdout)")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: defaultModelPath)))
    func evalGivesTheReferenceShape() throws {
        let outcome = try llmpack("eval", defaultModelPath, "-p", Self.prompt, "--top", "3", "--greedy", "4")
        #expect(outcome.status == 0, "\(outcome)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(object["tokens"] as? [Int] == [2, 818, 5279, 529, 7001, 563])
        #expect(object["greedy"] as? [Int] == [506, 5279, 529, 506])
        let positions = try #require(object["positions"] as? [[String: Any]])
        #expect(positions.count == 6)
        let last = try #require(positions.last)
        let top = try #require(last["top"] as? [[Double]])
        #expect(top.count == 3)
        #expect(Int(top[0][0]) == 506)
        // llama.cpp: logit 18.9756, logsumexp 20.62324 at this position.
        #expect(abs(top[0][1] - 18.9756) < 0.5)
        #expect(abs((last["logsumexp"] as? Double ?? 0) - 20.62324) < 0.5)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: defaultModelPath)))
    func perplexityAndBenchReport() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 40)
        try text.write(toFile: folder + "/t.txt", atomically: true, encoding: .utf8)
        let ppl = try llmpack("perplexity", defaultModelPath, "-f", folder + "/t.txt", "-c", "128", "--chunks", "2")
        #expect(ppl.status == 0, "\(ppl)")
        // A sentence repeated 40 times is easy to predict: a perplexity near 1.
        let value = ppl.stdout.split(separator: " ").dropFirst(2).first.flatMap { Double($0) }
        #expect(value != nil && value! >= 1 && value! < 2, "\(ppl.stdout)")

        let bench = try llmpack("bench", defaultModelPath, "-p", "32", "-n", "4", "-r", "1", "-t", "2")
        #expect(bench.status == 0, "\(bench)")
        #expect(bench.stdout.contains("| pp32 |") && bench.stdout.contains("| tg4 |"), "\(bench.stdout)")

        let tooLong = try llmpack("run", defaultModelPath, "-p", text, "-c", "32")
        expectFailure(tooLong, status: 1, mentioning: "the context holds 32")
    }
}
