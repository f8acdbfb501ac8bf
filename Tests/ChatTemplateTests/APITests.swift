// The public API around rendering: what render(messages:) gives the template, how extra variables
// override it, strftime_now and dates, and the TemplateValue / TemplateDictionary types.

import ChatTemplate
import Testing

struct APITests {
    static let echo = """
        {{ bos_token }}|{{ eos_token }}|{{ add_generation_prompt }}|{{ tools }}|{{ tools is defined }}|\
        {% for m in messages %}{{ m.role }}={{ m['content'] }};{% endfor %}|{{ custom|default('-') }}
        """

    @Test func renderMessagesProvidesTheStandardVariables() throws {
        let output = try ChatTemplate(Self.echo).render(
            messages: [ChatMessage(role: "user", content: "Hi"), ChatMessage(role: "assistant", content: "Yo")],
            addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
        #expect(output == "<s>|</s>|True|None|True|user=Hi;assistant=Yo;|-")
    }

    @Test func extraVariablesAddAndOverride() throws {
        let tools: TemplateValue = [["type": "function", "function": ["name": "f"]]]
        let output = try ChatTemplate(Self.echo).render(
            messages: [], addGenerationPrompt: false, bosToken: "<s>", eosToken: "</s>",
            extra: ["tools": tools, "custom": 42, "eos_token": "<end>"])
        #expect(output == "<s>|<end>|False|[{'type': 'function', 'function': {'name': 'f'}}]|True||42")
    }

    @Test func strftimeNowIsDefinedOnlyWithADate() throws {
        let template = try ChatTemplate("{% if strftime_now is defined %}{{ strftime_now('%d %b %Y') }}{% else %}no date{% endif %}")
        #expect(try template.render(context: [:]) == "no date")
        #expect(try template.render(context: [:], date: TemplateDate(year: 2024, month: 2, day: 29)) == "29 Feb 2024")
    }

    @Test(arguments: [
        (TemplateDate(year: 2025, month: 3, day: 14, hour: 9, minute: 26, second: 53), "%A %a %B %b %d %e %m %Y %y %H %I %M %S %p %j %%",
         "Friday Fri March Mar 14 14 03 2025 25 09 09 26 53 AM 073 %"),
        (TemplateDate(year: 2000, month: 1, day: 1), "%A %j", "Saturday 001"),
        (TemplateDate(year: 2024, month: 12, day: 31, hour: 23), "%a %j %I%p", "Tue 366 11PM"),
        (TemplateDate(year: 1970, month: 1, day: 1, hour: 12), "%A %I %p", "Thursday 12 PM"),
    ])
    func dateFormatting(date: TemplateDate, format: String, expected: String) {
        #expect(date.format(format) == expected)
    }

    @Test func currentDateIsPlausible() {
        let now = TemplateDate.now()
        #expect(now.year >= 2024)
        #expect((1...12).contains(now.month))
        #expect((1...31).contains(now.day))
    }

    @Test func messagesAsTemplateValues() throws {
        let message = ChatMessage(role: "user", content: "Hello")
        #expect(message.templateValue == ["role": "user", "content": "Hello"])
        let parts: TemplateValue = ["role": "user", "content": [["type": "text", "text": "a"], ["type": "image"]]]
        let template = try ChatTemplate("{% for p in messages[0].content %}{{ p.type }}{% endfor %}")
        #expect(try template.render(context: ["messages": [parts]]) == "textimage")
    }

    @Test func dictionariesKeepInsertionOrder() throws {
        var dict: TemplateDictionary = ["z": 1, "a": 2]
        dict["m"] = 3
        dict["z"] = 4
        #expect(dict.keys == ["z", "a", "m"])
        #expect(dict["z"] == 4)
        dict["a"] = nil
        #expect(dict.keys == ["z", "m"])
        #expect(dict.count == 2)
        #expect(dict == ["m": 3, "z": 4])   // equality ignores order, as in Python
        let output = try ChatTemplate("{{ d|tojson }} {% for k, v in d.items() %}{{ k }}{% endfor %}").render(context: ["d": .dict(dict)])
        #expect(output == "{\"z\": 4, \"m\": 3} zm")
    }

    @Test func templatesAreReusableAndSendable() async throws {
        let template = try ChatTemplate("{{ messages|length }}")
        let counts = try await withThrowingTaskGroup(of: String.self) { group in
            for n in 0..<8 {
                group.addTask {
                    try template.render(messages: Array(repeating: ChatMessage(role: "user", content: "x"), count: n),
                                        addGenerationPrompt: false, bosToken: "", eosToken: "")
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(counts == Set((0..<8).map(String.init)))
    }

    @Test func generationTagRendersItsBody() throws {
        // transformers' {% generation %} marks assistant text for training masks; rendering keeps it.
        let template = try ChatTemplate("{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}[{{ m.content }}]{% endif %}{% endfor %}")
        let output = try template.render(messages: [ChatMessage(role: "user", content: "q"), ChatMessage(role: "assistant", content: "a")],
                                         addGenerationPrompt: false, bosToken: "", eosToken: "")
        #expect(output == "[q]a")
    }
}
