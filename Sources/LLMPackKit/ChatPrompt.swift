// ChatPrompt: a conversation turned into prompt tokens through the model's chat template (the
// GGUF's `tokenizer.chat_template`, else a built-in one for the architecture).
//
// Only template text may produce special tokens. The template is rendered a second time with each
// message's content replaced by a marker that no text contains; the markers show exactly which
// parts of the prompt are message contents. Those parts are tokenized as plain text, the rest with
// special-token parsing, so a user who types "<end_of_turn>" gets those characters, not the token.
// (When the template changes contents beyond trimming, e.g. upper-cases them, the contents are
// found by searching the rendered text instead.)
import ChatTemplate
import GGUF
import Tokenizer

public struct ChatPrompt: Sendable {
    public let template: ChatTemplate
    /// Where the template came from: "gguf", "built-in gemma3", or the override's origin.
    public let origin: String
    let tokenizer: any Tokenizer
    let bosText: String
    let eosText: String
    let addsBOS: Bool

    /// - Parameters:
    ///   - override: a template's Jinja source to use instead of the model's.
    ///   - overrideOrigin: how `/info` names the override ("--chat-template", "run config").
    public init(gguf: GGUFFile, tokenizer: any Tokenizer, override: String? = nil, overrideOrigin: String = "--chat-template") throws {
        if let override {
            do {
                template = try ChatTemplate(override)
            } catch {
                throw LLMPackError("the chat template (\(overrideOrigin)) does not parse: \(error)")
            }
            origin = overrideOrigin
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
        var tokens: [Int32] = []
        for span in try spans(messages, addGenerationPrompt: addGenerationPrompt) {
            switch span {
            case .template(let text): tokens += tokenizer.encode(text, addSpecial: false, parseSpecial: true)
            case .content(let text): tokens += tokenizer.encode(text, addSpecial: false, parseSpecial: false)
            }
        }
        if addsBOS, let bos = tokenizer.bos, tokens.first != bos { tokens.insert(bos, at: 0) }
        return tokens
    }

    /// A part of the rendered prompt: written by the template, or a message's content.
    public enum Span: Sendable, Equatable {
        case template(String)
        case content(String)
    }

    /// The rendered prompt cut into template text and message contents; joined, the spans are
    /// exactly `render(messages)`.
    public func spans(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) throws -> [Span] {
        let text = try render(messages, addGenerationPrompt: addGenerationPrompt)
        if let spans = try markedSpans(messages, rendered: text, addGenerationPrompt: addGenerationPrompt) { return spans }
        return searchedSpans(messages, rendered: text)
    }

    // MARK: Marked contents

    static let markerStart: Unicode.Scalar = "\u{F8F0}"
    static let markerEnd: Unicode.Scalar = "\u{F8F1}"

    /// The spans found by rendering with markers in place of the contents, or nil when the
    /// contents cannot be put back into that rendering to give `rendered` exactly.
    func markedSpans(_ messages: [ChatMessage], rendered: String, addGenerationPrompt: Bool) throws -> [Span]? {
        let markerCharacters: Set<Unicode.Scalar> = [Self.markerStart, Self.markerEnd]
        guard !messages.contains(where: { $0.content.unicodeScalars.contains(where: markerCharacters.contains) }) else { return nil }
        let marked = messages.enumerated().map { index, message in
            ChatMessage(role: message.role, content: message.content.isEmpty
                        ? "" : "\(Self.markerStart)\(index)\(Self.markerEnd)")
        }
        guard let skeleton = try? render(marked, addGenerationPrompt: addGenerationPrompt),
              let parts = Self.split(skeleton, messageCount: messages.count) else { return nil }
        // Templates often trim contents: try the contents as they are, then trimmed.
        for trim in [false, true] {
            var spans: [Span] = []
            var joined = ""
            for part in parts {
                switch part {
                case .template(let text):
                    spans.append(.template(text))
                    joined += text
                case .marker(let index):
                    let content = trim ? String(messages[index].content.trimmingSpaces()) : messages[index].content
                    if !content.isEmpty { spans.append(.content(content)) }
                    joined += content
                }
            }
            if joined == rendered { return spans }
        }
        return nil
    }

    enum SkeletonPart { case template(String), marker(Int) }

    /// Cuts a rendering with markers into template text and marker indexes; nil when a marker is
    /// malformed (the template took one apart).
    static func split(_ skeleton: String, messageCount: Int) -> [SkeletonPart]? {
        var parts: [SkeletonPart] = []
        var text = String.UnicodeScalarView()
        var scalars = skeleton.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            if scalar == markerEnd { return nil }
            guard scalar == markerStart else { text.append(scalar); continue }
            var digits = ""
            while let next = scalars.next() {
                if next == markerEnd { break }
                guard ("0"..."9").contains(next) else { return nil }
                digits.unicodeScalars.append(next)
            }
            guard let index = Int(digits), index < messageCount else { return nil }
            if !text.isEmpty { parts.append(.template(String(text))); text = String.UnicodeScalarView() }
            parts.append(.marker(index))
        }
        if !text.isEmpty { parts.append(.template(String(text))) }
        return parts
    }

    // MARK: Searched contents

    /// The spans found by looking for each content, in order, in the rendered text (for templates
    /// that transform contents). Text between contents is template text.
    func searchedSpans(_ messages: [ChatMessage], rendered text: String) -> [Span] {
        var spans: [Span] = []
        var rest = Substring(text)
        for message in messages where !message.content.isEmpty {
            // The template may trim the content; look for it as is, then trimmed.
            let candidates = [message.content, String(message.content.trimmingSpaces())].filter { !$0.isEmpty }
            guard let range = candidates.lazy.compactMap({ rest.range(of: $0) }).first else { continue }
            if range.lowerBound > rest.startIndex { spans.append(.template(String(rest[..<range.lowerBound]))) }
            spans.append(.content(String(rest[range])))
            rest = rest[range.upperBound...]
        }
        if !rest.isEmpty { spans.append(.template(String(rest))) }
        return spans
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

extension ChatPrompt {
    /// Renders and tokenizes a short test conversation with `template` (a Jinja source) for this
    /// model, as `llmpack build --chat-template` does before packing it. Throws an error that names
    /// what failed; returns the rendered text.
    @discardableResult
    public static func check(template source: String, gguf: GGUFFile, systemPrompt: String? = nil) throws -> String {
        let tokenizer = try TokenizerLoader.load(from: gguf)
        let prompt = try ChatPrompt(gguf: gguf, tokenizer: tokenizer, override: source, overrideOrigin: "--chat-template")
        let question = "What is the capital of France?"
        var conversation = [ChatMessage(role: "user", content: "Hello!"),
                            ChatMessage(role: "assistant", content: "Hello! How can I help?"),
                            ChatMessage(role: "user", content: question)]
        if let systemPrompt { conversation.insert(ChatMessage(role: "system", content: systemPrompt), at: 0) }
        let text: String
        do {
            text = try prompt.render(conversation)
            _ = try prompt.tokens(conversation)
        } catch {
            throw LLMPackError("the chat template fails on a test conversation\(systemPrompt == nil ? "" : " with the system prompt"): \(error)")
        }
        guard text.contains(question) else {
            throw LLMPackError("the chat template leaves out the messages: a test conversation renders as \(text.debugDescription.prefix(200))")
        }
        return text
    }
}
