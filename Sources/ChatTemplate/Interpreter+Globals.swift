// The global functions a template can call: Jinja's range, namespace and dict, and the two that
// transformers adds, raise_exception and strftime_now (defined only when the caller gives a date).

extension Interpreter {
    static func globalFunctions(date: TemplateDate?) -> [String: Callable] {
        var functions: [String: Callable] = [
            "range": Callable("range") { interpreter, arguments in try interpreter.range(arguments) },
            "namespace": Callable("namespace") { interpreter, arguments in
                var attributes = ValueDict()
                if let first = arguments.positional.first {
                    guard case .dict(let d) = first else { throw TemplateError(.runtime, "namespace() takes a dictionary or keyword arguments") }
                    attributes = d
                }
                for (name, value) in arguments.keyword { attributes[name] = value }
                _ = try interpreter.makeDict(attributes)
                return .namespace(Namespace(attributes))
            },
            "dict": Callable("dict") { interpreter, arguments in
                var d = ValueDict()
                if let first = arguments.positional.first, case .dict(let given) = first { d = given }
                for (name, value) in arguments.keyword { d[name] = value }
                return try interpreter.makeDict(d)
            },
            "raise_exception": Callable("raise_exception") { interpreter, arguments in
                let message = try arguments.positional.first.map { try interpreter.text($0) } ?? ""
                throw TemplateError(.raised, message)
            },
        ]
        if let date {
            functions["strftime_now"] = Callable("strftime_now") { interpreter, arguments in
                let format = try interpreter.text(try interpreter.requiredArgument(arguments, 0, "format", of: "strftime_now"))
                return .string(date.format(format))
            }
        }
        return functions
    }

    /// Python's range(stop) / range(start, stop[, step]) as a list, bounded by the collection limit.
    private func range(_ arguments: Arguments) throws -> Value {
        let numbers = try arguments.positional.map { v -> Int in
            guard let i = v.integer else { throw TemplateError(.runtime, "range() arguments must be integers, not \(v.typeName)") }
            return i
        }
        let (start, stop, step): (Int, Int, Int)
        switch numbers.count {
        case 1: (start, stop, step) = (0, numbers[0], 1)
        case 2: (start, stop, step) = (numbers[0], numbers[1], 1)
        case 3: (start, stop, step) = (numbers[0], numbers[1], numbers[2])
        default: throw TemplateError(.runtime, "range expected 1 to 3 arguments, got \(numbers.count)")
        }
        guard step != 0 else { throw TemplateError(.runtime, "range() arg 3 must not be zero") }
        let span = step > 0 ? Double(stop) - Double(start) : Double(start) - Double(stop)
        let count = span <= 0 ? 0 : (span / Double(abs(step))).rounded(.up)
        guard count <= Double(limits.maxCollectionCount) else { try checkCount(Int.max); return .none }
        var items: [Value] = []
        items.reserveCapacity(Int(count))
        var i = start
        for _ in 0..<Int(count) {
            items.append(.int(i))
            i = i &+ step
        }
        return .list(ValueList(flat: items))
    }
}
