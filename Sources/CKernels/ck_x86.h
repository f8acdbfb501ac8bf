// ck_x86.h: hand-written AVX2 dot products for the hot weight types (the default model's Q4_K,
// Q6_K, Q5_0, Q8_0, and the easy Q4_0 / Q4_1 / Q5_1 / Q5_K), included by ck_avx2.c and ck_avx512.c after
// ck_impl.h. With CK_VNNI defined, the integer multiply-adds use AVX-512 VNNI (on 256-bit vectors).
//
// The maths is ggml's: weights as unsigned integers times int8 activations (maddubs or vpdpbusd),
// integer sums scaled per (sub-)block, offsets and minimums folded in from the activation sums.
// Each kernel is written once for a compile-time token count NT and stamped out for 1...CK_NT_LIMIT
// (4 with AVX2's 16 vector registers, 8 with AVX-512's 32), so the per-token accumulators live in
// registers while a decoded weight block is reused NT times.

// acc(int32 x8) += sum of 4 adjacent u8*s8 products.
#ifdef CK_VNNI
#define CK_DOT_U8S8(acc, u, s) _mm256_dpbusd_epi32((acc), (u), (s))
#define CK_MADD_ACC(acc, p16, s16) _mm256_dpwssd_epi32((acc), (p16), (s16))
#else
#define CK_DOT_U8S8(acc, u, s) \
    _mm256_add_epi32((acc), _mm256_madd_epi16(_mm256_maddubs_epi16((u), (s)), _mm256_set1_epi16(1)))
#define CK_MADD_ACC(acc, p16, s16) _mm256_add_epi32((acc), _mm256_madd_epi16((p16), (s16)))
#endif

#define CK_INLINE static inline __attribute__((always_inline))

CK_INLINE float ck_hsum_ps(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

CK_INLINE __m256i ck_loadu(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }

/// d_w * d_x in all 8 lanes, d_w the half at p. Broadcast before converting: the scalar
/// conversion compiles to vpinsrw, which merges into whatever register it picks (often an
/// accumulator) and so chains every block onto the previous block's FMA.
CK_INLINE __m256 ck_scale_hx(const uint8_t *p, float dx) {
    return _mm256_mul_ps(_mm256_cvtph_ps(_mm_set1_epi16((short)ck_read_u16(p))), _mm256_set1_ps(dx));
}

/// ck_scale_hx with d_w looked up in ck_half_table and broadcast by the load itself: the
/// conversion's broadcast and convert are a third of a one-token Q5_0 block's time in cache, and
/// the look-up makes Q5_0 rows streamed from memory ~10 % faster. Not for Q8_0 or the K-quants:
/// their blocks streamed from memory slowed down with it (Q8_0 31 -> 12 GMAC/s, Q6_K 34 -> 29),
/// the look-up's address waiting on the weight load.
CK_INLINE __m256 ck_scale_hx_table(const uint8_t *p, float dx) {
    return _mm256_mul_ps(_mm256_broadcast_ss(&ck_half_table[ck_read_u16(p)]), _mm256_set1_ps(dx));
}

/// The half at p as float, without a merge into a live register (see ck_scale_hx).
CK_INLINE float ck_x86_h(const uint8_t *p) {
    return _mm_cvtss_f32(_mm_cvtph_ps(_mm_set1_epi16((short)ck_read_u16(p))));
}

/// 16 bytes of nibbles, unmasked: the bytes in both 128-bit lanes, the high lane shifted right
/// by 4 (a broadcast load and one shift; the caller masks with 0x0F).
CK_INLINE __m256i ck_nibbles32_raw(const uint8_t *p) {
    return _mm256_srlv_epi32(_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)p)),
                             _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4));
}

/// 16 bytes of nibbles -> 32 bytes: low nibbles first, then high nibbles (the 32-value layout).
CK_INLINE __m256i ck_nibbles32(const uint8_t *p) {
    return _mm256_and_si256(ck_nibbles32_raw(p), _mm256_set1_epi8(0x0F));
}

/// Byte i = 0xFF where bit i of `bits` is set, else 0.
CK_INLINE __m256i ck_bits_to_bytes(uint32_t bits) {
    __m256i v = _mm256_set1_epi32((int)bits);
    v = _mm256_shuffle_epi8(v, _mm256_setr_epi64x(0, 0x0101010101010101LL, 0x0202020202020202LL,
                                                  0x0303030303030303LL));
    const __m256i sel = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    return _mm256_cmpeq_epi8(_mm256_and_si256(v, sel), sel);
}

#ifdef CK_VNNI
#define CK_NT_LIMIT 8
#define CK_NT_CASES_5_8(fn)                                                                        \
        case 5: fn##_n(n, w, x, xs, 5, out, os); break;                                            \
        case 6: fn##_n(n, w, x, xs, 6, out, os); break;                                            \
        case 7: fn##_n(n, w, x, xs, 7, out, os); break;                                            \
        case 8: fn##_n(n, w, x, xs, 8, out, os); break;
#else
#define CK_NT_LIMIT 4
#define CK_NT_CASES_5_8(fn)
#endif

/// Stamp out fn##_n for NT = 1...CK_NT_LIMIT behind one ck_dot_fn (more tokens: several passes).
#define CK_NT_DISPATCH(fn)                                                                         \
    static void fn(int64_t n, const void *w, const void *x, size_t xs, int nt, float *out,         \
                   size_t os) {                                                                    \
        while (nt > 0) {                                                                           \
            const int k = nt < CK_NT_LIMIT ? nt : CK_NT_LIMIT;                                     \
            switch (k) {                                                                           \
            case 1: fn##_n(n, w, x, xs, 1, out, os); break;                                        \
            case 2: fn##_n(n, w, x, xs, 2, out, os); break;                                        \
            case 3: fn##_n(n, w, x, xs, 3, out, os); break;                                        \
            case 4: fn##_n(n, w, x, xs, 4, out, os); break;                                        \
            CK_NT_CASES_5_8(fn)                                                                    \
            }                                                                                      \
            x = (const char *)x + (size_t)k * xs;                                                  \
            out += (size_t)k * os;                                                                 \
            nt -= k;                                                                               \
        }                                                                                          \
    }

// MARK: - 32-value blocks x ck_block_q8a
//
// One block at a time per token: an integer dot product (8 int32 lanes), converted and scaled by
// d_w * d_x into a float accumulator. Blocks alternate between two accumulators so that the FMA
// latency chain does not bound the loop when NT is small.

/// Q8_0: signed x signed via |w| and sign(x, w).
#define CK_Q8_0_BLOCK(b, i, acc)                                                                   \
    do {                                                                                           \
        const __m256i q = ck_loadu((b) + 2);                                                       \
        const __m256i aq = _mm256_sign_epi8(q, q);                                                 \
        for (int t = 0; t < NT; t++) {                                                             \
            const ck_block_q8a *y = CK_X8A(x, xs, t) + (i);                                        \
            __m256i p = CK_DOT_U8S8(_mm256_setzero_si256(), aq, _mm256_sign_epi8(ck_loadu(y->qs), q)); \
            acc[t] = _mm256_fmadd_ps(ck_scale_hx(b, y->d), _mm256_cvtepi32_ps(p), acc[t]);         \
        }                                                                                          \
    } while (0)

/// Q4_0 / Q5_0 (and Q8_0 with VNNI): unsigned q with an offset: sum (q - off) x_q = sum q x_q -
/// off * sum x_q, the correction subtracted in lane 0 of the integer sum; SCALE(b, d_x) the scale.
#define CK_OFFSET_BLOCK(b, i, acc, LOAD_Q, OFF, SCALE)                                             \
    do {                                                                                           \
        const __m256i q = LOAD_Q(b);                                                               \
        for (int t = 0; t < NT; t++) {                                                             \
            const ck_block_q8a *y = CK_X8A(x, xs, t) + (i);                                        \
            __m256i p = CK_DOT_U8S8(_mm256_setr_epi32(-(OFF) * y->sum, 0, 0, 0, 0, 0, 0, 0), q,    \
                                    ck_loadu(y->qs));                                              \
            acc[t] = _mm256_fmadd_ps(SCALE(b, y->d), _mm256_cvtepi32_ps(p), acc[t]);               \
        }                                                                                          \
    } while (0)

/// Q4_1 / Q5_1: sum (d q + m) x = d_x * (d * sum q x_q + m * sum x_q).
#define CK_MIN_BLOCK(b, i, acc, LOAD_Q)                                                            \
    do {                                                                                           \
        const float d = ck_x86_h(b), m = ck_x86_h((b) + 2);                                      \
        const __m256i q = LOAD_Q(b);                                                               \
        for (int t = 0; t < NT; t++) {                                                             \
            const ck_block_q8a *y = CK_X8A(x, xs, t) + (i);                                        \
            __m256i p = CK_DOT_U8S8(_mm256_setzero_si256(), q, ck_loadu(y->qs));                   \
            __m256 f = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(p),                   \
                                       _mm256_setr_ps(m * (float)y->sum, 0, 0, 0, 0, 0, 0, 0));    \
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(y->d), f, acc[t]);                             \
        }                                                                                          \
    } while (0)

/// A 32-value dot product from a block step: pairs of blocks into two accumulators per token.
/// Every token is summed in the same order whatever NT is, so a token's result does not depend
/// on how many tokens share the call (batched decoding across streams gives each stream exactly
/// what it would get alone).
#define CK_DOT_PAIRED(name, bytes, BLOCK_STEP)                                                     \
    CK_INLINE void name##_n(int64_t n, const void *w, const void *x, size_t xs, const int NT,      \
                            float *out, size_t os) {                                               \
        __m256 acc0[CK_MAX_NTOK], acc1[CK_MAX_NTOK];                                               \
        for (int t = 0; t < NT; t++) { acc0[t] = _mm256_setzero_ps(); acc1[t] = _mm256_setzero_ps(); } \
        const uint8_t *b = w;                                                                      \
        const int64_t nb = n / CK_QK;                                                              \
        int64_t i = 0;                                                                             \
        for (; i + 1 < nb; i += 2, b += 2 * (bytes)) {                                             \
            BLOCK_STEP(b, i, acc0);                                                                \
            BLOCK_STEP(b + (bytes), i + 1, acc1);                                                  \
        }                                                                                          \
        for (; i < nb; i++, b += (bytes)) BLOCK_STEP(b, i, acc0);                                  \
        for (int t = 0; t < NT; t++) out[t * os] = ck_hsum_ps(_mm256_add_ps(acc0[t], acc1[t]));    \
    }                                                                                              \
    CK_NT_DISPATCH(name)

#define CK_Q_Q4_0(b) ck_nibbles32((b) + 2)
#define CK_Q_Q4_1(b) ck_nibbles32((b) + 4)
#ifdef CK_VNNI
// AVX-512 BW: the 32 fifth bits are a mask register; 16 where set, or-ed into the nibbles in one
// ternary-logic op ((raw & 0x0F) | fifth).
#define CK_Q5_FIFTH(nib, bits) \
    _mm256_ternarylogic_epi32(ck_nibbles32_raw(nib), _mm256_set1_epi8(0x0F), \
                              _mm256_maskz_mov_epi8((__mmask32)ck_read_u32(bits), _mm256_set1_epi8(16)), 0xEA)
#define CK_Q_Q5_0(b) CK_Q5_FIFTH((b) + 6, (b) + 2)
#define CK_Q_Q5_1(b) CK_Q5_FIFTH((b) + 8, (b) + 4)
#else
#define CK_Q_Q5_0(b)                                                                               \
    _mm256_or_si256(ck_nibbles32((b) + 6),                                                         \
                    _mm256_and_si256(ck_bits_to_bytes(ck_read_u32((b) + 2)), _mm256_set1_epi8(0x10)))
#define CK_Q_Q5_1(b)                                                                               \
    _mm256_or_si256(ck_nibbles32((b) + 8),                                                         \
                    _mm256_and_si256(ck_bits_to_bytes(ck_read_u32((b) + 4)), _mm256_set1_epi8(0x10)))
#endif

#ifdef CK_VNNI
// Q8_0 with VNNI: w + 128 (unsigned: w xor 0x80) times x, minus 128 * sum x: one instruction per
// token and block where the sign trick takes two (vpmaddubsw, without VNNI, would saturate on it).
// In cache: one token 34.6 -> 40.9 GMAC/s, four 46.5 -> 50.5; streamed from memory the same. The
// one-token rows (rows_q8_0_x86) do it the same way, so that a token's result does not depend on
// the tokens beside it.
#define CK_Q_Q8_0(b) _mm256_xor_si256(ck_loadu((b) + 2), _mm256_set1_epi8((char)0x80))
#define CK_STEP_Q8_0(b, i, acc) CK_OFFSET_BLOCK(b, i, acc, CK_Q_Q8_0, 128, ck_scale_hx)
#else
#define CK_STEP_Q8_0(b, i, acc) CK_Q8_0_BLOCK(b, i, acc)
#endif
#define CK_STEP_Q4_0(b, i, acc) CK_OFFSET_BLOCK(b, i, acc, CK_Q_Q4_0, 8, ck_scale_hx_table)
#define CK_STEP_Q5_0(b, i, acc) CK_OFFSET_BLOCK(b, i, acc, CK_Q_Q5_0, 16, ck_scale_hx_table)
#define CK_STEP_Q4_1(b, i, acc) CK_MIN_BLOCK(b, i, acc, CK_Q_Q4_1)
#define CK_STEP_Q5_1(b, i, acc) CK_MIN_BLOCK(b, i, acc, CK_Q_Q5_1)

CK_DOT_PAIRED(dot_q8_0_x86, 34, CK_STEP_Q8_0)
CK_DOT_PAIRED(dot_q4_0_x86, 18, CK_STEP_Q4_0)
CK_DOT_PAIRED(dot_q5_0_x86, 22, CK_STEP_Q5_0)
CK_DOT_PAIRED(dot_q4_1_x86, 20, CK_STEP_Q4_1)
CK_DOT_PAIRED(dot_q5_1_x86, 24, CK_STEP_Q5_1)

// MARK: - One token, several rows (token generation)
//
// For one token, a row of 640 values is only 20 blocks, so a call per row pays its set-up and its
// horizontal sum on every 20 blocks. These kernels take CK_ROWS rows per pass: each activation
// block (its quants, scale and offset correction) is loaded once for all of them, the rows give
// independent dependency chains, and their sums are reduced together. Per row, every lane sees
// exactly the operations of CK_DOT_PAIRED in the same order, and ck_hsum4_ps adds in ck_hsum_ps's
// order, so a row's result is bit-identical to the one-row kernel's.

#define CK_ROWS 4
/// Passes ahead that a pass prefetches. The weights stream from DRAM during token generation, and
/// reading 4 rows side by side hides the stream from the hardware prefetchers (measured: a third
/// of the one-row kernel's DRAM rate without this, 20 % above it with it).
#define CK_PF_PASSES 2

/// ck_hsum_ps of v[0..3] (order of additions kept), into out[0..3].
CK_INLINE void ck_hsum4_ps(const __m256 v[4], float *out) {
    // [a_lo + a_hi, b_lo + b_hi] and [c.., d..]: s_k = v_k + v_k+4.
    const __m256 ab = _mm256_add_ps(_mm256_permute2f128_ps(v[0], v[1], 0x20), _mm256_permute2f128_ps(v[0], v[1], 0x31));
    const __m256 cd = _mm256_add_ps(_mm256_permute2f128_ps(v[2], v[3], 0x20), _mm256_permute2f128_ps(v[2], v[3], 0x31));
    // t_k = s_k + s_k+2 (k = 0, 1): lanes [a0 a1 c0 c1 | b0 b1 d0 d1].
    const __m256 t = _mm256_add_ps(_mm256_shuffle_ps(ab, cd, 0x44), _mm256_shuffle_ps(ab, cd, 0xEE));
    // r = t_0 + t_1: lanes [a c a c | b d b d].
    const __m256 r = _mm256_add_ps(_mm256_shuffle_ps(t, t, 0x88), _mm256_shuffle_ps(t, t, 0xDD));
    const __m128 ac = _mm256_castps256_ps128(r), bd = _mm256_extractf128_ps(r, 1);
    out[0] = _mm_cvtss_f32(ac);
    out[1] = _mm_cvtss_f32(bd);
    out[2] = _mm_cvtss_f32(_mm_movehdup_ps(ac));
    out[3] = _mm_cvtss_f32(_mm_movehdup_ps(bd));
}

/// One block of R rows against activation block y: SHARED reads what the rows share from y,
/// ROW_DOT(b) gives a row's integer dot product (8 lanes), folded in as CK_DOT_PAIRED does with
/// the scale SCALE(b, d_x).
#define CK_ROWS_BLOCK(w, rb, i, bytes, acc, SHARED, ROW_DOT, SCALE)                                \
    do {                                                                                           \
        const ck_block_q8a *y = yb + (i);                                                          \
        SHARED;                                                                                    \
        for (int r = 0; r < R; r++) {                                                              \
            const uint8_t *b = (w) + (size_t)r * (rb) + (size_t)(i) * (bytes);                     \
            const __m256i p = ROW_DOT(b);                                                          \
            acc[r] = _mm256_fmadd_ps(SCALE(b, y->d), _mm256_cvtepi32_ps(p), acc[r]);               \
        }                                                                                          \
    } while (0)

/// name(n, w, row_bytes, rows, x, out): out[r] = dot(row r, x) for one token, R rows at a time.
#define CK_ROWS_PAIRED(name, bytes, SHARED, ROW_DOT, SCALE)                                        \
    CK_INLINE void name##_r(int64_t n, const uint8_t *w, size_t rb, const ck_block_q8a *yb,       \
                            const int R, float *out) {                                             \
        __m256 acc0[CK_ROWS], acc1[CK_ROWS];                                                       \
        for (int r = 0; r < R; r++) { acc0[r] = _mm256_setzero_ps(); acc1[r] = _mm256_setzero_ps(); } \
        const int64_t nb = n / CK_QK;                                                              \
        int64_t i = 0;                                                                             \
        /* The pass CK_PF_PASSES ahead, its lines spread evenly over this pass's block pairs. */   \
        const char *pf = (const char *)(w) + (size_t)CK_PF_PASSES * R * (rb);                     \
        const size_t pass_bytes = (size_t)R * (rb);                                                \
        const size_t step = (pass_bytes / (size_t)((nb + 1) / 2) + 63) & ~(size_t)63;             \
        size_t o = 0;                                                                              \
        for (; i + 1 < nb; i += 2) {                                                               \
            for (const size_t e = o + step; o < e && o < pass_bytes; o += 64) _mm_prefetch(pf + o, _MM_HINT_T0); \
            CK_ROWS_BLOCK(w, rb, i, bytes, acc0, SHARED, ROW_DOT, SCALE);                          \
            CK_ROWS_BLOCK(w, rb, i + 1, bytes, acc1, SHARED, ROW_DOT, SCALE);                      \
        }                                                                                          \
        if (i < nb) CK_ROWS_BLOCK(w, rb, i, bytes, acc0, SHARED, ROW_DOT, SCALE);                  \
        for (int r = 0; r < R; r++) acc0[r] = _mm256_add_ps(acc0[r], acc1[r]);                     \
        if (R == CK_ROWS) ck_hsum4_ps(acc0, out);                                                  \
        else for (int r = 0; r < R; r++) out[r] = ck_hsum_ps(acc0[r]);                             \
    }                                                                                              \
    static void name(int64_t n, const void *w, size_t rb, int64_t rows, const void *x, float *out) { \
        const uint8_t *wb = w;                                                                     \
        int64_t r = 0;                                                                             \
        for (; r + CK_ROWS <= rows; r += CK_ROWS) name##_r(n, wb + (size_t)r * rb, rb, x, CK_ROWS, out + r); \
        switch (rows - r) {                                                                        \
        case 1: name##_r(n, wb + (size_t)r * rb, rb, x, 1, out + r); break;                        \
        case 2: name##_r(n, wb + (size_t)r * rb, rb, x, 2, out + r); break;                        \
        case 3: name##_r(n, wb + (size_t)r * rb, rb, x, 3, out + r); break;                        \
        }                                                                                          \
    }

#define CK_SHARED_Q8_0 const __m256i yq = ck_loadu(y->qs)
#define CK_ROW_Q8_0(b)                                                                             \
    CK_DOT_U8S8(_mm256_setzero_si256(), _mm256_sign_epi8(ck_loadu((b) + 2), ck_loadu((b) + 2)),   \
                _mm256_sign_epi8(yq, ck_loadu((b) + 2)))
#define CK_SHARED_OFFSET(OFF)                                                                      \
    const __m256i yq = ck_loadu(y->qs);                                                            \
    const __m256i init = _mm256_setr_epi32(-(OFF) * y->sum, 0, 0, 0, 0, 0, 0, 0)
#define CK_ROW_OFFSET(b, LOAD_Q) CK_DOT_U8S8(init, LOAD_Q(b), yq)
#define CK_ROW_Q4_0(b) CK_ROW_OFFSET(b, CK_Q_Q4_0)
#define CK_ROW_Q5_0(b) CK_ROW_OFFSET(b, CK_Q_Q5_0)

#ifdef CK_VNNI
#define CK_ROW_Q8_0U(b) CK_ROW_OFFSET(b, CK_Q_Q8_0)
CK_ROWS_PAIRED(rows_q8_0_x86, 34, CK_SHARED_OFFSET(128), CK_ROW_Q8_0U, ck_scale_hx)
#else
CK_ROWS_PAIRED(rows_q8_0_x86, 34, CK_SHARED_Q8_0, CK_ROW_Q8_0, ck_scale_hx)
#endif
CK_ROWS_PAIRED(rows_q4_0_x86, 18, CK_SHARED_OFFSET(8), CK_ROW_Q4_0, ck_scale_hx_table)
CK_ROWS_PAIRED(rows_q5_0_x86, 22, CK_SHARED_OFFSET(16), CK_ROW_Q5_0, ck_scale_hx_table)

// MARK: - K-quants x ck_block_q8k

/// Shuffle controls that spread 16-bit word k of each 128-bit lane over the lane.
CK_INLINE __m256i ck_word_splat(int k) { return _mm256_set1_epi16((short)((2 * k + 1) << 8 | (2 * k))); }

/// Q4_K and Q5_K (QH: with the fifth bits at b + 16 and quants at b + 48): per super-block,
/// sum_j sc_j * (q . x)_j - dmin/d * sum_j m_j * bsum_j.
CK_INLINE void dot_k45_x86(int64_t n, const void *w, const void *x, size_t xs, const int NT,
                           float *out, size_t os, const int QH) {
    __m256 acc[CK_MAX_NTOK];
    for (int t = 0; t < NT; t++) acc[t] = _mm256_setzero_ps();
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const uint8_t *b = w;
    for (int64_t i = 0; i < n / CK_QKK; i++, b += QH ? 176 : 144) {
        // The 12 scale bytes as words A, B, C: scales 0-3 = A & 63, mins 0-3 = B & 63,
        // scales 4-7 = C low nibbles | A top bits << 4, mins 4-7 = C high nibbles | B top bits << 4.
        const uint32_t A = ck_read_u32(b + 4), B = ck_read_u32(b + 8), C = ck_read_u32(b + 12);
        const uint32_t sc03 = A & 0x3f3f3f3fu, sc47 = (C & 0x0f0f0f0fu) | ((A >> 2) & 0x30303030u);
        const uint32_t mn03 = B & 0x3f3f3f3fu, mn47 = ((C >> 4) & 0x0f0f0f0fu) | ((B >> 2) & 0x30303030u);
        // Scales as int16 in both lanes; mins each twice (multiply-add with the 16 bsums gives
        // m_j * (b_2j + b_2j+1)).
        const __m256i sc16 = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(_mm_setr_epi32((int)sc03, (int)sc47, 0, 0)));
        const __m128i m8 = _mm_setr_epi32((int)mn03, (int)mn47, 0, 0);
        const __m256i mins2 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m8, m8));
        __m256i isum_lo[CK_MAX_NTOK], isum_hi[CK_MAX_NTOK];
        for (int t = 0; t < NT; t++) { isum_lo[t] = _mm256_setzero_si256(); isum_hi[t] = _mm256_setzero_si256(); }
        const uint8_t *qs = b + (QH ? 48 : 16);
        const __m256i qh = QH ? ck_loadu(b + 16) : _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            const __m256i raw = ck_loadu(qs + 32 * c);
            __m256i lo = _mm256_and_si256(raw, low4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4);
            if (QH) {   // bit 2c of qh[l] is bit 4 of value 64c + l, bit 2c+1 of value 64c + 32 + l
                const __m256i bit = _mm256_set1_epi8(0x10);
                lo = _mm256_or_si256(lo, _mm256_and_si256(c < 3 ? _mm256_slli_epi16(qh, 4 - 2 * c)
                                                                : _mm256_srli_epi16(qh, 2), bit));
                hi = _mm256_or_si256(hi, _mm256_and_si256(c < 2 ? _mm256_slli_epi16(qh, 3 - 2 * c)
                                                                : _mm256_srli_epi16(qh, 2 * c - 3), bit));
            }
            const __m256i s_lo = _mm256_shuffle_epi8(sc16, ck_word_splat(2 * c));
            const __m256i s_hi = _mm256_shuffle_epi8(sc16, ck_word_splat(2 * c + 1));
            for (int t = 0; t < NT; t++) {
                const int8_t *yq = (CK_X8K(x, xs, t) + i)->qs + 64 * c;
                isum_lo[t] = CK_MADD_ACC(isum_lo[t], _mm256_maddubs_epi16(lo, ck_loadu(yq)), s_lo);
                isum_hi[t] = CK_MADD_ACC(isum_hi[t], _mm256_maddubs_epi16(hi, ck_loadu(yq + 32)), s_hi);
            }
        }
        for (int t = 0; t < NT; t++) {
            const ck_block_q8k *y = CK_X8K(x, xs, t) + i;
            const __m256i isum = _mm256_add_epi32(isum_lo[t], isum_hi[t]);
            acc[t] = _mm256_fmadd_ps(ck_scale_hx(b, y->d), _mm256_cvtepi32_ps(isum), acc[t]);
            const __m256i msum = _mm256_madd_epi16(ck_loadu(y->bsums), mins2);
            acc[t] = _mm256_fnmadd_ps(ck_scale_hx(b + 2, y->d), _mm256_cvtepi32_ps(msum), acc[t]);
        }
    }
    for (int t = 0; t < NT; t++) out[t * os] = ck_hsum_ps(acc[t]);
}
CK_INLINE void dot_q4_K_x86_n(int64_t n, const void *w, const void *x, size_t xs, const int NT,
                              float *out, size_t os) { dot_k45_x86(n, w, x, xs, NT, out, os, 0); }
CK_INLINE void dot_q5_K_x86_n(int64_t n, const void *w, const void *x, size_t xs, const int NT,
                              float *out, size_t os) { dot_k45_x86(n, w, x, xs, NT, out, os, 1); }
CK_NT_DISPATCH(dot_q4_K_x86)
CK_NT_DISPATCH(dot_q5_K_x86)

/// Q6_K: unsigned 6-bit q (0...63) times x, minus 32 * sum_j sc_j * bsum_j, scaled by d.
CK_INLINE void dot_q6_K_x86_n(int64_t n, const void *w, const void *x, size_t xs, const int NT,
                              float *out, size_t os) {
    __m256 acc[CK_MAX_NTOK];
    for (int t = 0; t < NT; t++) acc[t] = _mm256_setzero_ps();
    const __m256i low4 = _mm256_set1_epi8(0x0F), low2 = _mm256_set1_epi8(0x03);
    // Word pairs (2k, 2k+1) of a 128-bit lane: the low half of the result gets word 2k, the high
    // half word 2k+1 (the scales of a 32-value group's two 16-value halves).
    const __m256i pick[4] = {
        _mm256_setr_epi16(0x0100, 0x0100, 0x0100, 0x0100, 0x0100, 0x0100, 0x0100, 0x0100, 0x0302, 0x0302, 0x0302, 0x0302, 0x0302, 0x0302, 0x0302, 0x0302),
        _mm256_setr_epi16(0x0504, 0x0504, 0x0504, 0x0504, 0x0504, 0x0504, 0x0504, 0x0504, 0x0706, 0x0706, 0x0706, 0x0706, 0x0706, 0x0706, 0x0706, 0x0706),
        _mm256_setr_epi16(0x0908, 0x0908, 0x0908, 0x0908, 0x0908, 0x0908, 0x0908, 0x0908, 0x0b0a, 0x0b0a, 0x0b0a, 0x0b0a, 0x0b0a, 0x0b0a, 0x0b0a, 0x0b0a),
        _mm256_setr_epi16(0x0d0c, 0x0d0c, 0x0d0c, 0x0d0c, 0x0d0c, 0x0d0c, 0x0d0c, 0x0d0c, 0x0f0e, 0x0f0e, 0x0f0e, 0x0f0e, 0x0f0e, 0x0f0e, 0x0f0e, 0x0f0e),
    };
    const uint8_t *b = w;
    for (int64_t i = 0; i < n / CK_QKK; i++, b += 210) {
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)(b + 192));
        const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
        __m256i isum_a[CK_MAX_NTOK], isum_b[CK_MAX_NTOK];
        for (int t = 0; t < NT; t++) {
            // The -32 offset: -32 * sum_j sc_j * bsum_j.
            const ck_block_q8k *y = CK_X8K(x, xs, t) + i;
            isum_a[t] = _mm256_sub_epi32(_mm256_setzero_si256(),
                                         _mm256_slli_epi32(_mm256_madd_epi16(ck_loadu(y->bsums), sc16), 5));
            isum_b[t] = _mm256_setzero_si256();
        }
        for (int h = 0; h < 2; h++) {
            const uint8_t *ql = b + 64 * h, *qh = b + 128 + 32 * h;
            const __m256i la = ck_loadu(ql), lb = ck_loadu(ql + 32), hb = ck_loadu(qh);
            // Scales 8h...8h+7 as int16 in both 128-bit lanes.
            const __m256i sch = _mm256_broadcastsi128_si256(h == 0 ? _mm256_castsi256_si128(sc16)
                                                                   : _mm256_extracti128_si256(sc16, 1));
            for (int k = 0; k < 4; k++) {
                // Value group k (32 values at 128h + 32k): nibbles from la/lb, bit pair k of hb.
                const __m256i l4 = (k & 1) ? lb : la;
                const __m256i nib = (k < 2) ? _mm256_and_si256(l4, low4)
                                            : _mm256_and_si256(_mm256_srli_epi16(l4, 4), low4);
                const __m256i top = _mm256_and_si256(_mm256_srli_epi16(hb, 2 * k), low2);
                const __m256i q = _mm256_or_si256(nib, _mm256_slli_epi16(top, 4));
                const __m256i s16 = _mm256_shuffle_epi8(sch, pick[k]);
                for (int t = 0; t < NT; t++) {
                    const int8_t *yq = (CK_X8K(x, xs, t) + i)->qs + 128 * h + 32 * k;
                    const __m256i p = _mm256_maddubs_epi16(q, ck_loadu(yq));
                    if (k & 1) isum_b[t] = CK_MADD_ACC(isum_b[t], p, s16);
                    else isum_a[t] = CK_MADD_ACC(isum_a[t], p, s16);
                }
            }
        }
        for (int t = 0; t < NT; t++) {
            const ck_block_q8k *y = CK_X8K(x, xs, t) + i;
            const __m256i isum = _mm256_add_epi32(isum_a[t], isum_b[t]);
            acc[t] = _mm256_fmadd_ps(ck_scale_hx(b + 208, y->d), _mm256_cvtepi32_ps(isum), acc[t]);
        }
    }
    for (int t = 0; t < NT; t++) out[t * os] = ck_hsum_ps(acc[t]);
}
CK_NT_DISPATCH(dot_q6_K_x86)

#define CK_DOT_Q4_0 dot_q4_0_x86
#define CK_DOT_Q4_1 dot_q4_1_x86
#define CK_DOT_Q5_0 dot_q5_0_x86
#define CK_DOT_Q5_1 dot_q5_1_x86
#define CK_DOT_Q8_0 dot_q8_0_x86
#define CK_DOT_Q4_K dot_q4_K_x86
#define CK_DOT_Q5_K dot_q5_K_x86
#define CK_DOT_Q6_K dot_q6_K_x86
#define CK_ROWS_Q4_0 rows_q4_0_x86
#define CK_ROWS_Q5_0 rows_q5_0_x86
#define CK_ROWS_Q8_0 rows_q8_0_x86
