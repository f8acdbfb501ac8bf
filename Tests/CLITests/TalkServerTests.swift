// The runner as an HTTP server on the real model: curl on every endpoint, ollama-shaped requests
// (NDJSON streams), the official `openai` Python client, the web chat page in headless Chromium
// (a screenshot is kept under .build/test-artifacts/), eight clients at once on two slots, and
// four greedy requests at once on four slots (sharing forward passes) answered exactly as alone.
import Foundation
import Testing

extension TalkTests {
    @Suite struct Server {
        func start(_ arguments: [String] = []) throws -> RunningServer {
            try RunningServer(bundle: try Talk.bundle.get(), ["--server", "--port", "0", "-t", "2"] + arguments)
        }

        @Test(.enabled(if: Talk.hasModel, "needs the default model (scripts/fetch-model)"),
              .enabled(if: Talk.which("curl") != nil, "needs curl"))
        func curlOnEveryEndpoint() throws {
            let server = try start()
            defer { server.stop() }
            let base = server.url

            let health = try Talk.curl(base, "/health")
            #expect(health.status == 200)
            #expect(try Talk.object(health.body)["status"] as? String == "ok")

            let models = try Talk.object(try Talk.curl(base, "/v1/models").body)
            let model = try #require((models["data"] as? [[String: Any]])?.first?["id"] as? String, "\(models)")

            let page = try Talk.curl(base, "/")
            #expect(page.status == 200 && page.body.contains("<textarea id=\"input\""))

            let completion = try Talk.curl(base, "/completion", json: #"{"prompt":"The capital of France is","n_predict":6,"temperature":0}"#)
            #expect(completion.status == 200, "\(completion)")
            let completed = try Talk.object(completion.body)
            #expect((completed["content"] as? String)?.isEmpty == false, "\(completed)")
            #expect(completed["tokens_predicted"] as? Int == 6 || completed["stop_type"] as? String == "eos", "\(completed)")

            // The special token is one id with special parsing, several without.
            let special = try Talk.object(try Talk.curl(base, "/tokenize", json: #"{"content":"<start_of_turn>Hello"}"#).body)
            let ids = try #require(special["tokens"] as? [Int], "\(special)")
            #expect(ids.first == 105)
            let plain = try Talk.object(try Talk.curl(base, "/tokenize", json: #"{"content":"<start_of_turn>","parse_special":false}"#).body)
            #expect(!((plain["tokens"] as? [Int]) ?? [105]).contains(105))
            let back = try Talk.object(try Talk.curl(base, "/detokenize", json: "{\"tokens\":\(Array(ids.dropFirst()))}").body)
            #expect(back["content"] as? String == "Hello")
            #expect(try Talk.curl(base, "/detokenize", json: #"{"tokens":[99999999]}"#).status == 400)

            let tags = try Talk.object(try Talk.curl(base, "/api/tags").body)
            #expect((tags["models"] as? [[String: Any]])?.first?["name"] as? String == model, "\(tags)")
            let version = try Talk.object(try Talk.curl(base, "/api/version").body)
            #expect(version["version"] as? String != nil)

            // ollama: NDJSON streams, one JSON object a line, the last with done: true.
            for (path, body) in [
                ("/api/chat", #"{"model":"m","messages":[{"role":"user","content":"Name a colour."}],"options":{"num_predict":8,"temperature":0}}"#),
                ("/api/generate", #"{"model":"m","prompt":"Once upon a time","options":{"num_predict":8,"temperature":0}}"#),
            ] {
                let answer = try Talk.curl(base, path, json: body)
                #expect(answer.status == 200, "\(path): \(answer)")
                let lines = answer.body.split(separator: "\n")
                #expect(lines.count >= 3, "\(path): \(answer.body)")
                let objects = try lines.map { try Talk.object($0) }
                #expect(objects.dropLast().allSatisfy { $0["done"] as? Bool == false })
                let last = try #require(objects.last)
                #expect(last["done"] as? Bool == true, "\(last)")
                #expect((last["eval_count"] as? Int ?? 0) >= 1, "\(last)")
                let text = objects.map { object -> String in
                    (object["message"] as? [String: Any])?["content"] as? String ?? object["response"] as? String ?? ""
                }.joined()
                #expect(!text.isEmpty, "\(path)")
            }
            let single = try Talk.object(try Talk.curl(base, "/api/generate", json: #"{"prompt":"Hi","stream":false,"options":{"num_predict":3}}"#).body)
            #expect(single["done"] as? Bool == true && single["response"] as? String != nil, "\(single)")
        }

        @Test(.enabled(if: Talk.hasModel, "needs the default model (scripts/fetch-model)"),
              .enabled(if: Talk.pythonHas("openai"), "needs the openai package in \(Talk.python) (pip install openai)"))
        func openAIPythonClient() throws {
            let server = try start()
            defer { server.stop() }
            let outcome = try Talk.script("openai_client.py", [server.url])
            #expect(outcome.status == 0, "\(outcome)")
            let seen = try Talk.object(outcome.stdout)
            #expect((seen["stream"] as? [String: Any])?["chunks"] as? Int ?? 0 >= 2, "\(seen)")
            print("openai client: \(outcome.stdout)")
        }

        @Test(.enabled(if: Talk.hasModel, "needs the default model (scripts/fetch-model)"),
              .enabled(if: Talk.hasPython, "needs the project's venv at \(Talk.python)"),
              .enabled(if: Talk.which("chromium") != nil || Talk.which("chromium-browser") != nil, "needs chromium (apt-get install chromium)"))
        func webChatInChromium() throws {
            let server = try start()
            defer { server.stop() }
            let screenshot = Talk.artifactsFolder + "/webchat.png"
            try? FileManager.default.removeItem(atPath: screenshot)
            let outcome = try Talk.script("webchat.py", [server.url, screenshot])
            #expect(outcome.status == 0, "\(outcome)")
            let seen = try Talk.object(outcome.stdout)
            #expect(seen["title"] as? String != nil)
            #expect(seen["user"] as? String == "Write a short poem about the sea.", "\(seen)")
            #expect((seen["final"] as? String)?.isEmpty == false, "\(seen)")
            // Streamed: the bubble showed partial replies, and the button said Stop meanwhile.
            #expect((seen["partial"] as? [String])?.isEmpty == false, "the reply did not stream: \(seen)")
            #expect((seen["labels"] as? [String])?.contains("Stop") == true, "\(seen)")
            #expect((seen["model"] as? String)?.isEmpty == false, "\(seen)")
            let size = (try? FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
            #expect(size > 10_000, "screenshot \(screenshot): \(size) bytes")
            print("web chat screenshot: \(screenshot)")
        }

        /// With --parallel 4 the slots' decoding steps run as shared forward passes; a token's
        /// logits do not depend on the other tokens of a pass, so four greedy requests sent at once
        /// must each get exactly (==) the text it gets alone. The prompts stay under 32 tokens, so
        /// that a prompt reused from a slot's cache is computed the same way as a new one.
        @Test(.enabled(if: Talk.hasModel, "needs the default model (scripts/fetch-model)"),
              .enabled(if: Talk.which("curl") != nil, "needs curl"))
        func fourConcurrentGreedyRequestsMatchAlone() throws {
            let server = try start(["--parallel", "4"])
            defer { server.stop() }
            let prompts = [
                "The history of the city begins in the year 1200, when",
                "Once upon a time, a clockmaker",
                "A recipe for bread: take five hundred grams of flour,",
                "The committee met on Tuesday to discuss the new railway line. The chairman said that",
            ]
            let url = server.url
            @Sendable func complete(_ prompt: String) throws -> String {
                let body = #"{"prompt":"\#(prompt)","n_predict":40,"temperature":0}"#
                let answer = try Talk.curl(url, "/completion", json: body)
                try #require(answer.status == 200, "\(answer)")
                return try #require(try Talk.object(answer.body)["content"] as? String, "\(answer.body)")
            }
            let alone = try prompts.map(complete)
            for round in 0..<2 {
                let together = ConcurrentResults<String>(count: prompts.count)
                together.run { i in try complete(prompts[i]) }
                for i in prompts.indices {
                    #expect(try together[i].get() == alone[i], "round \(round), prompt \(i)")
                }
            }
        }

        /// A slot's cache that holds a long conversation, and a new request that shares only its
        /// first tokens: the sliding-window layers cannot rewind that far (their rings keep the
        /// last positions only), so the slot must start afresh instead of failing with 500.
        @Test(.enabled(if: Talk.hasModel, "needs the default model (scripts/fetch-model)"),
              .enabled(if: Talk.which("curl") != nil, "needs curl"))
        func aShortSharedPrefixAfterALongConversation() throws {
            let server = try start(["--parallel", "1", "-c", "2048"])
            defer { server.stop() }
            let long = (0..<900).map { 1000 + $0 % 500 }
            let first = try Talk.curl(server.url, "/completion", json: #"{"prompt":\#(long),"n_predict":2,"temperature":0}"#)
            #expect(first.status == 200, "\(first)")
            let short = Array(long.prefix(20)) + [42, 43, 44]
            let second = try Talk.curl(server.url, "/completion", json: #"{"prompt":\#(short),"n_predict":2,"temperature":0}"#)
            #expect(second.status == 200, "\(second)")
            // The same answer as on a fresh server.
            let fresh = try start(["--parallel", "1", "-c", "2048"])
            defer { fresh.stop() }
            let alone = try Talk.curl(fresh.url, "/completion", json: #"{"prompt":\#(short),"n_predict":2,"temperature":0}"#)
            #expect(try Talk.object(second.body)["content"] as? String == Talk.object(alone.body)["content"] as? String,
                    "\(second.body) vs \(alone.body)")
        }

        @Test(.enabled(if: Talk.hasModel, "needs the default model (scripts/fetch-model)"),
              .enabled(if: Talk.hasPython, "needs the project's venv at \(Talk.python)"))
        func eightClientsOnTwoSlots() throws {
            let server = try start(["--parallel", "2", "--queue", "6"])
            defer { server.stop() }
            let outcome = try Talk.script("concurrency.py", [server.url])
            #expect(outcome.status == 0, "\(outcome)")
            print("concurrency: \(outcome.stdout)")
        }
    }
}

/// Runs one closure per index on threads of its own, all at once, and keeps what each returned.
final class ConcurrentResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<T, any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    /// Calls `body(i)` for every index on its own thread and waits for them all.
    func run(_ body: @escaping @Sendable (Int) throws -> T) {
        let group = DispatchGroup()
        for i in results.indices {
            group.enter()
            Thread { [self] in
                let result = Result { try body(i) }
                lock.withLock { results[i] = result }
                group.leave()
            }.start()
        }
        group.wait()
    }

    subscript(i: Int) -> Result<T, any Error> { lock.withLock { results[i]! } }
}
