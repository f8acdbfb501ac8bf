// RotaryEmbedding (RoPE): rotates pairs of a head's dimensions by position-dependent angles
// θ_i = position · freqScale · base^(-2i/d) / factor_i. NeoX pairing rotates (i, i + d/2) (gemma,
// qwen2, qwen3, phi3); adjacent pairing rotates (2i, 2i + 1) (llama). The optional factors are
// Llama 3's `rope_freqs` or Phi-3's long/short factors; the optional attention factor multiplies
// both cosine and sine (llama.cpp's `rope.scaling.attn_factor`). Angles are computed in double.

#if canImport(Glibc)
import Glibc
#endif

/// Rotary position embedding of one configuration (dimensions, base, pairing, factors).
public struct RotaryEmbedding: Sendable, Equatable {
    /// Which dimensions form a rotated pair.
    public enum Pairing: Sendable {
        /// (i, i + d/2): GPT-NeoX style, llama.cpp's `LLAMA_ROPE_TYPE_NEOX`.
        case neox
        /// (2i, 2i + 1): the original style, llama.cpp's `LLAMA_ROPE_TYPE_NORM`.
        case adjacent
    }

    /// Rotated dimensions d (even); dimensions past d in a head are left as they are.
    public let dimensions: Int
    public let base: Float
    public let freqScale: Float
    public let pairing: Pairing
    /// Multiplies cosines and sines (1 unless the model's RoPE scaling asks for more).
    public let attentionFactor: Float
    /// freqScale · base^(-2i/d) / factor_i for i in 0..<d/2.
    public let frequencies: [Double]

    /// - Parameters:
    ///   - frequencyFactors: d/2 divisors of the frequencies, or nil for none.
    ///   - attentionFactor: multiplies the rotated values (cosines and sines).
    public init(dimensions: Int, base: Float, freqScale: Float = 1, pairing: Pairing,
                frequencyFactors: [Float]? = nil, attentionFactor: Float = 1) {
        precondition(dimensions > 0 && dimensions % 2 == 0, "RoPE dimensions must be even")
        precondition(frequencyFactors == nil || frequencyFactors!.count == dimensions / 2,
                     "RoPE frequency factors must number dimensions / 2")
        self.dimensions = dimensions
        self.base = base
        self.freqScale = freqScale
        self.pairing = pairing
        self.attentionFactor = attentionFactor
        frequencies = (0..<dimensions / 2).map { i in
            let factor = Double(frequencyFactors?[i] ?? 1)
            return Double(freqScale) * pow(Double(base), -2 * Double(i) / Double(dimensions)) / factor
        }
    }

    /// Cosines and sines of the angles for a run of consecutive positions.
    public struct Table {
        public let firstPosition: Int
        public let count: Int
        let half: Int
        /// cos/sin of θ_i at position firstPosition + t, at index t·(d/2) + i.
        let cosines: [Float]
        let sines: [Float]
    }

    /// The angle table for positions `positions`.
    public func table(for positions: Range<Int>) -> Table {
        let half = dimensions / 2
        var cosines = [Float](repeating: 0, count: positions.count * half)
        var sines = cosines
        let magnitude = Double(attentionFactor)
        for (t, position) in positions.enumerated() {
            for i in 0..<half {
                let angle = Double(position) * frequencies[i]
                cosines[t * half + i] = Float(cos(angle) * magnitude)
                sines[t * half + i] = Float(sin(angle) * magnitude)
            }
        }
        return Table(firstPosition: positions.lowerBound, count: positions.count, half: half,
                     cosines: cosines, sines: sines)
    }

    /// Rotates `heads` vectors, `headStride` floats apart, in place at `position` (which must lie
    /// in `table`).
    public func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headStride: Int,
                      position: Int, table: Table) {
        let t = position - table.firstPosition
        precondition(t >= 0 && t < table.count, "position \(position) is outside the RoPE table")
        let half = dimensions / 2
        table.cosines.withUnsafeBufferPointer { cosines in
            table.sines.withUnsafeBufferPointer { sines in
                let c = cosines.baseAddress! + t * half, s = sines.baseAddress! + t * half
                for h in 0..<heads {
                    let v = x + h * headStride
                    switch pairing {
                    case .neox:
                        for i in 0..<half {
                            let x0 = v[i], x1 = v[i + half]
                            v[i] = x0 * c[i] - x1 * s[i]
                            v[i + half] = x0 * s[i] + x1 * c[i]
                        }
                    case .adjacent:
                        for i in 0..<half {
                            let x0 = v[2 * i], x1 = v[2 * i + 1]
                            v[2 * i] = x0 * c[i] - x1 * s[i]
                            v[2 * i + 1] = x0 * s[i] + x1 * c[i]
                        }
                    }
                }
            }
        }
    }
}
