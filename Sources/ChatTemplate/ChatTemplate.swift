// The public face of the module: a chat template parsed once from its Jinja source (a GGUF file's
// `tokenizer.chat_template`), rendered for a conversation as Hugging Face transformers renders it
// (trim_blocks and lstrip_blocks on, loop controls, raise_exception, strftime_now, tojson).

/// A parsed chat template, ready to render conversations into a prompt.
public struct ChatTemplate: Sendable {
    /// The Jinja source it was parsed from.
    public let source: String
    /// The limits applied when it was parsed and whenever it renders.
    public let limits: TemplateLimits
    let nodes: [Node]

    /// Parses `source`; a syntax error names its line and column.
    public init(_ source: String, limits: TemplateLimits = .default) throws {
        self.source = source
        self.limits = limits
        var lexer = Lexer(source)
        var parser = Parser(try lexer.segmentize(), limits: limits)
        nodes = try parser.parseTemplate()
    }

    /// Renders a conversation.
    ///
    /// The template sees `messages` (dictionaries with "role" and "content"), `bos_token`,
    /// `eos_token`, `add_generation_prompt`, `tools` (none, as transformers passes it, unless `extra`
    /// gives tools), and every entry of `extra` (which may override any of them).
    /// - Parameter date: what `strftime_now` formats; nil leaves `strftime_now` undefined, so that
    ///   templates use their own fallback date and the output is reproducible.
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String, eosToken: String,
                       extra: [String: TemplateValue] = [:], date: TemplateDate? = nil) throws -> String {
        var context: [String: TemplateValue] = [
            "messages": .list(messages.map(\.templateValue)),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "tools": .none,
        ]
        for (key, value) in extra { context[key] = value }
        return try render(context: context, date: date)
    }

    /// Renders with exactly the variables in `context` (for messages with tool calls, content
    /// parts, or any other shape).
    public func render(context: [String: TemplateValue], date: TemplateDate? = nil) throws -> String {
        var variables: [String: Value] = [:]
        for (name, value) in context {
            let converted = try Value(value, maxDepth: limits.maxNestingDepth)
            guard converted.size <= limits.maxCollectionCount else {
                throw TemplateError(.limitExceeded(limit: "maxCollectionCount"),
                                    "the variable '\(name)' holds more than maxCollectionCount (\(limits.maxCollectionCount)) elements")
            }
            variables[name] = converted
        }
        return try Interpreter(context: variables, limits: limits, date: date).render(nodes)
    }
}

extension ChatTemplate {
    /// The template to use when a GGUF file carries no `tokenizer.chat_template`, chosen by its
    /// `general.architecture`, or nil for an architecture without one.
    ///
    /// - gemma, gemma2, gemma3, gemma3n: Gemma's turn format (the system prompt folded into the
    ///   first user turn, as Gemma 3's template does).
    /// - llama: Llama 3's header format when the vocabulary has `<|start_header_id|>`, ChatML when it
    ///   has `<|im_start|>` (SmolLM), Mistral's when it has an `[INST]` token, else Llama 2's `[INST]`.
    /// - qwen2 (and qwen2moe): ChatML with Qwen2's default system prompt; qwen3 (and qwen3moe): Qwen3's.
    /// - phi3: Phi-3.5's format.
    /// - Parameter hasToken: whether the model's vocabulary holds a token with exactly this text.
    public static func builtin(architecture: String, hasToken: (String) -> Bool = { _ in false }) -> ChatTemplate? {
        let source: String
        switch architecture.lowercased() {
        case "gemma", "gemma2", "gemma3", "gemma3n":
            source = BuiltinTemplates.gemma
        case "llama":
            if hasToken("<|start_header_id|>") {
                source = BuiltinTemplates.llama3
            } else if hasToken("<|im_start|>") {
                source = BuiltinTemplates.chatml
            } else if hasToken("[INST]") {
                source = BuiltinTemplates.mistral
            } else {
                source = BuiltinTemplates.llama2
            }
        case "qwen2", "qwen2moe":
            source = BuiltinTemplates.qwen2
        case "qwen3", "qwen3moe":
            source = BuiltinTemplates.qwen3
        case "phi3":
            source = BuiltinTemplates.phi3
        default:
            return nil
        }
        return try? ChatTemplate(source)
    }
}
