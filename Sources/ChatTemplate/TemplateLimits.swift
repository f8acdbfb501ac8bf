// Bounds on what one render may do, so that a hostile template found in a model file cannot hang the
// program or exhaust its memory. Each violation is a thrown TemplateError naming the limit.

/// Safety limits applied while parsing and rendering a template.
public struct TemplateLimits: Sendable, Equatable {
    /// Largest string the template may produce: the rendered text, or any string it builds.
    public var maxOutputBytes: Int
    /// Total for-loop iterations plus macro calls in one render.
    public var maxLoopIterations: Int
    /// Deepest nesting of macro calls (recursion included).
    public var maxCallDepth: Int
    /// Deepest nesting of blocks and expressions in the source, and of lists and dictionaries in values.
    public var maxNestingDepth: Int
    /// Most elements in one list, dictionary or range, counting those of nested lists and dictionaries.
    public var maxCollectionCount: Int
    /// Deepest recursion of the renderer: blocks, expressions and macro calls nested at run time.
    public var maxRenderDepth: Int
    /// Total work of one render: every value an expression produces costs its bytes (strings) or
    /// elements (lists, dictionaries), every loop iteration and written byte costs one. This bounds
    /// the time a render takes even when each step handles large values.
    public var maxWork: Int

    public init(maxOutputBytes: Int = 16 << 20, maxLoopIterations: Int = 100_000, maxCallDepth: Int = 64,
                maxNestingDepth: Int = 100, maxCollectionCount: Int = 1_000_000, maxRenderDepth: Int = 1_000,
                maxWork: Int = 50_000_000) {
        self.maxOutputBytes = maxOutputBytes
        self.maxLoopIterations = maxLoopIterations
        self.maxCallDepth = maxCallDepth
        self.maxNestingDepth = maxNestingDepth
        self.maxCollectionCount = maxCollectionCount
        self.maxRenderDepth = maxRenderDepth
        self.maxWork = maxWork
    }

    public static let `default` = TemplateLimits()
}
