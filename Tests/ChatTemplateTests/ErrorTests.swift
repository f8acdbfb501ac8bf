// Errors a template author sees: syntax errors name the line and column where parsing failed,
// runtime errors the line of the tag that failed, and raise_exception's message comes through as is.

import ChatTemplate
import Testing

struct ErrorTests {
    func syntaxError(_ source: String) -> TemplateError? {
        let error = #expect(throws: TemplateError.self) { try ChatTemplate(source) }
        #expect(error?.kind == .syntax)
        return error
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        let error = syntaxError("line one\n  {{ 1 + }}")
        #expect(error?.line == 2)
        #expect(error?.column == 10)
        #expect(error?.description.hasPrefix("template syntax error at line 2, column 10: ") == true)
    }

    @Test(arguments: [
        ("{% if x %}never closed", 1, 1),
        ("ok\n{% for x in y %}\n{% endif %}", 3, 1),
        ("{% endfor %}", 1, 1),
        ("a {{ 'unterminated }}", 1, 6),
        ("\n\n   {% frobnicate %}", 3, 4),
        ("{# never closed", 1, 1),
        ("{{ x | }}", 1, 8),
        ("{{ x ) }}", 1, 6),
        ("{{ }}", 1, 1),
        ("{% set %}", 1, 8),
        ("{% for in x %}{% endfor %}", 1, 11),
        ("{% break %}", 1, 1),
        ("{{ x[1:2:3:4] }}", 1, 11),
        ("{{ 'a' ? }}", 1, 8),
        ("{% include 'other.jinja' %}", 1, 1),
        ("{% raw %}no end", 1, 1),
    ])
    func syntaxErrorPositions(source: String, line: Int, column: Int) {
        let error = syntaxError(source)
        #expect(error?.line == line)
        #expect(error?.column == column)
    }

    @Test func runtimeErrorsNameTheLine() throws {
        let template = try ChatTemplate("fine\n{{ 'a' }}\n{{ missing.attribute }}")
        let error = #expect(throws: TemplateError.self) { try template.render(context: [:]) }
        #expect(error?.kind == .runtime)
        #expect(error?.line == 3)
        #expect(error?.message == "'missing' is undefined")
    }

    @Test func raiseExceptionKeepsItsMessage() throws {
        let template = try ChatTemplate("{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}")
        let error = #expect(throws: TemplateError.self) {
            try template.render(messages: [ChatMessage(role: "system", content: "x")], addGenerationPrompt: true,
                                bosToken: "", eosToken: "")
        }
        #expect(error?.kind == .raised)
        #expect(error?.message == "System role not supported")
        #expect(error?.line == 1)
        #expect(error?.description == "template raised an exception at line 1, column 41: System role not supported")
    }

    @Test func raiseExceptionInsideAMacroPropagates() throws {
        let template = try ChatTemplate("{% macro check(x) %}{% if not x %}{{ raise_exception('empty: ' ~ x|tojson) }}{% endif %}{% endmacro %}{{ check('') }}")
        let error = #expect(throws: TemplateError.self) { try template.render(context: [:]) }
        #expect(error?.message == "empty: \"\"")
    }

    @Test func unknownFiltersAndTestsAreRuntimeErrors() throws {
        for source in ["{{ x|nonexistent }}", "{{ x is nonexistent }}", "{{ 1 is divisibleby 0 }}"] {
            let error = #expect(throws: TemplateError.self) { try ChatTemplate(source).render(context: ["x": 1]) }
            #expect(error?.kind == .runtime)
        }
    }
}
