// Renders a parsed template: runs the statements, keeps Jinja's scopes (a for-loop iteration and a
// macro call get their own scope; if-blocks do not), and enforces the limits of TemplateLimits.

final class Interpreter {
    let limits: TemplateLimits
    /// Variables the caller passed, plus the global functions.
    private var globals: [String: Value]
    /// Local scopes, innermost last; frames[0] holds the template's top-level assignments.
    private var frames: [[String: Value]] = [[:]]
    /// Output buffers; macros, `set` blocks and filter blocks render into a buffer of their own.
    private var buffers: [String] = [""]
    private var iterations = 0
    private var callDepth = 0
    private var renderDepth = 0
    private var work = 0

    /// How a list of statements finished.
    enum Flow {
        case normal, breakLoop, continueLoop
    }

    init(context: [String: Value], limits: TemplateLimits, date: TemplateDate?) {
        self.limits = limits
        globals = context
        for (name, function) in Interpreter.globalFunctions(date: date) where globals[name] == nil {
            globals[name] = .callable(function)
        }
    }

    func render(_ nodes: [Node]) throws -> String {
        _ = try execute(nodes)
        return buffers[0]
    }

    // MARK: - Limits

    /// Adds `units` to the work done; past maxWork the render stops.
    func charge(_ units: Int) throws {
        work = work.addingReportingOverflow(units).overflow ? Int.max : work + units
        guard work <= limits.maxWork else {
            throw TemplateError(.limitExceeded(limit: "maxWork"),
                                "the render did more than maxWork (\(limits.maxWork)) units of work")
        }
    }

    func countIteration() throws {
        try charge(1)
        iterations += 1
        guard iterations <= limits.maxLoopIterations else {
            throw TemplateError(.limitExceeded(limit: "maxLoopIterations"),
                                "more than maxLoopIterations (\(limits.maxLoopIterations)) loop iterations and macro calls")
        }
    }

    /// Runs `body` one level deeper in the renderer's recursion, failing past maxRenderDepth.
    @inline(__always)
    func deeper<T>(_ body: () throws -> T) throws -> T {
        renderDepth += 1
        defer { renderDepth -= 1 }
        guard renderDepth <= limits.maxRenderDepth else {
            throw TemplateError(.limitExceeded(limit: "maxRenderDepth"),
                                "rendering nested deeper than maxRenderDepth (\(limits.maxRenderDepth)): runaway recursion?")
        }
        return try body()
    }

    /// A string value, refused if longer than maxOutputBytes.
    func makeString(_ s: String) throws -> Value {
        guard s.utf8.count <= limits.maxOutputBytes else { throw TemplateError.outputLimit(limits.maxOutputBytes) }
        return .string(s)
    }

    /// A list value, refused if it has too many elements or nests too deeply.
    func makeList(_ items: [Value], isTuple: Bool = false) throws -> Value {
        try checkCount(items.count)
        let list = ValueList(items, isTuple: isTuple)
        try checkCount(list.size)
        guard list.depth <= limits.maxNestingDepth else { throw TemplateError.nestingLimit(limits.maxNestingDepth) }
        return .list(list)
    }

    func makeDict(_ dict: ValueDict) throws -> Value {
        try checkCount(dict.size)
        guard dict.depth <= limits.maxNestingDepth else { throw TemplateError.nestingLimit(limits.maxNestingDepth) }
        return .dict(dict)
    }

    func checkCount(_ count: Int) throws {
        guard count <= limits.maxCollectionCount else {
            throw TemplateError(.limitExceeded(limit: "maxCollectionCount"),
                                "a list or dictionary of more than maxCollectionCount (\(limits.maxCollectionCount)) elements")
        }
    }

    // MARK: - Output and scopes

    func write(_ text: String) throws {
        try charge(text.utf8.count)
        buffers[buffers.count - 1] += text
        if buffers[buffers.count - 1].utf8.count > limits.maxOutputBytes {
            throw TemplateError.outputLimit(limits.maxOutputBytes)
        }
    }

    /// Renders `body` into a fresh buffer and returns what it wrote.
    func capture(_ body: () throws -> Void) throws -> String {
        buffers.append("")
        defer { buffers.removeLast() }
        try body()
        return buffers[buffers.count - 1]
    }

    func lookup(_ name: String) -> Value {
        for frame in frames.reversed() {
            if let value = frame[name] { return value }
        }
        return globals[name] ?? .undefinedName(name)
    }

    func setLocal(_ name: String, _ value: Value) {
        frames[frames.count - 1][name] = value
    }

    /// Runs `body` in a new innermost scope.
    func inScope<T>(_ initial: [String: Value] = [:], _ body: () throws -> T) rethrows -> T {
        frames.append(initial)
        defer { frames.removeLast() }
        return try body()
    }

    /// Runs `body` with the scope stack replaced by `replacement`.
    func withFrames<T>(_ replacement: [[String: Value]], _ body: () throws -> T) rethrows -> T {
        let saved = frames
        frames = replacement
        defer { frames = saved }
        return try body()
    }


    func assign(_ target: AssignTarget, _ value: Value) throws {
        switch target {
        case .name(let name):
            setLocal(name, value)
        case .attribute(let object, let attribute):
            guard case .namespace(let ns) = lookup(object) else {
                throw TemplateError(.runtime, "cannot assign attribute '\(attribute)' on '\(object)': it is not a namespace")
            }
            ns.attributes[attribute] = value
            guard ns.attributes.depth <= limits.maxNestingDepth else { throw TemplateError.nestingLimit(limits.maxNestingDepth) }
            try checkCount(ns.attributes.size)
        case .tuple(let names):
            let items = try iterate(value)
            guard items.count == names.count else {
                throw TemplateError(.runtime, items.count > names.count
                    ? "too many values to unpack (expected \(names.count))"
                    : "not enough values to unpack (expected \(names.count), got \(items.count))")
            }
            for (name, item) in zip(names, items) { setLocal(name, item) }
        }
    }

    // MARK: - Statements

    func execute(_ nodes: [Node]) throws -> Flow {
        try deeper {
            for node in nodes {
                let flow = try execute(node)
                if flow != .normal { return flow }
            }
            return .normal
        }
    }

    private func execute(_ node: Node) throws -> Flow {
        switch node {
        case .text(let text):
            try write(text)
        case .output(let expression, let location):
            do {
                try write(try evaluate(expression).text(limit: limits.maxOutputBytes))
            } catch let error as TemplateError {
                throw error.located(at: location)
            }
        case .conditional(let branches, let otherwise):
            for branch in branches where try evaluate(branch.condition).isTruthy {
                return try execute(branch.body)
            }
            return try execute(otherwise)
        case .forLoop(let loop):
            do {
                return try executeFor(loop)
            } catch let error as TemplateError {
                throw error.located(at: loop.location)
            }
        case .assign(let target, let expression, let location):
            do {
                try assign(target, try evaluate(expression))
            } catch let error as TemplateError {
                throw error.located(at: location)
            }
        case .capture(let target, let filters, let body, let location):
            do {
                var value = Value.string(try capture { _ = try execute(body) })
                for filter in filters {
                    value = try applyFilter(filter.name, value, try evaluateArguments(filter.arguments))
                }
                try assign(target, value)
            } catch let error as TemplateError {
                throw error.located(at: location)
            }
        case .macro(let definition):
            setLocal(definition.name, .callable(Callable(definition.name) { interpreter, arguments in
                try interpreter.callMacro(definition, arguments)
            }))
        case .callBlock(let block):
            do {
                try executeCallBlock(block)
            } catch let error as TemplateError {
                throw error.located(at: block.location)
            }
        case .filterBlock(let filters, let body):
            var value = Value.string(try capture { _ = try execute(body) })
            for filter in filters {
                do {
                    value = try applyFilter(filter.name, value, try evaluateArguments(filter.arguments))
                } catch let error as TemplateError {
                    throw error.located(at: filter.location)
                }
            }
            try write(try value.text(limit: limits.maxOutputBytes))
        case .loopControl(let isBreak):
            return isBreak ? .breakLoop : .continueLoop
        case .scope(let assignments, let body, let location):
            return try inScope {
                do {
                    for (target, expression) in assignments { try assign(target, try evaluate(expression)) }
                } catch let error as TemplateError {
                    throw error.located(at: location)
                }
                return try execute(body)
            }
        case .group(let nodes):
            return try execute(nodes)
        }
        return .normal
    }

    private func executeFor(_ loop: ForLoop) throws -> Flow {
        var items = try iterate(try evaluate(loop.iterable))
        if let condition = loop.condition {
            items = try items.filter { item in
                try inScope {
                    try assign(loop.target, item)
                    return try evaluate(condition).isTruthy
                }
            }
        }
        if items.isEmpty {
            return try inScope { try execute(loop.otherwise) }
        }
        let context = LoopContext(items: items)
        return try inScope {
            for (index, item) in items.enumerated() {
                try countIteration()
                context.index = index
                frames[frames.count - 1] = ["loop": .loop(context)]
                try assign(loop.target, item)
                if try execute(loop.body) == .breakLoop { break }
            }
            return .normal
        }
    }

    /// The elements a for loop (or unpacking) visits: list items, dictionary keys, string characters.
    func iterate(_ value: Value) throws -> [Value] {
        switch value {
        case .list(let l): return l.items
        case .dict(let d): return d.keys.map { .string($0) }
        case .string(let s):
            try checkCount(s.unicodeScalars.count)
            return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        case .namespace(let ns): return ns.attributes.keys.map { .string($0) }
        default: throw TemplateError(.runtime, "'\(value.typeName)' object is not iterable")
        }
    }

    // MARK: - Macros

    /// Calls `macro`; its body sees the template's top-level scope (or `enclosing`, for a call
    /// block's `caller`) and a scope of its own holding the arguments.
    func callMacro(_ macro: MacroDefinition, _ arguments: Arguments, enclosing: [[String: Value]]? = nil) throws -> Value {
        callDepth += 1
        defer { callDepth -= 1 }
        guard callDepth <= limits.maxCallDepth else {
            throw TemplateError(.limitExceeded(limit: "maxCallDepth"),
                                "macro calls nested deeper than maxCallDepth (\(limits.maxCallDepth))")
        }
        try countIteration()
        let names = Set(macro.parameters.map(\.name))
        var frame: [String: Value] = [:]
        if arguments.positional.count > macro.parameters.count {
            frame["varargs"] = try makeList(Array(arguments.positional[macro.parameters.count...]), isTuple: true)
        } else {
            frame["varargs"] = .list(ValueList([], isTuple: true))
        }
        var kwargs = ValueDict()
        for (name, value) in arguments.keyword where !names.contains(name) {
            if name == "caller" { frame["caller"] = value } else { kwargs[name] = value }
        }
        frame["kwargs"] = .dict(kwargs)
        let output = try withFrames((enclosing ?? [frames[0]]) + [frame]) {
            for (i, parameter) in macro.parameters.enumerated() {
                if i < arguments.positional.count {
                    setLocal(parameter.name, arguments.positional[i])
                } else if let keyword = arguments.keyword.first(where: { $0.name == parameter.name }) {
                    setLocal(parameter.name, keyword.value)
                } else if let defaultValue = parameter.defaultValue {
                    setLocal(parameter.name, try evaluate(defaultValue))
                } else {
                    setLocal(parameter.name, .undefined(reason: "parameter '\(parameter.name)' of macro '\(macro.name)' was not given"))
                }
            }
            return try capture { _ = try execute(macro.body) }
        }
        return .string(output)
    }

    private func executeCallBlock(_ block: CallBlock) throws {
        guard case .call(let calleeExpression, let argumentExpressions, _) = block.call else { return }
        let callee = try evaluate(calleeExpression)
        var arguments = try evaluateArguments(argumentExpressions)
        let callSite = frames
        let caller = MacroDefinition(name: "caller", parameters: block.parameters, body: block.body, location: block.location)
        arguments.keyword.append(("caller", .callable(Callable("caller") { interpreter, callerArguments in
            try interpreter.callMacro(caller, callerArguments, enclosing: callSite)
        })))
        try write(try call(callee, arguments).text(limit: limits.maxOutputBytes))
    }
}
