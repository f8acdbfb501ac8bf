// Request fields shared by the three APIs: sampling settings, token limits, stop strings, chat
// messages and prompts, each checked for type and range (400 naming the field otherwise).

extension JSONFields {
    /// Sampling settings under their usual names (OpenAI's, which llama.cpp and ollama share).
    func samplingParameters() throws(APIError) -> SamplingParameters {
        var sampling = SamplingParameters()
        sampling.temperature = try double("temperature", in: 0...100)
        sampling.topP = try double("top_p", in: 0...1)
        sampling.topK = try int("top_k", in: 0...1_000_000)
        sampling.minP = try double("min_p", in: 0...1)
        sampling.presencePenalty = try double("presence_penalty", in: -2...2)
        sampling.frequencyPenalty = try double("frequency_penalty", in: -2...2)
        sampling.repeatPenalty = try double("repeat_penalty", in: 0...10)
        // A negative seed (llama.cpp's -1) means "random".
        if let seed = try int("seed", in: Int.min...Int.max), seed >= 0 { sampling.seed = UInt64(seed) }
        return sampling
    }

    /// A token limit: `nil` when absent; `unlimited` values (llama.cpp's -1, ollama's -1/-2) also
    /// give nil; otherwise in `minimum...contextLength`.
    func tokenLimit(_ key: String, minimum: Int, unlimited: Set<Int> = [], contextLength: Int) throws(APIError) -> Int? {
        guard let limit = try int(key, in: Int.min...Int.max) else { return nil }
        if unlimited.contains(limit) { return nil }
        guard limit >= minimum else {
            throw .invalidRequest("'\(path)\(key)' must be at least \(minimum), got \(limit)")
        }
        guard limit <= contextLength else {
            throw .invalidRequest("'\(path)\(key)' is \(limit), more than the context length of \(contextLength) tokens")
        }
        return limit
    }

    /// `stop`: a string or up to 16 strings.
    func stopStrings(_ key: String = "stop") throws(APIError) -> [String] {
        try stringList(key, maxCount: 16) ?? []
    }

    /// OpenAI/ollama chat messages: a non-empty array of {role, content}. Content may be a string,
    /// null, or OpenAI's array of {"type": "text", "text": ...} parts.
    func chatMessages(_ key: String = "messages") throws(APIError) -> [ChatMessage] {
        guard let elements = try array(key) else { throw .invalidRequest("'\(key)' is required") }
        guard !elements.isEmpty else { throw .invalidRequest("'\(key)' must not be empty") }
        var messages: [ChatMessage] = []
        for (index, element) in elements.enumerated() {
            guard case .object = element else {
                throw .invalidRequest("'\(key)[\(index)]' must be an object, got \(element.typeName)")
            }
            let message = JSONFields(element, path: "\(key)[\(index)].")
            guard var role = try message.string("role") else { throw .invalidRequest("'\(key)[\(index)].role' is required") }
            if role == "developer" { role = "system" }
            guard ["system", "user", "assistant", "tool"].contains(role) else {
                throw .invalidRequest("'\(key)[\(index)].role' must be system, user, assistant or tool, got \"\(role)\"")
            }
            messages.append(ChatMessage(role: role, content: try message.messageContent()))
        }
        return messages
    }

    private func messageContent() throws(APIError) -> String {
        guard let value = value("content") else { return "" }
        switch value {
        case .string(let text):
            return text
        case .array(let parts):
            var text = ""
            for (index, part) in parts.enumerated() {
                let fields = JSONFields(part, path: "\(path)content[\(index)].")
                guard case .object = part, try fields.string("type") == "text", let piece = try fields.string("text") else {
                    throw .invalidRequest("'\(path)content[\(index)]' must be a {\"type\": \"text\", \"text\": ...} part")
                }
                text += piece
            }
            return text
        default:
            throw .invalidRequest("'\(path)content' must be a string or an array of text parts, got \(value.typeName)")
        }
    }

    /// A completion prompt: a string, a one-string array, or an array of token ids.
    func prompt(_ key: String = "prompt", vocabularySize: Int) throws(APIError) -> GenerationRequest.Input {
        guard let value = value(key) else { throw .invalidRequest("'\(key)' is required") }
        switch value {
        case .string(let text):
            return .text(text)
        case .array(let elements):
            if elements.count == 1, case .string(let text) = elements[0] { return .text(text) }
            if elements.contains(where: { if case .string = $0 { true } else { false } }) {
                throw .invalidRequest("'\(key)' may hold one string only (batches are not supported)")
            }
            guard !elements.isEmpty else { throw .invalidRequest("'\(key)' must not be empty") }
            return .tokens(try JSONFields.tokenIds(elements, field: key, vocabularySize: vocabularySize))
        default:
            throw .invalidRequest("'\(key)' must be a string or an array of token ids, got \(value.typeName)")
        }
    }
}

extension ServerCore {
    /// Runs a backend call that may throw, mapping its errors to HTTP errors.
    func callBackend<T>(_ body: () throws -> T) throws(APIError) -> T {
        do {
            return try body()
        } catch let error as BackendError {
            throw APIError(error)
        } catch {
            throw .internalError("\(error)")
        }
    }
}
