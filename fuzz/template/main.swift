// libFuzzer harness for the chat-template interpreter: a template comes from the model file, so
// its source is untrusted; so are the messages a client sends. Parsing and rendering any source
// with any messages must give text or a TemplateError, within the default limits, never a crash,
// a hang or unbounded memory.
//
// Input: TEMPLATE SOURCE, then a 0 byte, then the messages: records separated by 0x1E, each
// "role 0x1F content". Without a 0 byte the whole input is the source and the messages are fixed.
//
// Built by scripts/fuzz with Sources/ChatTemplate/*.swift (module ChatTemplate).

private let fixedMessages = [
    ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi"),
    ChatMessage(role: "assistant", content: "Hello!"), ChatMessage(role: "user", content: "Bye"),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0) ?? size
    let source = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<split]), as: UTF8.self)
    var messages = fixedMessages
    if split < size {
        let rest = bytes[(split + 1)...]
        messages = rest.split(separator: 0x1E, omittingEmptySubsequences: false).map { record in
            let parts = record.split(separator: 0x1F, maxSplits: 1, omittingEmptySubsequences: false)
            let role = String(decoding: parts[0], as: UTF8.self)
            let content = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : ""
            return ChatMessage(role: role, content: content)
        }
    }
    guard let template = try? ChatTemplate(source) else { return 0 }
    let output = try? template.render(messages: messages, addGenerationPrompt: size & 1 == 0, bosToken: "<bos>", eosToken: "<eos>",
                                      date: TemplateDate(year: 2025, month: 1, day: 2))
    if let output {
        precondition(output.utf8.count <= template.limits.maxOutputBytes, "output exceeds maxOutputBytes")
    }
    return 0
}
