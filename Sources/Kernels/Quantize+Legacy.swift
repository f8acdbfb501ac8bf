// Quantize+Legacy: the 32-value block quantizers (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1), the plain float
// encodings (F32, F16, BF16), as ggml's reference quantizers (quantize_row_*_ref) compute them.
//
// The float operations are those of the reference, in the same order and without fused
// multiply-adds, so the bytes equal the `gguf` Python package's quantizers (which mirror the
// reference) bit for bit.

enum LegacyQuantizer {
    static let blockSize = 32

    /// Q8_0: d = max|x| / 127 (F16), q = round(x / d) (ties away from zero).
    static func q8_0(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer) {
        var amax: Float = 0
        for j in 0..<32 { amax = max(amax, abs(x[j])) }
        let d = amax / 127
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(d, at: y)
        let q = (y + 2).assumingMemoryBound(to: Int8.self)
        for j in 0..<32 {
            let r = (x[j] * id).rounded()
            q[j] = r.isNaN ? 0 : Int8(max(-128, min(127, r)))
        }
    }

    /// The value of largest magnitude (the first one on ties), with its sign.
    @inline(__always)
    private static func signedAbsMax(_ x: UnsafePointer<Float>) -> Float {
        var amax: Float = 0, max: Float = 0
        for j in 0..<32 where amax < abs(x[j]) {
            amax = abs(x[j])
            max = x[j]
        }
        return max
    }

    /// The smallest and largest value.
    @inline(__always)
    private static func range(_ x: UnsafePointer<Float>) -> (min: Float, max: Float) {
        var lo = Float.greatestFiniteMagnitude, hi = -Float.greatestFiniteMagnitude
        for j in 0..<32 {
            if x[j] < lo { lo = x[j] }
            if x[j] > hi { hi = x[j] }
        }
        return (lo, hi)
    }

    /// Truncates a value known to lie in about [0, levels + 1) and clamps it to the top level.
    @inline(__always)
    private static func truncated(_ v: Float, top: Int32) -> UInt8 {
        guard v > 0 else { return 0 }              // also catches NaN
        return UInt8(min(top, Int32(min(v, 255))))
    }

    /// Q4_0: d = max / -8 (the signed extreme maps to level 0), q = trunc(x / d + 8.5) in 0...15.
    static func q4_0(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer) {
        let d = signedAbsMax(x) / -8
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(d, at: y)
        let q = (y + 2).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let lo = truncated(x[j] * id + 8.5, top: 15)
            let hi = truncated(x[j + 16] * id + 8.5, top: 15)
            q[j] = lo | hi << 4
        }
    }

    /// Q4_1: d = (max - min) / 15, m = min, q = trunc((x - min) / d + 0.5) in 0...15.
    static func q4_1(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer) {
        let (lo, hi) = range(x)
        let d = (hi - lo) / 15
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(d, at: y)
        storeHalf(lo, at: y + 2)
        let q = (y + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let a = truncated((x[j] - lo) * id + 0.5, top: 15)
            let b = truncated((x[j + 16] - lo) * id + 0.5, top: 15)
            q[j] = a | b << 4
        }
    }

    /// Q5_0: d = max / -16, q = trunc(x / d + 16.5) in 0...31; the fifth bits go to a 32-bit mask.
    static func q5_0(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer) {
        let d = signedAbsMax(x) / -16
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(d, at: y)
        var qh: UInt32 = 0
        let q = (y + 6).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let a = truncated(x[j] * id + 16.5, top: 31)
            let b = truncated(x[j + 16] * id + 16.5, top: 31)
            q[j] = (a & 0x0F) | (b & 0x0F) << 4
            qh |= UInt32(a >> 4) << UInt32(j)
            qh |= UInt32(b >> 4) << UInt32(j + 16)
        }
        (y + 2).storeBytes(of: qh.littleEndian, toByteOffset: 0, as: UInt32.self)
    }

    /// Q5_1: d = (max - min) / 31, m = min, q = trunc((x - min) / d + 0.5) in 0...31.
    static func q5_1(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer) {
        let (lo, hi) = range(x)
        let d = (hi - lo) / 31
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(d, at: y)
        storeHalf(lo, at: y + 2)
        var qh: UInt32 = 0
        let q = (y + 8).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let a = truncated((x[j] - lo) * id + 0.5, top: 31)
            let b = truncated((x[j + 16] - lo) * id + 0.5, top: 31)
            q[j] = (a & 0x0F) | (b & 0x0F) << 4
            qh |= UInt32(a >> 4) << UInt32(j)
            qh |= UInt32(b >> 4) << UInt32(j + 16)
        }
        (y + 4).storeBytes(of: qh.littleEndian, toByteOffset: 0, as: UInt32.self)
    }
}
