// Which pre-tokenizer a byte-level BPE vocabulary uses, and the other settings llama.cpp ties to the
// name in `tokenizer.ggml.pre` (llama_vocab::load): whether BOS is added, whether a word that is
// already a token skips the merges, whether decoding cleans up spaces before punctuation.

/// How text is cut into words before BPE merges run inside each word. Each case is one of
/// llama.cpp's regex lists, split exactly as llama.cpp splits it (see +Split).
public enum BPEPreTokenizer: String, Sendable, CaseIterable {
    /// llama.cpp's fallback: `[\p{P}\$\+<=>\^~\|]+`, then GPT-2's regex, then `\p{N}+`, then
    /// `[0-9][0-9][0-9]`.
    case standard = "default"
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`.
    case gpt2 = "gpt-2"
    /// Llama 3: contractions (any case), `[^\r\n\p{L}\p{N}]?\p{L}+`, numbers of up to three
    /// digits, punctuation runs with trailing newlines, and whitespace runs.
    case llama3
    /// Qwen 2: Llama 3's regex with single-digit numbers.
    case qwen2
    /// StarCoder, SmolLM, Command-R ...: every digit alone, then GPT-2's regex.
    case digitsThenGPT2 = "smollm"
}

/// Settings of a byte-level BPE tokenizer that come from the model's metadata.
public struct BytePairOptions: Sendable, Equatable {
    /// Ids with special roles (llama.cpp's BPE defaults: BOS and EOS 11, no unknown token).
    public var specialTokens: SpecialTokenIDs
    /// How text is cut into words.
    public var preTokenizer: BPEPreTokenizer
    /// Put BOS in front when encoding with `addSpecial`.
    public var addBOS: Bool
    /// Put EOS at the end when encoding with `addSpecial`.
    public var addEOS: Bool
    /// A word that is itself a token is emitted whole, without running the merges (Llama 3).
    public var ignoreMerges: Bool
    /// `detokenize` removes the space before `?!.,` and in front of some contractions.
    public var cleanSpaces: Bool
    /// The model's `general.name`; llama.cpp changes some token attributes for Phi-3 models.
    public var modelName: String?

    public init(specialTokens: SpecialTokenIDs = SpecialTokenIDs(bos: 11, eos: 11, unknown: nil),
                preTokenizer: BPEPreTokenizer = .standard, addBOS: Bool = false, addEOS: Bool = false,
                ignoreMerges: Bool = false, cleanSpaces: Bool = true, modelName: String? = nil) {
        self.specialTokens = specialTokens
        self.preTokenizer = preTokenizer
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.ignoreMerges = ignoreMerges
        self.cleanSpaces = cleanSpaces
        self.modelName = modelName
    }

    /// llama.cpp's settings for the pre-tokenizer named `name` (`tokenizer.ggml.pre`; nil or empty
    /// means `default`), before the `add_bos_token`/`add_eos_token` keys and special ids are read.
    /// Nil for names whose pre-tokenizer is not implemented here.
    public init?(preTokenizerName name: String?) {
        self.init()
        switch name ?? "" {
        case "", "default":
            preTokenizer = .standard
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2":
            preTokenizer = .llama3
            ignoreMerges = true
            addBOS = true
        case "dbrx", "smaug-bpe":
            preTokenizer = .llama3
        case "glm4", "chatglm-bpe":
            preTokenizer = .llama3
            specialTokens.bos = nil
        case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
             "mellum", "modern-bert", "exaone4", "mpt", "olmo", "jais":
            preTokenizer = .gpt2
        case "trillion", "granite-docling":
            preTokenizer = .gpt2
            cleanSpaces = false
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open":
            preTokenizer = .qwen2
            cleanSpaces = false
        case "megrez", "stablelm2":
            preTokenizer = .qwen2
        case "starcoder", "refact", "codeshell", "exaone", "minerva-7b":
            preTokenizer = .digitsThenGPT2
        case "smollm", "command-r":
            preTokenizer = .digitsThenGPT2
            cleanSpaces = false
        default:
            return nil
        }
    }
}
