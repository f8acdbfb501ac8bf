// The llama.cpp endpoints (/health, /completion, /tokenize, /detokenize) and the ollama ones
// (/api/chat, /api/generate, /api/tags, /api/version), whole and streamed.

import Foundation
import Server
import Testing

@Suite struct LlamaCppTests {
    @Test func healthIsOK() throws {
        try withServer { server in
            let reply = try request(port: server.port, "GET", "/health")
            #expect(reply.status == 200)
            #expect(try reply.json()["status"] as? String == "ok")
        }
    }

    @Test func completionWholeAndStreamed() throws {
        try withServer { server in
            let whole = try post(port: server.port, "/completion", #"{"prompt": "Hi there", "n_predict": 3}"#)
            #expect(whole.status == 200)
            let json = try whole.json()
            #expect(json["content"] as? String == "Hello, world")
            #expect(json["stop"] as? Bool == true)
            #expect(json["tokens_predicted"] as? Int == 3)
            #expect(json["tokens_evaluated"] as? Int == 2)
            #expect(json["stop_type"] as? String == "limit")
            #expect(server.backend.requests.first?.maxTokens == 3)

            let streamed = try post(port: server.port, "/completion", #"{"prompt": "Hi", "stream": true, "n_predict": -1}"#)
            #expect(streamed.header("content-type")?.hasPrefix("text/event-stream") == true)
            let events = try streamed.events.map { try jsonObject($0) }
            #expect(events.count == 5)
            #expect(events.dropLast().allSatisfy { $0["stop"] as? Bool == false })
            #expect(events.compactMap { $0["content"] as? String }.joined() == "Hello, world!")
            #expect(events.last?["stop"] as? Bool == true)
            #expect(events.last?["stop_type"] as? String == "eos")
            #expect(server.backend.requests.last?.maxTokens == nil)
        }
    }

    @Test func tokenizeAndDetokenizeRoundTrip() throws {
        try withServer { server in
            let tokens = try post(port: server.port, "/tokenize", #"{"content": "Hi<eos>"}"#)
            #expect(tokens.status == 200)
            #expect(try tokens.json()["tokens"] as? [Int] == [72, 105, 998])

            let withBOS = try post(port: server.port, "/tokenize",
                #"{"content": "Hi<eos>", "add_special": true, "parse_special": false, "with_pieces": true}"#)
            let pieces = try #require(try withBOS.json()["tokens"] as? [[String: Any]])
            #expect(pieces.count == 8)
            #expect(pieces.first?["id"] as? Int == 999)
            #expect(pieces[1]["piece"] as? String == "H")

            let text = try post(port: server.port, "/detokenize", #"{"tokens": [72, 105, 998]}"#)
            #expect(text.status == 200)
            #expect(try text.json()["content"] as? String == "Hi<eos>")
        }
    }
}

@Suite struct OllamaTests {
    @Test func chatStreamsNDJSONByDefault() throws {
        try withServer { server in
            let reply = try post(port: server.port, "/api/chat",
                #"{"model": "m", "messages": [{"role": "user", "content": "hi"}], "options": {"temperature": 0.2, "num_predict": 10}}"#)
            #expect(reply.status == 200)
            #expect(reply.header("content-type")?.hasPrefix("application/x-ndjson") == true)
            let lines = try reply.jsonLines()
            #expect(lines.count == 5)
            #expect(lines.dropLast().allSatisfy { $0["done"] as? Bool == false })
            let text = lines.compactMap { ($0["message"] as? [String: Any])?["content"] as? String }.joined()
            #expect(text == "Hello, world!")
            #expect(lines.allSatisfy { ($0["message"] as? [String: Any])?["role"] as? String == "assistant" })
            #expect(lines.allSatisfy { $0["model"] as? String == "fake-model-Q4_K_M" })
            #expect(lines.allSatisfy { ($0["created_at"] as? String)?.hasSuffix("Z") == true })
            let last = try #require(lines.last)
            #expect(last["done"] as? Bool == true)
            #expect(last["done_reason"] as? String == "stop")
            #expect(last["eval_count"] as? Int == 4)
            #expect(last["prompt_eval_count"] as? Int == 1)
            #expect(last["total_duration"] is Int)
            let sent = try #require(server.backend.requests.first)
            #expect(sent.sampling.temperature == 0.2)
            #expect(sent.maxTokens == 10)
        }
    }

    @Test func chatWithStreamFalseGivesOneObject() throws {
        try withServer { server in
            let reply = try post(port: server.port, "/api/chat",
                #"{"messages": [{"role": "user", "content": "hi"}], "stream": false, "options": {"num_predict": 1}}"#)
            let json = try reply.json()
            #expect((json["message"] as? [String: Any])?["content"] as? String == "Hello")
            #expect(json["done"] as? Bool == true)
            #expect(json["done_reason"] as? String == "length")
            #expect(json["eval_count"] as? Int == 1)
        }
    }

    @Test func generateAppliesTheTemplateUnlessRaw() throws {
        try withServer { server in
            let streamed = try post(port: server.port, "/api/generate", #"{"prompt": "Why?", "system": "Be kind."}"#)
            let lines = try streamed.jsonLines()
            #expect(lines.compactMap { $0["response"] as? String }.joined() == "Hello, world!")
            #expect(lines.last?["done"] as? Bool == true)
            #expect(server.backend.requests.first?.input == .chat([
                ChatMessage(role: "system", content: "Be kind."), ChatMessage(role: "user", content: "Why?"),
            ]))

            let raw = try post(port: server.port, "/api/generate", #"{"prompt": "Why?", "raw": true, "stream": false}"#)
            #expect(try raw.json()["response"] as? String == "Hello, world!")
            #expect(server.backend.requests.last?.input == .text("Why?"))
        }
    }

    @Test func tagsAndVersion() throws {
        try withServer { server in
            let tags = try request(port: server.port, "GET", "/api/tags")
            let model = try #require((try tags.json()["models"] as? [[String: Any]])?.first)
            #expect(model["name"] as? String == "fake-model-Q4_K_M")
            #expect(model["size"] as? Int == 1234)
            #expect((model["details"] as? [String: Any])?["quantization_level"] as? String == "Q4_K_M")
            #expect((model["details"] as? [String: Any])?["format"] as? String == "gguf")

            let version = try request(port: server.port, "GET", "/api/version")
            #expect((try version.json()["version"] as? String)?.split(separator: ".").count == 3)
        }
    }

    @Test func ollamaErrorsUseOllamaShape() throws {
        try withServer { server in
            let reply = try post(port: server.port, "/api/chat", #"{"messages": "hi"}"#)
            #expect(reply.status == 400)
            #expect(try reply.json()["error"] is String)
        }
    }
}
