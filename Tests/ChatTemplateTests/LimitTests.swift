// A hostile template must fail fast with an error naming the limit it hit, never hang, crash or
// exhaust memory.

import ChatTemplate
import Testing

struct LimitTests {
    /// Renders `source` and returns the limit named by the error it must throw.
    func limitHit(_ source: String, limits: TemplateLimits = .default,
                  context: [String: TemplateValue] = [:]) throws -> String? {
        let template = try ChatTemplate(source, limits: limits)
        let error = #expect(throws: TemplateError.self) { try template.render(context: context) }
        guard case .limitExceeded(let limit)? = error?.kind else { return nil }
        #expect(error?.message.contains(limit) == true)
        return limit
    }

    @Test func nestedHugeLoopsStopAtTheIterationLimit() throws {
        let source = "{% for i in range(1000000) %}{% for j in range(1000000) %}x{% endfor %}{% endfor %}"
        #expect(try limitHit(source) == "maxLoopIterations")
    }

    @Test func iterationLimitIsConfigurable() throws {
        let limits = TemplateLimits(maxLoopIterations: 10)
        #expect(try limitHit("{% for i in range(11) %}{% endfor %}", limits: limits) == "maxLoopIterations")
        #expect(try ChatTemplate("{% for i in range(10) %}.{% endfor %}", limits: limits).render(context: [:]) == "..........")
    }

    @Test func infiniteRecursionStopsAtTheCallDepth() throws {
        #expect(try limitHit("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}") == "maxCallDepth")
    }

    @Test func exponentialMacroCallsStopAtTheIterationLimit() throws {
        let source = "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}"
        #expect(try limitHit(source) == "maxLoopIterations")
    }

    @Test func deepRecursionStopsAtTheRenderDepth() throws {
        let limits = TemplateLimits(maxCallDepth: 100_000)
        let source = "{% macro f(n) %}{% if true %}{% for x in [n] %}{{ f(x + 1) }}{% endfor %}{% endif %}{% endmacro %}{{ f(0) }}"
        #expect(try limitHit(source, limits: limits) == "maxRenderDepth")
    }

    @Test func outputStopsAtTheSizeLimit() throws {
        let limits = TemplateLimits(maxOutputBytes: 10_000)
        #expect(try limitHit("{% for i in range(100000) %}{{ 'xyz' * 10 }}{% endfor %}", limits: limits) == "maxOutputBytes")
    }

    @Test func doublingAStringStopsAtTheSizeLimit() throws {
        let source = "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"
        #expect(try limitHit(source, limits: TemplateLimits(maxWork: .max)) == "maxOutputBytes")
    }

    @Test func hugeRepetitionIsRefusedBeforeAllocating() throws {
        #expect(try limitHit("{{ 'x' * 1000000000000 }}") == "maxOutputBytes")
        #expect(try limitHit("{{ ([0] * 1000000000000)|length }}") == "maxCollectionCount")
        #expect(try limitHit("{{ range(1000000000000)|length }}") == "maxCollectionCount")
        #expect(try limitHit("{{ ('ab' * 1000000)|replace('', 'xxxxxxxxxx') }}") == "maxOutputBytes")
    }

    @Test func largeStringsDoNotExplodeIntoHugeLists() throws {
        let limits = TemplateLimits(maxCollectionCount: 1000)
        #expect(try limitHit("{% for c in 'x' * 5000 %}{% endfor %}", limits: limits) == "maxCollectionCount")
        #expect(try limitHit("{{ ('a ' * 5000).split()|length }}", limits: limits) == "maxCollectionCount")
        #expect(try limitHit("{{ ('a,' * 5000).split(',')|length }}", limits: limits) == "maxCollectionCount")
    }

    @Test func doublingAListStopsAtTheCollectionLimit() throws {
        let source = "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}"
        #expect(try limitHit(source) == "maxCollectionCount")
    }

    @Test func deeplyNestedValuesStopAtTheNestingLimit() throws {
        let source = "{% set ns = namespace(l=[]) %}{% for i in range(10000) %}{% set ns.l = [ns.l] %}{% endfor %}{{ ns.l }}"
        #expect(try limitHit(source) == "maxNestingDepth")
        var deep: TemplateValue = "leaf"
        for _ in 0..<200 { deep = [deep] }
        #expect(try limitHit("{{ x }}", context: ["x": deep]) == "maxNestingDepth")
    }

    @Test func deeplyNestedSourceIsRefusedWhenParsing() {
        let parentheses = "{{ " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " }}"
        let blocks = String(repeating: "{% if true %}", count: 5000) + String(repeating: "{% endif %}", count: 5000)
        let negations = "{{ " + String(repeating: "not ", count: 5000) + "x }}"
        let lists = "{{ " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + " }}"
        for source in [parentheses, blocks, negations, lists] {
            let error = #expect(throws: TemplateError.self) { try ChatTemplate(source) }
            #expect(error?.kind == .limitExceeded(limit: "maxNestingDepth"))
        }
    }

    @Test func integerOverflowIsAnErrorNotACrash() throws {
        for source in ["{{ 2 ** 100 }}", "{{ 9223372036854775807 + 1 }}", "{{ -9223372036854775807 - 2 }}",
                       "{{ 4611686018427387904 * 4 }}", "{{ (-9223372036854775807 - 1) // -1 }}", "{{ 99999999999999999999 }}"] {
            #expect(throws: TemplateError.self) { try ChatTemplate(source).render(context: [:]) }
        }
    }

    @Test func deeplyNestedJSONIsRefused() {
        let json = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: TemplateError.self) { try TemplateValue(json: json) }
    }
}

struct WorkLimitTests {
    /// A small work budget, so the tests stay quick in debug builds; the mechanism is the same.
    static let limits = TemplateLimits(maxWork: 2_000_000)

    @Test func repeatedWorkOnALargeValueStopsAtTheWorkLimit() throws {
        let source = "{% set big = 'x' * 100000 %}{% for i in range(100000) %}{% set n = big|upper %}{% endfor %}"
        let error = #expect(throws: TemplateError.self) { try ChatTemplate(source, limits: Self.limits).render(context: [:]) }
        #expect(error?.kind == .limitExceeded(limit: "maxWork"))
    }

    @Test func scanningALargeListInALoopStopsAtTheWorkLimit() throws {
        let source = "{% set big = range(100000) %}{% for i in range(100000) %}{% if -1 in big %}!{% endif %}{% endfor %}"
        let error = #expect(throws: TemplateError.self) { try ChatTemplate(source, limits: Self.limits).render(context: [:]) }
        #expect(error?.kind == .limitExceeded(limit: "maxWork"))
    }

    @Test func theDefaultWorkLimitLeavesRoomForLongConversations() throws {
        // 400 turns of 1 KB each (about 100k tokens) through Qwen3's template, which looks at every
        // message several times.
        let template = try ChatTemplate(try TestData.templateSource("qwen3"))
        let turn = String(repeating: "word ", count: 200)
        let messages = (0..<400).map { ChatMessage(role: $0 % 2 == 0 ? "user" : "assistant", content: turn) }
        let prompt = try template.render(messages: messages, addGenerationPrompt: true, bosToken: "", eosToken: "<|im_end|>")
        #expect(prompt.utf8.count > 400 * 1000)
    }

    @Test func sharedLargeListsCountEveryCopy() throws {
        let source = "{% set big = range(100000)|list %}{% set many = [big] * 100 %}{{ many == many }}"
        let error = #expect(throws: TemplateError.self) { try ChatTemplate(source).render(context: [:]) }
        #expect(error?.kind == .limitExceeded(limit: "maxCollectionCount"))
    }

    @Test func aNamespaceHoldingItselfPrintsWithoutRecursing() throws {
        let source = "{% set ns = namespace(a=1) %}{% set ns.me = ns %}{{ ns }}"
        #expect(try ChatTemplate(source).render(context: [:]) == "<Namespace {'a': 1, 'me': <Namespace>}>")
        #expect(throws: TemplateError.self) { try ChatTemplate(source + "{{ ns|tojson }}").render(context: [:]) }
    }
}
