// TEMPORARY copies of the shared contract of the Model target, so that Generation compiles while
// that target is written in parallel. Delete this file when merging h/model: the real declarations
// live in the Model module.

/// TEMPORARY: the part of the Model target's configuration that generation uses.
public struct ModelConfig: Sendable {
    public var vocabSize: Int
    public var contextLength: Int
    public init(vocabSize: Int, contextLength: Int) {
        self.vocabSize = vocabSize
        self.contextLength = contextLength
    }
}

/// TEMPORARY: copy of the Model target's `LanguageModel` contract.
public protocol LanguageModel: AnyObject {
    var config: ModelConfig { get }
    func forward(_ tokens: [Int32], startPosition: Int, allLogits: Bool) throws -> [Float]
    func resetCache()
}
