// ChatPrompt: a conversation turned into prompt tokens through the model's chat template (the
// GGUF's `tokenizer.chat_template`, else a built-in one for the architecture).
//
// Only template text may produce special tokens: the rendered prompt is cut into the spans that
// came from message contents and the spans the template wrote, and only the latter are tokenized
// with special-token parsing. A user who types "<end_of_turn>" gets those characters, not the token.
import ChatTemplate
import GGUF
import Tokenizer

public struct ChatPrompt: Sendable {
    public let template: ChatTemplate
    /// Where the template came from: "gguf", "built-in gemma3", or "--chat-template".
    public let origin: String
    let tokenizer: any Tokenizer
    let bosText: String
    let eosText: String
    let addsBOS: Bool

    public init(gguf: GGUFFile, tokenizer: any Tokenizer, override: String? = nil) throws {
        if let override {
            template = try ChatTemplate(override)
            origin = "override"
        } else if let source = gguf.string("tokenizer.chat_template"), !source.isEmpty {
            template = try ChatTemplate(source)
            origin = "gguf"
        } else if let architecture = gguf.architecture,
                  let builtin = ChatTemplate.builtin(architecture: architecture, hasToken: { tokenizer.tokenId($0) != nil }) {
            template = builtin
            origin = "built-in \(architecture)"
        } else {
            throw LLMPackError("the model has no chat template and there is no built-in one for \(gguf.architecture ?? "its architecture")")
        }
        self.tokenizer = tokenizer
        bosText = tokenizer.bos.map { String(decoding: tokenizer.piece($0, special: true), as: UTF8.self) } ?? ""
        eosText = tokenizer.eos.map { String(decoding: tokenizer.piece($0, special: true), as: UTF8.self) } ?? ""
        addsBOS = tokenizer.bos != nil && tokenizer.encode("", addSpecial: true, parseSpecial: false).first == tokenizer.bos
    }

    /// The rendered prompt text.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) throws -> String {
        try template.render(messages: messages, addGenerationPrompt: addGenerationPrompt,
                            bosToken: bosText, eosToken: eosText, date: .now())
    }

    /// The prompt tokens for a conversation.
    public func tokens(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) throws -> [Int32] {
        let text = try render(messages, addGenerationPrompt: addGenerationPrompt)
        var tokens: [Int32] = []
        var rest = Substring(text)
        for message in messages where !message.content.isEmpty {
            // The template may trim the content; look for it as is, then trimmed.
            let candidates = [message.content, trimmed(message.content)].filter { !$0.isEmpty }
            guard let range = candidates.lazy.compactMap({ rest.range(of: $0) }).first else { continue }
            tokens += tokenizer.encode(String(rest[..<range.lowerBound]), addSpecial: false, parseSpecial: true)
            tokens += tokenizer.encode(String(rest[range]), addSpecial: false, parseSpecial: false)
            rest = rest[range.upperBound...]
        }
        tokens += tokenizer.encode(String(rest), addSpecial: false, parseSpecial: true)
        if addsBOS, let bos = tokenizer.bos, tokens.first != bos { tokens.insert(bos, at: 0) }
        return tokens
    }

    private func trimmed(_ s: String) -> String {
        var view = Substring(s)
        while let c = view.first, c.isWhitespace { view = view.dropFirst() }
        while let c = view.last, c.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}

extension Substring {
    /// The first range of `needle` (plain characters, no locale rules).
    func range(of needle: String) -> Range<Substring.Index>? {
        guard let first = needle.first else { return nil }
        var index = startIndex
        while let found = self[index...].firstIndex(of: first) {
            if self[found...].starts(with: needle) {
                return found..<self.index(found, offsetBy: needle.count)
            }
            index = self.index(after: found)
        }
        return nil
    }
}

/// The chat template module's message type, named apart from the server's.
typealias TemplateMessage = ChatMessage
