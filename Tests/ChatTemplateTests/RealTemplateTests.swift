// The chat templates of popular models (Gemma 2/3, Llama 2/3.1/3.2, Qwen2/2.5/3, Mistral v0.3,
// Phi-3/3.5, Zephyr, TinyLlama, SmolLM2) rendered for many conversations and compared byte for
// byte with what Jinja2 renders under transformers' settings (Templates/cases.json, made by
// Templates/make_cases.py).

import ChatTemplate
import Testing

struct RealTemplateTests {
    static let cases = GoldenCase.load("cases.json")

    @Test func goldenCasesArePresent() {
        #expect(Self.cases.count >= 70)
        #expect(Set(Self.cases.map(\.template)).count >= 14)
    }

    @Test(arguments: cases)
    func rendersLikeJinja2(_ golden: GoldenCase) throws {
        let template = try ChatTemplate(try TestData.templateSource(golden.template))
        if let expected = golden.expected {
            let output = try template.render(context: golden.context, date: TestData.date)
            #expect(output == expected)
        } else {
            let error = #expect(throws: TemplateError.self) {
                try template.render(context: golden.context, date: TestData.date)
            }
            #expect(error?.kind == .raised)
            #expect(error?.message == golden.error)
        }
    }
}
