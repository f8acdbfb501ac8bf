// PromptCache: the tokens a model's KV cache holds for one conversation (a chat, a server slot),
// so that the next prompt only runs what is new. The terminal chat and the server's slots share it.
import Generation
import Model

/// The tokens of one conversation that a model's KV cache holds.
struct PromptCache {
    private(set) var tokens: [Int32] = []

    /// How many leading tokens of `prompt` the cache can serve: the prefix they share, less one
    /// when that is all of the prompt (the model must run a token to give logits), or 0 when the
    /// cache cannot rewind that far (a sliding-window ring keeps only its last positions).
    func reusable(for prompt: [Int32], model: any LanguageModel) -> Int {
        var reuse = zip(tokens, prompt).prefix { $0 == $1 }.count
        if reuse == prompt.count { reuse -= 1 }
        return tokens.count - reuse > model.maxRewind ? 0 : reuse
    }

    /// Forgets the tokens while a generation changes the cache (unknown should it fail).
    mutating func invalidate() { tokens = [] }

    /// What the cache holds after `result`: the prompt (all of it unless a stop cut it short) and
    /// every generated token but the last, which was not run through the model.
    mutating func update(prompt: [Int32], result: GenerationResult) {
        tokens = Array((prompt + result.tokens).prefix(result.cachedTokens))
    }
}
