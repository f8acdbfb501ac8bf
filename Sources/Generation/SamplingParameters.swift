// SamplingParameters: the knobs of token sampling, with llama.cpp's defaults (common_params_sampling).
// Codable so that it can live in a run configuration; keys left out of a configuration keep their
// defaults.

/// How the next token is chosen from the model's logits.
///
/// The samplers run in llama.cpp's default order: penalties, top-k, top-p, min-p, temperature,
/// then a draw from the remaining distribution. A temperature of zero or less means greedy
/// decoding (the most likely token after penalties).
public struct SamplingParameters: Sendable, Equatable, Codable {
    /// Divides the logits before the draw. `<= 0` selects greedy decoding. Default 0.8.
    public var temperature: Float
    /// Keep only the `topK` most likely tokens. `<= 0` disables it. Default 40.
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probabilities reach `topP`.
    /// `>= 1` disables it. Default 0.95.
    public var topP: Float
    /// Drop tokens whose probability is below `minP` times the probability of the most likely
    /// token. `<= 0` disables it. Default 0.05.
    public var minP: Float
    /// Repetition penalty on the last `repeatLastN` tokens: positive logits are divided by it,
    /// negative ones multiplied. `1` disables it (the default).
    public var repeatPenalty: Float
    /// How many recent tokens the penalties look at: `0` disables the penalties, `-1` means every
    /// token seen so far. Default 64.
    public var repeatLastN: Int
    /// Subtracted once from the logit of every token that occurs in the recent window. Default 0.
    public var presencePenalty: Float
    /// Subtracted from a token's logit once per occurrence in the recent window. Default 0.
    public var frequencyPenalty: Float
    /// Seed of the random generator; the same seed gives the same tokens on every run and
    /// platform. `nil` picks a random seed.
    public var seed: UInt64?

    /// Creates sampling parameters; every argument defaults to llama.cpp's default.
    public init(
        temperature: Float = 0.8,
        topK: Int = 40,
        topP: Float = 0.95,
        minP: Float = 0.05,
        repeatPenalty: Float = 1.0,
        repeatLastN: Int = 64,
        presencePenalty: Float = 0.0,
        frequencyPenalty: Float = 0.0,
        seed: UInt64? = nil
    ) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repeatPenalty = repeatPenalty
        self.repeatLastN = repeatLastN
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.seed = seed
    }

    /// Greedy decoding: always the most likely token (after penalties).
    public static let greedy = SamplingParameters(temperature: 0)

    /// True when any of the repetition, presence or frequency penalties changes logits.
    public var hasPenalties: Bool {
        repeatLastN != 0 && (repeatPenalty != 1 || presencePenalty != 0 || frequencyPenalty != 0)
    }

    /// Checks the values for ones that cannot be meant (negative or non-finite); throws a
    /// `GenerationError.invalidParameter` naming the field.
    public func validate() throws {
        func require(_ ok: Bool, _ name: String, _ value: String, _ rule: String) throws {
            if !ok { throw GenerationError.invalidParameter("\(name) = \(value): \(rule)") }
        }
        try require(temperature.isFinite, "temperature", "\(temperature)", "must be a finite number")
        try require(topP.isFinite && topP >= 0, "topP", "\(topP)", "must be between 0 and 1")
        try require(minP.isFinite && minP >= 0 && minP <= 1, "minP", "\(minP)", "must be between 0 and 1")
        try require(repeatPenalty.isFinite && repeatPenalty > 0, "repeatPenalty", "\(repeatPenalty)", "must be greater than 0")
        try require(repeatLastN >= -1, "repeatLastN", "\(repeatLastN)", "must be -1, 0 or a positive count")
        try require(presencePenalty.isFinite, "presencePenalty", "\(presencePenalty)", "must be a finite number")
        try require(frequencyPenalty.isFinite, "frequencyPenalty", "\(frequencyPenalty)", "must be a finite number")
    }

    private enum CodingKeys: String, CodingKey {
        case temperature, topK, topP, minP, repeatPenalty, repeatLastN, presencePenalty,
             frequencyPenalty, seed
    }

    /// Decodes parameters; a key that is absent keeps its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SamplingParameters()
        temperature = try c.decodeIfPresent(Float.self, forKey: .temperature) ?? d.temperature
        topK = try c.decodeIfPresent(Int.self, forKey: .topK) ?? d.topK
        topP = try c.decodeIfPresent(Float.self, forKey: .topP) ?? d.topP
        minP = try c.decodeIfPresent(Float.self, forKey: .minP) ?? d.minP
        repeatPenalty = try c.decodeIfPresent(Float.self, forKey: .repeatPenalty) ?? d.repeatPenalty
        repeatLastN = try c.decodeIfPresent(Int.self, forKey: .repeatLastN) ?? d.repeatLastN
        presencePenalty = try c.decodeIfPresent(Float.self, forKey: .presencePenalty) ?? d.presencePenalty
        frequencyPenalty = try c.decodeIfPresent(Float.self, forKey: .frequencyPenalty) ?? d.frequencyPenalty
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
    }
}
