// QuantSearch: the scale searches behind the K-quant quantizers, and the scalar helpers every
// quantizer shares (ggml's rounding trick, F16 and BF16 encodings).
//
// The maths follows ggml's reference quantizers (ggml-quants.c: nearest_int, make_qx_quants,
// make_qkx2_quants), operation for operation in single precision and in the same order, so the
// results match ggml's reference output wherever the C compiler did not fuse multiply-adds.

/// Rounds to the nearest integer, ties to even, for |value| < 2^22: adding 1.5 * 2^23 puts the
/// integer in the low mantissa bits. Like ggml's nearest_int; never traps (out-of-range or NaN
/// input gives a meaningless value that callers clamp).
@inline(__always)
func nearestInt(_ value: Float) -> Int32 {
    let shifted = value + 12_582_912
    return Int32(bitPattern: shifted.bitPattern & 0x007F_FFFF) - 0x0040_0000
}

/// Writes `value` as IEEE half (round to nearest even), little-endian, at `p`.
@inline(__always)
func storeHalf(_ value: Float, at p: UnsafeMutableRawPointer) {
    p.storeBytes(of: Float16(value).bitPattern.littleEndian, as: UInt16.self)
}

/// The float a half written by `storeHalf` reads back as.
@inline(__always)
func halfRoundTrip(_ value: Float) -> Float { Float(Float16(value)) }

/// ggml's F32 to BF16: round to nearest even, NaN kept quiet.
@inline(__always)
func bfloat16Bits(_ value: Float) -> UInt16 {
    let u = value.bitPattern
    if u & 0x7FFF_FFFF > 0x7F80_0000 { return UInt16((u >> 16) | 64) }
    return UInt16(truncatingIfNeeded: (UInt64(u) + UInt64(0x7FFF + ((u >> 16) & 1))) >> 16)
}

/// Values below this are treated as an all-zero group (ggml's GROUP_MAX_EPS).
let groupMaxEpsilon: Float = 1e-15

enum QuantSearch {
    /// Symmetric quantization of `n` values to the levels -nmax..<nmax with one scale, weighted by
    /// x² (ggml's make_qx_quants with rmse_type 1 and no importance weights): a first guess from
    /// the largest magnitude, then 18 nearby scales, keeping the one of least weighted error.
    /// Writes L[i] in 0..<2*nmax (the level plus nmax) and returns the scale.
    static func symmetric(_ n: Int, nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>) -> Float {
        var max: Float = 0, amax: Float = 0
        for i in 0..<n {
            let ax = abs(x[i])
            if ax > amax { amax = ax; max = x[i] }
        }
        if amax < groupMaxEpsilon {
            for i in 0..<n { L[i] = 0 }
            return 0
        }
        let fmax = Float(nmax)
        @inline(__always) func level(_ iscale: Float, _ v: Float) -> Int32 {
            Swift.max(-nmax, Swift.min(nmax - 1, nearestInt(iscale * v)))
        }
        var iscale = -fmax / max
        var sumlx: Float = 0, suml2: Float = 0
        for i in 0..<n {
            let l = level(iscale, x[i])
            L[i] = Int8(l + nmax)
            let w = x[i] * x[i]
            let fl = Float(l)
            sumlx += w * x[i] * fl
            suml2 += w * fl * fl
        }
        var scale: Float = suml2 != 0 ? sumlx / suml2 : 0
        var best = scale * sumlx
        for step in -9...9 where step != 0 {
            iscale = -(fmax + 0.1 * Float(step)) / max
            sumlx = 0; suml2 = 0
            for i in 0..<n {
                let fl = Float(level(iscale, x[i]))
                let w = x[i] * x[i]
                sumlx += w * x[i] * fl
                suml2 += w * fl * fl
            }
            if suml2 > 0 && sumlx * sumlx > best * suml2 {
                for i in 0..<n { L[i] = Int8(level(iscale, x[i]) + nmax) }
                scale = sumlx / suml2
                best = scale * sumlx
            }
        }
        return scale
    }

    /// Asymmetric quantization of `n` values to levels 0...nmax with a scale and a minimum, by
    /// weighted least squares over `nstep + 1` candidate scales (ggml's make_qkx2_quants, squared
    /// error). x ≈ scale * L + min with min ≤ 0. Writes L (and uses `aux` as scratch) and returns
    /// the scale and -min.
    static func asymmetric(_ n: Int, nmax: Int32, _ x: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                           _ L: UnsafeMutablePointer<UInt8>, aux: UnsafeMutablePointer<UInt8>,
                           rmin: Float, rdelta: Float, nstep: Int) -> (scale: Float, negatedMin: Float) {
        var min = x[0], max = x[0]
        var sumW = weights[0]
        var sumX = sumW * x[0]
        for i in 1..<n {
            if x[i] < min { min = x[i] }
            if x[i] > max { max = x[i] }
            let w = weights[i]
            sumW += w
            sumX += w * x[i]
        }
        if min > 0 { min = 0 }
        if max == min {
            for i in 0..<n { L[i] = 0 }
            return (0, -min)
        }
        let fmax = Float(nmax)
        @inline(__always) func level(_ iscale: Float, _ v: Float) -> UInt8 {
            UInt8(Swift.max(0, Swift.min(nmax, nearestInt(iscale * v))))
        }
        var iscale = fmax / (max - min)
        var scale = 1 / iscale
        var bestError: Float = 0
        for i in 0..<n {
            L[i] = level(iscale, x[i] - min)
            let diff = scale * Float(L[i]) + min - x[i]
            bestError += weights[i] * (diff * diff)
        }
        if nstep < 1 { return (scale, -min) }
        for step in 0...nstep {
            iscale = (rmin + rdelta * Float(step) + fmax) / (max - min)
            var sumL: Float = 0, sumL2: Float = 0, sumXL: Float = 0
            for i in 0..<n {
                let l = level(iscale, x[i] - min)
                aux[i] = l
                let w = weights[i], fl = Float(l)
                sumL += w * fl
                sumL2 += w * fl * fl
                sumXL += w * fl * x[i]
            }
            let D = sumW * sumL2 - sumL * sumL
            guard D > 0 else { continue }
            var thisScale = (sumW * sumXL - sumX * sumL) / D
            var thisMin = (sumL2 * sumX - sumL * sumXL) / D
            if thisMin > 0 {
                thisMin = 0
                thisScale = sumXL / sumL2
            }
            var error: Float = 0
            for i in 0..<n {
                let diff = thisScale * Float(aux[i]) + thisMin - x[i]
                error += weights[i] * (diff * diff)
            }
            if error < bestError {
                for i in 0..<n { L[i] = aux[i] }
                bestError = error
                scale = thisScale
                min = thisMin
            }
        }
        return (scale, -min)
    }
}
