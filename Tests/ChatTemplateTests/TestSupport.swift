// Shared helpers for the chat template tests: where the test data lives, and loading it.

import ChatTemplate
import Foundation

enum TestData {
    /// Tests/ChatTemplateTests/Templates, found from this file's path.
    static let templates: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Templates")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
    }

    /// The template source stored as `<name>.jinja`.
    static func templateSource(_ name: String) throws -> String {
        try text(name + ".jinja")
    }

    /// The date the golden cases were rendered with (make_cases.py's NOW).
    static let date = TemplateDate(year: 2025, month: 3, day: 14, hour: 9, minute: 26, second: 53)
}

/// One case of a JSON file made by a Jinja2 script: a template, its variables, and what Jinja2
/// rendered (or the message of the exception it raised).
struct GoldenCase: Sendable, CustomStringConvertible {
    var name: String
    var template: String
    var context: [String: TemplateValue]
    var expected: String?
    var error: String?

    var description: String { name }

    /// The cases of `file`, read with the module's own JSON reader (it keeps key order, which the
    /// expected `tojson` output depends on).
    static func load(_ file: String) -> [GoldenCase] {
        guard let text = try? TestData.text(file), let document = try? TemplateValue(json: text),
              let cases = document["cases"]?.list else { return [] }
        return cases.compactMap { item in
            guard let name = item["name"]?.string, let context = item["context"]?.dict else { return nil }
            var variables: [String: TemplateValue] = [:]
            for (key, value) in context.entries { variables[key] = value }
            return GoldenCase(name: name, template: item["template"]?.string ?? "", context: variables,
                              expected: item["expected"]?.string, error: item["error"]?.string)
        }
    }
}
