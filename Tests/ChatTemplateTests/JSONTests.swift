// Reading JSON into TemplateValues (key order kept) and the tojson filter's output.

import ChatTemplate
import Testing

struct JSONTests {
    @Test func parsesAllValueKinds() throws {
        let value = try TemplateValue(json: #" {"b": [1, -2.5, 3e2, true, false, null], "a": {"s": "x\"\\\/\n\u00e9\ud83d\ude00"}} "#)
        #expect(value == ["b": [1, -2.5, 300.0, true, false, nil], "a": ["s": "x\"\\/\né😀"]])
        #expect(value.dict?.keys == ["b", "a"])
        #expect(try TemplateValue(json: "12345678901234567890") == .double(12345678901234567890))
        #expect(try TemplateValue(json: "[]") == [])
        #expect(try TemplateValue(json: "{}") == .dict([:]))
    }

    @Test(arguments: ["", "[1,", "{\"a\" 1}", "[1 2]", "tru", "\"unterminated", "{1: 2}", "[1] x", "\"\\q\"", "-", "\"a\u{01}\""])
    func rejectsInvalidJSON(_ text: String) {
        let error = #expect(throws: TemplateError.self) { try TemplateValue(json: text) }
        #expect(error?.kind == .syntax)
    }

    @Test func tojsonMatchesPythonJsonDumps() throws {
        let value = try TemplateValue(json: #"{"name": "get_weather", "parameters": {"type": "object", "required": ["city"], "n": 1.0, "e": []}, "x": "ü\t\u0001"}"#)
        let template = try ChatTemplate("{{ v|tojson }}\n{{ v|tojson(indent=2) }}")
        #expect(try template.render(context: ["v": value]) == """
            {"name": "get_weather", "parameters": {"type": "object", "required": ["city"], "n": 1.0, "e": []}, "x": "ü\\t\\u0001"}
            {
              "name": "get_weather",
              "parameters": {
                "type": "object",
                "required": [
                  "city"
                ],
                "n": 1.0,
                "e": []
              },
              "x": "ü\\t\\u0001"
            }
            """)
    }
}
