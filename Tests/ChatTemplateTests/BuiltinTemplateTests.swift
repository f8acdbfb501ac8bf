// The templates used for GGUF files without one: chosen by architecture (and vocabulary for
// llama), identical to the test data checked against Jinja2, and rendering the expected prompts.

import ChatTemplate
import Testing

struct BuiltinTemplateTests {
    static let conversation = [
        ChatMessage(role: "system", content: "Be brief."),
        ChatMessage(role: "user", content: "Hi!"),
        ChatMessage(role: "assistant", content: "Hello."),
        ChatMessage(role: "user", content: "How are you?"),
    ]

    @Test(arguments: [
        ("gemma3", "", "gemma3"), ("gemma2", "", "gemma3"), ("gemma", "", "gemma3"),
        ("llama", "<|start_header_id|>", "llama-3"), ("llama", "<|im_start|>", "chatml"),
        ("llama", "[INST]", "mistral-v0.3"), ("llama", "", "llama2"),
        ("qwen2", "", "qwen2-gguf"), ("qwen3", "", "qwen3"), ("phi3", "", "phi-3.5-mini"),
    ])
    func choosesTheTemplateFile(architecture: String, token: String, file: String) throws {
        let template = try #require(ChatTemplate.builtin(architecture: architecture) { $0 == token })
        #expect(template.source == (try TestData.templateSource(file)))
    }

    @Test func unknownArchitectureHasNone() {
        #expect(ChatTemplate.builtin(architecture: "bert") == nil)
    }

    @Test func gemmaFoldsTheSystemPromptIntoTheFirstUserTurn() throws {
        let template = try #require(ChatTemplate.builtin(architecture: "gemma3"))
        let prompt = try template.render(messages: Self.conversation, addGenerationPrompt: true,
                                         bosToken: "<bos>", eosToken: "<eos>")
        #expect(prompt == "<bos><start_of_turn>user\nBe brief.\n\nHi!<end_of_turn>\n<start_of_turn>model\nHello.<end_of_turn>\n"
            + "<start_of_turn>user\nHow are you?<end_of_turn>\n<start_of_turn>model\n")
    }

    @Test func llama3HeaderFormat() throws {
        let template = try #require(ChatTemplate.builtin(architecture: "llama") { $0 == "<|start_header_id|>" })
        let prompt = try template.render(messages: Self.conversation, addGenerationPrompt: true,
                                         bosToken: "<|begin_of_text|>", eosToken: "<|eot_id|>")
        #expect(prompt == "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHow are you?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    }

    @Test func llama2InstFormat() throws {
        let template = try #require(ChatTemplate.builtin(architecture: "llama"))
        let prompt = try template.render(messages: Self.conversation, addGenerationPrompt: true,
                                         bosToken: "<s>", eosToken: "</s>")
        #expect(prompt == "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi! [/INST] Hello. </s><s>[INST] How are you? [/INST]")
    }

    @Test func qwenChatML() throws {
        let template = try #require(ChatTemplate.builtin(architecture: "qwen2"))
        let prompt = try template.render(messages: Array(Self.conversation.dropFirst()), addGenerationPrompt: true,
                                         bosToken: "", eosToken: "<|im_end|>")
        #expect(prompt == "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n"
            + "<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nHow are you?<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func phi3Format() throws {
        let template = try #require(ChatTemplate.builtin(architecture: "phi3"))
        let prompt = try template.render(messages: Self.conversation, addGenerationPrompt: true,
                                         bosToken: "<s>", eosToken: "<|endoftext|>")
        #expect(prompt == "<|system|>\nBe brief.<|end|>\n<|user|>\nHi!<|end|>\n<|assistant|>\nHello.<|end|>\n"
            + "<|user|>\nHow are you?<|end|>\n<|assistant|>\n")
    }
}
