// Kernels+Attention: causal attention of a block of query tokens over a ring of cached keys and
// values (float16: the F16 KV cache), in key tiles with an online softmax (ck_attention.h).

import CKernels

extension Kernels {
    /// Where one KV head's cached keys and values live, as float16 bits: position p in slot
    /// p % capacity, the key of slot s at keys + s * keyStride, its value at values + s * valueStride
    /// (strides in halves).
    public struct KVRing {
        public var keys: UnsafePointer<UInt16>
        public var keyStride: Int
        public var values: UnsafePointer<UInt16>
        public var valueStride: Int
        public var capacity: Int

        public init(keys: UnsafePointer<UInt16>, keyStride: Int, values: UnsafePointer<UInt16>, valueStride: Int,
                    capacity: Int) {
            self.keys = keys
            self.keyStride = keyStride
            self.values = values
            self.valueStride = valueStride
            self.capacity = capacity
        }
    }

    /// Whether `attention` handles value heads of this length (a multiple of 16).
    public static func attentionSupports(valueLength: Int) -> Bool { valueLength > 0 && valueLength % 16 == 0 }

    /// Attention of `tokens` query tokens at positions firstPosition..., each with `group` query
    /// heads sharing the KV head in `ring` (which must hold every position the queries see).
    /// Head j of token t is read at queries + t * queryStride + j * keyLength and written at
    /// output + t * outputStride + j * valueLength. A query at p sees p - window + 1 ... p
    /// (from 0 without a window); scores are s = scale · q·k, then softcap · tanh(s / softcap) when
    /// a soft-cap is given (gemma2).
    public static func attention(queries: UnsafePointer<Float>, queryStride: Int, group: Int, tokens: Int,
                                 firstPosition: Int, ring: KVRing, window: Int?, keyLength: Int, valueLength: Int,
                                 scale: Float, softcap: Float? = nil, output: UnsafeMutablePointer<Float>,
                                 outputStride: Int, isa: ISA? = nil) {
        precondition(attentionSupports(valueLength: valueLength), "Kernels.attention: value length \(valueLength) is not a multiple of 16")
        guard tokens > 0 else { return }
        let done = ck_attention((isa ?? activeISA).index, queries, Int64(queryStride), Int32(group), Int32(tokens),
                                Int64(firstPosition), ring.keys, Int64(ring.keyStride), ring.values,
                                Int64(ring.valueStride), Int64(ring.capacity),
                                Int64(window ?? 0), Int32(keyLength), Int32(valueLength), scale, softcap ?? 0, output,
                                Int64(outputStride))
        precondition(done != 0, "Kernels.attention: out of memory for scratch")
    }
}
