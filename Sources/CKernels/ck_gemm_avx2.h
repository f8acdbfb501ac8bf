// ck_gemm_avx2.h: the AVX2 microkernel of the packed matrix product (see ck_gemm.h), for CPUs
// without VNNI; included by ck_avx2.c after ck_gemm.h.
//
// A ymm register holds 4 consecutive packed bytes of 8 rows, so a panel's 4-value group is two
// registers (rows 0-7, 8-15). Without vpdpbusd, u8 x s8 products take two steps: vpmaddubsw
// (u0 q0 + u1 q1 per 16-bit lane, SATURATING) and vpmaddwd with ones (two 16-bit lanes into one
// 32-bit lane per row). Registers (16): the kernel works on 16 values at a time, whose 8 weight
// registers stay loaded while every token of the tile (up to 8) broadcasts its four 4-byte groups
// against them, so each activation load feeds two products; ones, the broadcasts and a few
// partial sums take the rest. The float accumulators (2 per token) live in L1 and are touched
// once per block.
//
// Saturation. A8 activations of finite inputs satisfy |q| <= 127 (q = round(x * 127 / max|x|),
// quantize_a8 in ck_gemm.h and quantize_a8_v in ck_vec.h); the unsigned bounds allow |q| <= 128.
// One vpmaddubsw lane is u0 q0 + u1 q1, so |lane| <= 2 * umax * 128. Adding D such results in 16
// bits (vpaddw) before vpmaddwd is exact while 2 * D * umax * 128 <= 32767:
//   D = 8 for umax <= 15 (Q4_0 / Q4_1 / Q4_K: 8 * 2 * 15 * 128 = 30720; all 32 values of a block);
//   D = 4 for umax <= 31 (Q2_K 3, Q3_K 7, Q5_0 / Q5_1 / Q5_K 31: 4 * 2 * 31 * 128 = 31744);
//   D = 2 for umax <= 63 (Q6_K: 2 * 2 * 63 * 128 = 32256).
// Q8_0 packs u = q + 128 up to 255, where even one lane can saturate (2 * 255 * 127 = 64770). The
// kernel turns its panel back into signed w = u - 128 (in place: the panel is scratch) and uses
// |w| x sign(q, w) (|w| <= 128, |q| <= 127: a lane is at most 2 * 128 * 127 = 32512, D = 1);
// since sum u q = sum w q + 128 sum q and Q8_0's offset is exactly -128 sw, the offset term
// vanishes and is skipped. Any other case runs the portable kernel. PackedMatmulTests' extreme
// case (every quant at its largest, activations of one sign) fails if a bound is crossed.

#ifndef CK_INLINE
#define CK_INLINE static inline __attribute__((always_inline))
#endif

CK_INLINE __m256i ck_bcast4_avx2(const int8_t *p) { return _mm256_set1_epi32((int)ck_read_u32((const uint8_t *)p)); }

/// The sums of 16 values of rows 0-7 (h = 0) or 8-15 (h = 1) against one token's 16 activations
/// (4-byte groups broadcast in bq), from the 8 weight registers w (group g, half h in w[2g + h];
/// SIGNED: the magnitudes |w|, with the signed weights at ws), summed D products deep in 16 bits:
/// int32 lanes, or for D = 8 the 16-bit sums (to be added to the other 16 values' and widened).
CK_INLINE __m256i ck_sum16_avx2(const __m256i w[8], const uint8_t *ws, const __m256i bq[4], const int h,
                                const int D, const int SIGNED, const __m256i ones) {
    __m256i m[4];
    for (int g = 0; g < 4; g++) {
        const __m256i a = SIGNED ? _mm256_sign_epi8(bq[g], _mm256_load_si256((const __m256i *)ws + 2 * g + h)) : bq[g];
        m[g] = _mm256_maddubs_epi16(w[2 * g + h], a);
    }
    if (D >= 4) {
        const __m256i p = _mm256_add_epi16(_mm256_add_epi16(m[0], m[1]), _mm256_add_epi16(m[2], m[3]));
        return D == 8 ? p : _mm256_madd_epi16(p, ones);
    }
    if (D == 2)
        return _mm256_add_epi32(_mm256_madd_epi16(_mm256_add_epi16(m[0], m[1]), ones),
                                _mm256_madd_epi16(_mm256_add_epi16(m[2], m[3]), ones));
    return _mm256_add_epi32(_mm256_add_epi32(_mm256_madd_epi16(m[0], ones), _mm256_madd_epi16(m[1], ones)),
                            _mm256_add_epi32(_mm256_madd_epi16(m[2], ones), _mm256_madd_epi16(m[3], ones)));
}

/// One tile: 16 rows x NT tokens of one A8 group (NT <= CK_A8_GROUP), blocks of BK values, 16-bit
/// depth D (8 only with BK = 32), SIGNED for panels made signed (no offset term; see above).
CK_INLINE void ck_panel_tile_avx2(const ck_panel *p, int nrows, int64_t cols, const char *grp, const int NT,
                                  const int BK, const int D, const int SIGNED, float *y, int64_t ldy) {
    __m256 acc[CK_A8_GROUP][2];
    __m256i part[CK_A8_GROUP][2];   // BK = 32: the sums of a block's first 16 values (16-bit for D = 8)
    for (int t = 0; t < NT; t++) acc[t][0] = acc[t][1] = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    const int8_t *xq = ck_a8_q(grp, 0, 0);
    const float *xd = ck_a8_d(grp, cols, 0, 0);
    const float *xs = BK == 32 ? ck_a8_s32(grp, cols, 0, 0) : ck_a8_s16(grp, cols, 0, 0);
    const uint8_t *u = p->u;
    for (int64_t b = 0; b < p->nb; b++) {
        const int64_t b32 = b * BK / 32;
        const int8_t *q = xq + b32 * 32 * CK_A8_GROUP + (BK == 16 ? 16 * (int)(b & 1) : 0);
        const float *sw = p->sw + b * CK_PANEL, *mw = p->mw + b * CK_PANEL;
        for (int k = 0; k < BK / 16; k++, u += 16 * CK_PANEL) {
            __m256i w[8];
            for (int i = 0; i < 8; i++) {
                w[i] = _mm256_load_si256((const __m256i *)u + i);
                if (SIGNED) w[i] = _mm256_abs_epi8(w[i]);
            }
            for (int t = 0; t < NT; t++) {
                const int8_t *qt = q + 32 * t + 16 * k;
                const __m256i bq[4] = {ck_bcast4_avx2(qt), ck_bcast4_avx2(qt + 4), ck_bcast4_avx2(qt + 8),
                                       ck_bcast4_avx2(qt + 12)};
                __m256i s0 = ck_sum16_avx2(w, u, bq, 0, D, SIGNED, ones);
                __m256i s1 = ck_sum16_avx2(w, u, bq, 1, D, SIGNED, ones);
                if (k + 1 < BK / 16) {
                    part[t][0] = s0;
                    part[t][1] = s1;
                    continue;
                }
                if (k > 0 && D == 8) {
                    s0 = _mm256_madd_epi16(_mm256_add_epi16(s0, part[t][0]), ones);
                    s1 = _mm256_madd_epi16(_mm256_add_epi16(s1, part[t][1]), ones);
                } else if (k > 0) {
                    s0 = _mm256_add_epi32(s0, part[t][0]);
                    s1 = _mm256_add_epi32(s1, part[t][1]);
                }
                const __m256 d = _mm256_set1_ps(xd[b32 * CK_A8_GROUP + t]);
                acc[t][0] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(s0), _mm256_load_ps(sw)), d, acc[t][0]);
                acc[t][1] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(s1), _mm256_load_ps(sw + 8)), d, acc[t][1]);
                if (!SIGNED) {
                    const __m256 s = _mm256_set1_ps(xs[b * CK_A8_GROUP + t]);
                    acc[t][0] = _mm256_fmadd_ps(_mm256_load_ps(mw), s, acc[t][0]);
                    acc[t][1] = _mm256_fmadd_ps(_mm256_load_ps(mw + 8), s, acc[t][1]);
                }
            }
        }
    }
    for (int t = 0; t < NT; t++) {
        float *out = y + (size_t)t * (size_t)ldy;
        if (nrows >= CK_PANEL) {
            _mm256_storeu_ps(out, acc[t][0]);
            _mm256_storeu_ps(out + 8, acc[t][1]);
        } else {
            float row[CK_PANEL];
            _mm256_storeu_ps(row, acc[t][0]);
            _mm256_storeu_ps(row + 8, acc[t][1]);
            memcpy(out, row, (size_t)nrows * sizeof(float));
        }
    }
}

#define CK_TILE2_CASE(nt, bk, d, sg) \
    case nt: ck_panel_tile_avx2(p, nrows, cols, grp, nt, bk, d, sg, out, ldy); break;
#if CK_A8_GROUP == 8
#define CK_TILE2_CASES(bk, d, sg) CK_TILE2_CASE(1, bk, d, sg) CK_TILE2_CASE(2, bk, d, sg) CK_TILE2_CASE(3, bk, d, sg) \
    CK_TILE2_CASE(4, bk, d, sg) CK_TILE2_CASE(5, bk, d, sg) CK_TILE2_CASE(6, bk, d, sg) CK_TILE2_CASE(7, bk, d, sg) \
    CK_TILE2_CASE(8, bk, d, sg)
#else
#error "the AVX2 packed kernel is written for CK_A8_GROUP == 8"
#endif

/// Whether a panel whose bytes are u = w + c for signed w (Q8_0: c = 128) has offsets of
/// exactly -c sw, so that the signed weights need no offset term; if so, turns u into w in place.
static int ck_panel_make_signed(const ck_panel *p, int c) {
    for (int64_t i = 0; i < p->nb * CK_PANEL; i++)
        if (p->mw[i] != -(float)c * p->sw[i]) return 0;
    const __m256i cv = _mm256_set1_epi8((char)c);
    __m256i *u = (__m256i *)p->u;
    for (int64_t i = 0; i < p->nb * p->bk * CK_PANEL / 32; i++) _mm256_store_si256(u + i, _mm256_sub_epi8(u[i], cv));
    return 1;
}

/// Every token of a packed panel, one A8 group at a time. The kernel variant (block size, depth,
/// signedness) follows the panel's block size and largest byte:
///   BK 32, umax <= 15 (Q4_0, Q4_1, Q4_K): D = 8;   BK 32, umax <= 31 (Q5_0, Q5_1, Q5_K): D = 4;
///   BK 32, umax 255 (Q8_0): signed, D = 1;          BK 16, umax <= 31 (Q2_K, Q3_K): D = 4;
///   BK 16, umax <= 63 (Q6_K): D = 2 (signed with D = 4 measured slower: the extra vpsignb).
/// Anything else (no such type today) runs the portable kernel.
static void ck_panel_tokens_avx2(const ck_panel *p, int nrows, int64_t cols, const void *xa, int64_t ntok,
                                 float *y, int64_t ldy) {
    const int bk = p->bk, umax = p->umax;
    enum { PLAIN, B32D8, B32D4, B32S1, B16D4, B16D2 } kind = PLAIN;
    if (bk == 32) kind = umax <= 15 ? B32D8 : umax <= 31 ? B32D4 : umax == 255 && ck_panel_make_signed(p, 128) ? B32S1 : PLAIN;
    if (bk == 16) kind = umax <= 31 ? B16D4 : umax <= 63 ? B16D2 : PLAIN;
    if (kind == PLAIN) {
        ck_panel_tokens_plain(p, nrows, cols, xa, ntok, y, ldy);
        return;
    }
    for (int64_t t0 = 0; t0 < ntok; t0 += CK_A8_GROUP) {
        const int nt = (int)(ntok - t0 < CK_A8_GROUP ? ntok - t0 : CK_A8_GROUP);
        const char *grp = ck_a8_group(xa, cols, t0 / CK_A8_GROUP);
        float *out = y + t0 * ldy;
        switch (kind) {
        case B32D8: switch (nt) { CK_TILE2_CASES(32, 8, 0) } break;
        case B32D4: switch (nt) { CK_TILE2_CASES(32, 4, 0) } break;
        case B32S1: switch (nt) { CK_TILE2_CASES(32, 1, 1) } break;
        case B16D4: switch (nt) { CK_TILE2_CASES(16, 4, 0) } break;
        case B16D2: switch (nt) { CK_TILE2_CASES(16, 2, 0) } break;
        default: break;
        }
    }
}

#define CK_PANEL_TOKENS ck_panel_tokens_avx2
