// The parsed form of a template: statements (nodes) holding expressions. Parsing happens once, in
// ChatTemplate.init; rendering walks this tree.

/// A literal written in the template.
enum Constant: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
}

enum UnaryOperator: Sendable { case negate, plus }

enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%"
    case power = "**", concat = "~"
}

enum ComparisonOperator: String, Sendable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case contains = "in", notContains = "not in"
}

/// Arguments written at a call site: `f(a, b, key=value)`.
struct ArgumentExpressions: Sendable {
    var positional: [Expression] = []
    var keyword: [(name: String, value: Expression)] = []
}

/// An expression.
indirect enum Expression: Sendable {
    case constant(Constant)
    case name(String, SourceLocation)
    case list([Expression])
    case tuple([Expression])
    case dict([(key: Expression, value: Expression)])
    case attribute(Expression, String, SourceLocation)
    case item(Expression, Expression, SourceLocation)
    case slice(Expression, start: Expression?, stop: Expression?, step: Expression?, SourceLocation)
    case call(Expression, ArgumentExpressions, SourceLocation)
    case filter(Expression, name: String, ArgumentExpressions, SourceLocation)
    case test(Expression, name: String, ArgumentExpressions, negated: Bool, SourceLocation)
    case unary(UnaryOperator, Expression, SourceLocation)
    case binary(BinaryOperator, Expression, Expression, SourceLocation)
    case and(Expression, Expression)
    case or(Expression, Expression)
    case not(Expression)
    case compare(Expression, [(op: ComparisonOperator, operand: Expression)], SourceLocation)
    case conditional(condition: Expression, then: Expression, otherwise: Expression?)
}

/// What `set`, `for` and `with` assign to.
enum AssignTarget: Sendable {
    case name(String)
    /// `ns.attribute`
    case attribute(String, String)
    /// `a, b` unpacking
    case tuple([String])
}

/// A filter applied by `{% filter %}` or `{% set x | f %}`.
struct FilterApplication: Sendable {
    var name: String
    var arguments: ArgumentExpressions
    var location: SourceLocation
}

struct MacroParameter: Sendable {
    var name: String
    var defaultValue: Expression?
}

struct ForLoop: Sendable {
    var target: AssignTarget
    var iterable: Expression
    var condition: Expression?
    var body: [Node]
    var otherwise: [Node]
    var location: SourceLocation
}

struct MacroDefinition: Sendable {
    var name: String
    var parameters: [MacroParameter]
    var body: [Node]
    var location: SourceLocation
}

/// `{% call(params) macro(args) %}body{% endcall %}`: the body becomes the macro's `caller()`.
struct CallBlock: Sendable {
    var call: Expression
    var parameters: [MacroParameter]
    var body: [Node]
    var location: SourceLocation
}

/// A statement or piece of output.
indirect enum Node: Sendable {
    case text(String)
    case output(Expression, SourceLocation)
    case conditional(branches: [(condition: Expression, body: [Node])], otherwise: [Node])
    case forLoop(ForLoop)
    case assign(AssignTarget, Expression, SourceLocation)
    /// `{% set name %}body{% endset %}`
    case capture(AssignTarget, filters: [FilterApplication], body: [Node], SourceLocation)
    case macro(MacroDefinition)
    case callBlock(CallBlock)
    case filterBlock([FilterApplication], body: [Node])
    case loopControl(isBreak: Bool)
    /// `{% with a = 1 %}body{% endwith %}`
    case scope(assignments: [(AssignTarget, Expression)], body: [Node], SourceLocation)
    /// Nodes rendered in place (the body of transformers' `{% generation %}` tag).
    case group([Node])
}
