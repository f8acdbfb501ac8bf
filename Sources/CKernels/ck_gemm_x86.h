// ck_gemm_x86.h: the AVX-512 VNNI microkernel of the packed matrix product (see ck_gemm.h),
// included by ck_avx512.c after ck_gemm.h.
//
// A tile is the panel's 16 rows (one zmm: one int32 / float lane per row) times NT tokens. Per
// block of BK values the panel's BK/4 vectors are loaded once; each token then needs BK/4 vpdpbusd
// with its 4 activation bytes broadcast (the packed layout puts 4 values of each row in its lane),
// one conversion and two FMAs (scale and offset). NT accumulators stay in registers throughout.

#define CK_GEMM_NT 8

CK_INLINE void ck_panel_tile_avx512(const ck_panel *p, int nrows, int64_t cols, const char *xa, size_t xs,
                                    const int NT, const int BK, float *y, int64_t ldy) {
    const int G = BK / 4;
    __m512 acc[CK_GEMM_NT];
    const int8_t *xq[CK_GEMM_NT];
    const float *xd[CK_GEMM_NT], *xsum[CK_GEMM_NT];
    for (int t = 0; t < NT; t++) {
        const char *x = xa + (size_t)t * xs;
        acc[t] = _mm512_setzero_ps();
        xq[t] = (const int8_t *)x;
        xd[t] = ck_a8_d(x, cols);
        xsum[t] = BK == 32 ? ck_a8_s32(x, cols) : ck_a8_s16(x, cols);
    }
    for (int64_t b = 0; b < p->nb; b++) {
        const __m512i *u = (const __m512i *)(p->u + (size_t)b * BK * CK_PANEL);
        __m512i w[8];
        for (int g = 0; g < G; g++) w[g] = _mm512_load_si512(u + g);
        const __m512 sw = _mm512_load_ps(p->sw + b * CK_PANEL), mw = _mm512_load_ps(p->mw + b * CK_PANEL);
        for (int t = 0; t < NT; t++) {
            const uint8_t *q = (const uint8_t *)(xq[t] + b * BK);
            __m512i isum = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w[0], _mm512_set1_epi32((int)ck_read_u32(q)));
            for (int g = 1; g < G; g++)
                isum = _mm512_dpbusd_epi32(isum, w[g], _mm512_set1_epi32((int)ck_read_u32(q + 4 * g)));
            const __m512 scale = _mm512_mul_ps(sw, _mm512_set1_ps(xd[t][b * BK / 32]));
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), scale, acc[t]);
            acc[t] = _mm512_fmadd_ps(mw, _mm512_set1_ps(xsum[t][b]), acc[t]);
        }
    }
    const __mmask16 mask = (__mmask16)(nrows >= CK_PANEL ? 0xFFFF : (1u << nrows) - 1);
    for (int t = 0; t < NT; t++) _mm512_mask_storeu_ps(y + (size_t)t * (size_t)ldy, mask, acc[t]);
}

#define CK_TILE_CASE(nt, bk) \
    case nt: ck_panel_tile_avx512(p, nrows, cols, x, xs, nt, bk, out, ldy); break;

/// Every token of a packed panel, CK_GEMM_NT at a time.
static void ck_panel_tokens_avx512(const ck_panel *p, int nrows, int64_t cols, const char *xa, size_t xs,
                                   int64_t ntok, float *y, int64_t ldy) {
    for (int64_t t0 = 0; t0 < ntok; t0 += CK_GEMM_NT) {
        const int nt = (int)(ntok - t0 < CK_GEMM_NT ? ntok - t0 : CK_GEMM_NT);
        const char *x = xa + (size_t)t0 * xs;
        float *out = y + t0 * ldy;
        if (p->bk == 32) {
            switch (nt) {
                CK_TILE_CASE(1, 32) CK_TILE_CASE(2, 32) CK_TILE_CASE(3, 32) CK_TILE_CASE(4, 32)
                CK_TILE_CASE(5, 32) CK_TILE_CASE(6, 32) CK_TILE_CASE(7, 32) CK_TILE_CASE(8, 32)
            }
        } else {
            switch (nt) {
                CK_TILE_CASE(1, 16) CK_TILE_CASE(2, 16) CK_TILE_CASE(3, 16) CK_TILE_CASE(4, 16)
                CK_TILE_CASE(5, 16) CK_TILE_CASE(6, 16) CK_TILE_CASE(7, 16) CK_TILE_CASE(8, 16)
            }
        }
    }
}

#define CK_PANEL_TOKENS ck_panel_tokens_avx512
