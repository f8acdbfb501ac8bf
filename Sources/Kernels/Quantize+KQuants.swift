// Quantize+KQuants: the 256-value super-block quantizers Q4_K, Q5_K and Q6_K, as ggml's reference
// quantizers (quantize_row_q4_K_ref, _q5_K_ref, _q6_K_ref) compute them: a least-squares search
// for each sub-block's scale (and minimum), those scales quantized to 6 or 8 bits against one
// F16 super-scale, then every value re-rounded against the scale it will really be read with.

enum KQuantizer {
    static let blockSize = 256

    /// Q4_K (144 bytes): d, dmin (F16), 12 bytes of 6-bit scales and mins for 8 sub-blocks of 32,
    /// 128 bytes of 4-bit levels. x ≈ d * scale_j * q - dmin * min_j.
    static func q4_K(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer) {
        withScaledSubBlocks(x, nmax: 15, rmin: -1, rdelta: 0.1, nstep: 20, y) { L in
            let q = (y + 16).assumingMemoryBound(to: UInt8.self)
            for chunk in 0..<4 {
                for l in 0..<32 {
                    q[chunk * 32 + l] = L[chunk * 64 + l] | L[chunk * 64 + l + 32] << 4
                }
            }
        }
    }

    /// Q5_K (176 bytes): d, dmin, 12 bytes of scales and mins, 32 bytes of fifth bits, 128 bytes of
    /// low 4 bits, for 8 sub-blocks of 32 values at levels 0...31.
    static func q5_K(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer) {
        withScaledSubBlocks(x, nmax: 31, rmin: -0.5, rdelta: 0.1, nstep: 15, y) { L in
            let qh = (y + 16).assumingMemoryBound(to: UInt8.self)
            let ql = (y + 48).assumingMemoryBound(to: UInt8.self)
            for j in 0..<32 { qh[j] = 0 }
            var m1: UInt8 = 1, m2: UInt8 = 2
            for chunk in 0..<4 {
                for j in 0..<32 {
                    var l1 = L[chunk * 64 + j], l2 = L[chunk * 64 + j + 32]
                    if l1 > 15 { l1 -= 16; qh[j] |= m1 }
                    if l2 > 15 { l2 -= 16; qh[j] |= m2 }
                    ql[chunk * 32 + j] = l1 | l2 << 4
                }
                m1 <<= 2; m2 <<= 2
            }
        }
    }

    /// The shared part of Q4_K and Q5_K: per sub-block of 32 a scale and minimum searched with
    /// weights sqrt(mean x²) + |x|, both packed as 6-bit numbers against F16 d and dmin, then the
    /// levels recomputed with the stored scales. `pack` receives the 256 levels.
    @inline(__always)
    private static func withScaledSubBlocks(_ x: UnsafePointer<Float>, nmax: Int32, rmin: Float, rdelta: Float, nstep: Int,
                                            _ y: UnsafeMutableRawPointer,
                                            pack: (UnsafeMutablePointer<UInt8>) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256 + 32) { levels in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + 8 + 8) { floats in
                let L = levels.baseAddress!, aux = L + 256
                let weights = floats.baseAddress!, scales = weights + 32, mins = scales + 8
                var maxScale: Float = 0, maxMin: Float = 0
                for j in 0..<8 {
                    let xs = x + 32 * j
                    var sumX2: Float = 0
                    for l in 0..<32 { sumX2 += xs[l] * xs[l] }
                    let averageX = (sumX2 / 32).squareRoot()
                    for l in 0..<32 { weights[l] = averageX + abs(xs[l]) }
                    let (scale, min) = QuantSearch.asymmetric(32, nmax: nmax, xs, weights: weights, L + 32 * j, aux: aux,
                                                              rmin: rmin, rdelta: rdelta, nstep: nstep)
                    scales[j] = scale
                    mins[j] = min
                    if scale > maxScale { maxScale = scale }
                    if min > maxMin { maxMin = min }
                }
                let inverseScale: Float = maxScale > 0 ? 63 / maxScale : 0
                let inverseMin: Float = maxMin > 0 ? 63 / maxMin : 0
                let packed = (y + 4).assumingMemoryBound(to: UInt8.self)
                for j in 0..<12 { packed[j] = 0 }
                for j in 0..<8 {
                    let ls = Swift.min(63, UInt8(truncatingIfNeeded: nearestInt(inverseScale * scales[j])))
                    let lm = Swift.min(63, UInt8(truncatingIfNeeded: nearestInt(inverseMin * mins[j])))
                    if j < 4 {
                        packed[j] = ls
                        packed[j + 4] = lm
                    } else {
                        packed[j + 4] = (ls & 0x0F) | (lm & 0x0F) << 4
                        packed[j - 4] |= (ls >> 4) << 6
                        packed[j] |= (lm >> 4) << 6
                    }
                }
                storeHalf(maxScale / 63, at: y)
                storeHalf(maxMin / 63, at: y + 2)
                let d = halfRoundTrip(maxScale / 63), dmin = halfRoundTrip(maxMin / 63)
                for j in 0..<8 {
                    let (sc, m) = scaleAndMin(j, packed)
                    let dj = d * Float(sc)
                    if dj == 0 { continue }
                    let mj = dmin * Float(m)
                    for i in 0..<32 {
                        let l = nearestInt((x[32 * j + i] + mj) / dj)
                        L[32 * j + i] = UInt8(Swift.max(0, Swift.min(nmax, l)))
                    }
                }
                pack(L)
            }
        }
    }

    /// Sub-block j's 6-bit scale and minimum from the 12 packed bytes (ggml's get_scale_min_k4).
    @inline(__always)
    static func scaleAndMin(_ j: Int, _ q: UnsafePointer<UInt8>) -> (scale: UInt8, min: UInt8) {
        if j < 4 { return (q[j] & 63, q[j + 4] & 63) }
        return ((q[j + 4] & 0x0F) | (q[j - 4] >> 6) << 4, (q[j + 4] >> 4) | (q[j] >> 6) << 4)
    }

    /// Q6_K (210 bytes): 128 bytes of low 4 bits, 64 bytes of high 2 bits, 16 signed 8-bit scales
    /// (one per 16 values), F16 d. x ≈ d * scale_j * (q - 32), q in 0...63.
    static func q6_K(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer) {
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: 256) { levels in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { scaleBuffer in
                let L = levels.baseAddress!, scales = scaleBuffer.baseAddress!
                var maxScale: Float = 0, maxAbsScale: Float = 0
                for ib in 0..<16 {
                    let scale = QuantSearch.symmetric(16, nmax: 32, x + 16 * ib, L + 16 * ib)
                    scales[ib] = scale
                    if abs(scale) > maxAbsScale {
                        maxAbsScale = abs(scale)
                        maxScale = scale
                    }
                }
                let bytes = y.assumingMemoryBound(to: UInt8.self)
                if maxAbsScale < groupMaxEpsilon {
                    for i in 0..<210 { bytes[i] = 0 }
                    return
                }
                let iscale = -128 / maxScale
                storeHalf(1 / iscale, at: y + 208)
                let d = halfRoundTrip(1 / iscale)
                let storedScales = (y + 192).assumingMemoryBound(to: Int8.self)
                for ib in 0..<16 {
                    // The largest scale maps to -128; clamp the top as ggml does.
                    storedScales[ib] = Int8(truncatingIfNeeded: Swift.min(127, nearestInt(iscale * scales[ib])))
                }
                for j in 0..<16 {
                    let dj = d * Float(storedScales[j])
                    if dj == 0 { continue }
                    for i in 0..<16 {
                        let l = nearestInt(x[16 * j + i] / dj)
                        L[16 * j + i] = Int8(Swift.max(-32, Swift.min(31, l)) + 32)
                    }
                }
                let ql = bytes, qh = bytes + 128
                for half in 0..<2 {
                    let Lh = L + 128 * half, qlh = ql + 64 * half, qhh = qh + 32 * half
                    for l in 0..<32 {
                        let q1 = UInt8(Lh[l]), q2 = UInt8(Lh[l + 32]), q3 = UInt8(Lh[l + 64]), q4 = UInt8(Lh[l + 96])
                        qlh[l] = (q1 & 0x0F) | (q3 & 0x0F) << 4
                        qlh[l + 32] = (q2 & 0x0F) | (q4 & 0x0F) << 4
                        qhh[l] = (q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6
                    }
                }
            }
        }
    }
}
