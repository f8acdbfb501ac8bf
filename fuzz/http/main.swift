// libFuzzer harness for the server's request decoding: the JSON parser and the field checks of
// every POST endpoint (OpenAI chat/completions, llama.cpp completion/tokenize/detokenize, ollama
// chat/generate), run on the route handlers themselves with a scripted backend, and the response
// renderers fed what the request asked for. Any body must give a plan or an APIError (an HTTP
// 4xx), never a crash. Parsed JSON must also survive serialize-then-parse unchanged.
// The socket layer (NIO's HTTP parser) is not fuzzed here.
//
// Input: byte 0 picks the route, the rest is the request body.
//
// Built by scripts/fuzz with Sources/Server/**/*.swift (module Server) against the NIO modules of
// the SwiftPM build.
import NIOHTTP1

/// Answers every generation with a few fixed pieces; tokens are bytes.
private final class ScriptedBackend: CompletionBackend {
    let model = ModelDescription(id: "fuzz-model", family: "fuzz", parameterSize: "1M", quantization: "F32", sizeBytes: 1, digest: "00")
    let contextLength = 4096
    let vocabularySize = 512
    func tokenize(_ text: String, addSpecial: Bool, parseSpecial: Bool) throws -> [Int32] {
        (addSpecial ? [256] : []) + text.utf8.map { Int32($0) }
    }
    func detokenize(_ tokens: [Int32]) throws -> String {
        String(decoding: tokens.filter { $0 < 256 }.map { UInt8($0) }, as: UTF8.self)
    }
    func generate(_ request: GenerationRequest, slot: Int, cancel: CancellationToken, onEvent: (GenerationEvent) -> Void) throws {}
}

nonisolated(unsafe) private let core: ServerCore = {
    var configuration = ServerConfiguration()
    configuration.log = { _ in }
    return try! ServerCore(configuration: configuration, backend: ScriptedBackend())
}()

private let paths = ["/v1/chat/completions", "/v1/completions", "/completion", "/tokenize", "/detokenize", "/api/chat", "/api/generate"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let path = paths[Int(data[0]) % paths.count]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))

    if let value = try? JSONParser.parse(body) {
        let again: JSONValue
        do { again = try JSONParser.parse(value.serializedBytes) } catch {
            preconditionFailure("serialized JSON does not parse: \(error)")
        }
        precondition(equivalent(value, again), "JSON changed in a serialize-parse round trip")
    }

    guard case .found(let route) = core.router.match(method: .POST, path: path) else { preconditionFailure("no route \(path)") }
    let request = HTTPRequest(head: HTTPRequestHead(version: .http1_1, method: .POST, uri: path), path: path, body: body)
    let outcome: RouteOutcome
    do { outcome = try route.handle(request, core) } catch {
        precondition((400..<500).contains(Int(error.status.code)), "body gave \(error.status.code): \(error.message)")
        _ = HTTPResponse.error(error, flavor: route.flavor).body
        return 0
    }
    if case .generation(var plan) = outcome {
        if let limit = plan.request.maxTokens { precondition(limit <= core.backend.contextLength, "token limit beyond the context") }
        _ = plan.renderer.text("Hello")
        _ = plan.renderer.text(", wörld \u{1F999}\"\\\n")
        _ = plan.renderer.finish(GenerationOutcome(finishReason: .stop, promptTokens: 3, completionTokens: 2,
                                                   stoppingWord: plan.request.stop.first, timings: GenerationTimings()))
        _ = plan.renderer.streamError(.invalidRequest("fuzz"))
    }
    return 0
}

/// Equal up to what JSON cannot tell apart: 1 and 1.0; non-finite numbers are written as null.
private func equivalent(_ a: JSONValue, _ b: JSONValue) -> Bool {
    func number(_ v: JSONValue) -> Double? {
        switch v {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }
    switch (a, b) {
    case (.number(let d), .null) where !d.isFinite: return true
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equivalent($0, $1) }
    case (.object(let x), .object(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && equivalent($0.1, $1.1) }
    default:
        if let x = number(a), let y = number(b) { return x == y }
        return a == b
    }
}
