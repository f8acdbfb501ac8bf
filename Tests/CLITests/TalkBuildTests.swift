// `llmpack build` flags for talking: --chat-template (checked on a test conversation, refused with
// the template's error), --port, --parallel, --default-args (checked by the runner), --ctx,
// --temp, --system. The runner applies these defaults unless its command line says otherwise.
import Foundation
import Testing

extension TalkTests {
    @Suite struct BuildFlags {
        /// Gemma's turn format with a preamble, so its prompts are longer than the built-in one's.
        static let customTemplate = """
        {{ bos_token }}Custom template in use.
        {% for message in messages %}<start_of_turn>{{ 'model' if message.role == 'assistant' else message.role }}
        {{ message.content | trim }}<end_of_turn>
        {% endfor %}{% if add_generation_prompt %}<start_of_turn>model
        {% endif %}
        """

        func build(_ folder: String, _ extra: [String]) throws -> (Outcome, String) {
            let output = folder + "/custom.run"
            return (try run(llmpackPath, ["build", Talk.model, "-o", output, "--no-selftest"] + extra), output)
        }

        @Test(.enabled(if: Talk.hasModel, "needs the default model (scripts/fetch-model)"))
        func badTemplatesAndArgumentsAreRefused() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let cases: [(template: String?, args: String?, mentioning: String)] = [
                ("{% for message in messages %}{{ message.content }", nil, "chat template"),
                ("{{ raise_exception('Conversation roles must alternate') }}", nil, "Conversation roles must alternate"),
                ("Hello, {{ messages | length }} messages.", nil, "leaves out the messages"),
                (nil, "--no-such-flag 3", "--no-such-flag"),
                (nil, "--temp hot", "hot"),
                (nil, "--system \"unclosed", "unclosed"),
            ]
            for (template, args, mentioning) in cases {
                var extra: [String] = []
                if let template {
                    let path = folder + "/t.jinja"
                    try template.write(toFile: path, atomically: true, encoding: .utf8)
                    extra += ["--chat-template", path]
                }
                if let args { extra += ["--default-args", args] }
                let (outcome, output) = try build(folder, extra)
                expectFailure(outcome, mentioning: mentioning)
                #expect(!FileManager.default.fileExists(atPath: output), "no bundle is written")
            }
        }

        @Test(.enabled(if: Talk.hasModel, "needs the default model (scripts/fetch-model)"))
        func bakedDefaultsApplyAndTheCommandLineOverrides() throws {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let templatePath = folder + "/custom.jinja"
            try Self.customTemplate.write(toFile: templatePath, atomically: true, encoding: .utf8)
            let (built, bundle) = try build(folder, [
                "--chat-template", templatePath, "--port", "0", "--parallel", "2", "--ctx", "384", "--temp", "0",
                "--system", "Be brief.", "--default-args", "-n 5 --top-k 3 -t 2",
            ])
            try #require(built.status == 0, "\(built)")

            // --info names the packed template and the server defaults.
            let described = try run(bundle, ["--info"])
            #expect(described.status == 0, "\(described)")
            for text in ["Chat template:", "packed at build time", "port 0, 2 parallel requests"] {
                #expect(described.stdout.contains(text), "\(text) in \(described.stdout)")
            }

            // Chat: every default in /info, and a reply of at most 5 tokens.
            let defaults = try Talk.runWithInput(bundle, ["--chat"], input: "Hi!\n/info\n")
            #expect(defaults.status == 0, "\(defaults)")
            let info = try #require(ChatInfo.all(in: defaults.stdout).first, "\(defaults)")
            #expect(info.template == "packed at build time")
            #expect(info.contextSize == 384)
            #expect(info.systemPrompt == "Be brief.")
            #expect(info.sampling.contains("temp 0.0") && info.sampling.contains("top_k 3"), "\(info.sampling)")
            #expect((info.lastGenerated ?? 99) <= 5)

            // The command line wins over each of them.
            let overrides = try Talk.runWithInput(bundle, ["--chat", "-c", "200", "--temp", "0.7", "--top-k", "9", "-n", "2", "--system", "Other."],
                                                  input: "Hi!\n/info\n")
            #expect(overrides.status == 0, "\(overrides)")
            let changed = try #require(ChatInfo.all(in: overrides.stdout).first, "\(overrides)")
            #expect(changed.contextSize == 200)
            #expect(changed.systemPrompt == "Other.")
            #expect(changed.sampling.contains("temp 0.7") && changed.sampling.contains("top_k 9"), "\(changed.sampling)")
            #expect((changed.lastGenerated ?? 99) <= 2)

            // Server: port 0 (a free one) and 2 slots, unless told otherwise; the packed template
            // makes longer prompts than the model's built-in one.
            let server = try RunningServer(bundle: bundle, ["--server"])
            defer { server.stop() }
            #expect(server.port > 0 && server.port != 8080, "\(server.url)")
            let health = try Talk.object(try Talk.curl(server.url, "/health").body)
            #expect(health["slots_idle"] as? Int == 2, "\(health)")
            let request = #"{"messages":[{"role":"system","content":"S"},{"role":"user","content":"Hi"}],"max_tokens":1}"#
            let custom = try Talk.object(try Talk.curl(server.url, "/v1/chat/completions", json: request).body)
            // A request without a system message gets the packed one ("Be brief.", longer than "S").
            let withoutSystem = try Talk.object(try Talk.curl(server.url, "/v1/chat/completions",
                                                              json: #"{"messages":[{"role":"user","content":"Hi"}],"max_tokens":1}"#).body)
            server.stop()
            let withS = try #require((custom["usage"] as? [String: Any])?["prompt_tokens"] as? Int, "\(custom)")
            let withPacked = try #require((withoutSystem["usage"] as? [String: Any])?["prompt_tokens"] as? Int, "\(withoutSystem)")
            #expect(withPacked > withS, "packed system prompt: \(withPacked) tokens; system \"S\": \(withS)")

            let plain = try RunningServer(bundle: try Talk.bundle.get(), ["--server", "--port", "0", "--parallel", "1"])
            defer { plain.stop() }
            let plainHealth = try Talk.object(try Talk.curl(plain.url, "/health").body)
            #expect(plainHealth["slots_idle"] as? Int == 1, "\(plainHealth)")
            let builtin = try Talk.object(try Talk.curl(plain.url, "/v1/chat/completions", json: request).body)
            let customTokens = try #require((custom["usage"] as? [String: Any])?["prompt_tokens"] as? Int, "\(custom)")
            let builtinTokens = try #require((builtin["usage"] as? [String: Any])?["prompt_tokens"] as? Int, "\(builtin)")
            #expect(customTokens > builtinTokens + 3, "custom template \(customTokens) tokens, built-in \(builtinTokens)")
        }
    }
}
