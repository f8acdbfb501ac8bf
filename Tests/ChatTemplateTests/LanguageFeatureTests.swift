// One small template per language feature (output, whitespace control, if, for and its loop
// variables, set, namespace, macros, call blocks, operators, subscripts and slices, tests, filters,
// string and dictionary methods, raise_exception, strftime_now, and the errors Jinja raises),
// compared with Jinja2's rendering (Templates/features.json, made by Templates/make_features.py).

import ChatTemplate
import Testing

struct FeatureCase: Sendable, CustomStringConvertible {
    var name: String
    var source: String
    var context: [String: TemplateValue]
    var expected: String?
    /// The message of raise_exception, when the template raises.
    var raised: String?
    /// The Python exception Jinja2 failed with, when it fails otherwise.
    var failure: String?

    var description: String { name }

    static func load() -> [FeatureCase] {
        guard let text = try? TestData.text("features.json"), let document = try? TemplateValue(json: text),
              let cases = document["cases"]?.list else { return [] }
        return cases.compactMap { item in
            guard let name = item["name"]?.string, let source = item["source"]?.string,
                  let context = item["context"]?.dict else { return nil }
            var variables: [String: TemplateValue] = [:]
            for (key, value) in context.entries { variables[key] = value }
            return FeatureCase(name: name, source: source, context: variables, expected: item["expected"]?.string,
                               raised: item["error"]?.string, failure: item["failure"]?.string)
        }
    }
}

struct LanguageFeatureTests {
    static let cases = FeatureCase.load()

    @Test func featureCasesArePresent() {
        #expect(Self.cases.count >= 100)
    }

    @Test(arguments: cases)
    func rendersLikeJinja2(_ feature: FeatureCase) throws {
        let template = try ChatTemplate(feature.source)
        if let expected = feature.expected {
            #expect(try template.render(context: feature.context, date: TestData.date) == expected)
        } else if let raised = feature.raised {
            let error = #expect(throws: TemplateError.self) { try template.render(context: feature.context, date: TestData.date) }
            #expect(error?.kind == .raised)
            #expect(error?.message == raised)
        } else {
            let error = #expect(throws: TemplateError.self) { try template.render(context: feature.context, date: TestData.date) }
            #expect(error?.kind == .runtime, "Jinja2 failed with \(feature.failure ?? "?")")
        }
    }
}
