// ck_gemm_x86.h: the AVX-512 VNNI microkernel of the packed matrix product (see ck_gemm.h),
// included by ck_avx512.c after ck_gemm.h.
//
// A tile is the panel's 16 rows (one zmm: one int32 / float lane per row) times NT tokens. Per
// block of BK values the panel's BK/4 vectors are loaded once; each token then needs BK/4 vpdpbusd
// with its 4 activation bytes broadcast (the packed layout puts 4 values of each row in its lane),
// one conversion and two FMAs (scale and offset). NT accumulators stay in registers throughout.

CK_INLINE __m512i ck_bcast4(const int8_t *p) { return _mm512_set1_epi32((int)ck_read_u32((const uint8_t *)p)); }

/// One tile: 16 rows x NT tokens of one A8 group (NT <= CK_A8_GROUP).
CK_INLINE void ck_panel_tile_avx512(const ck_panel *p, int nrows, int64_t cols, const char *grp, const int NT,
                                    const int BK, float *y, int64_t ldy) {
    __m512 acc[CK_A8_GROUP];
    for (int t = 0; t < NT; t++) acc[t] = _mm512_setzero_ps();
    const uint8_t *u = p->u;
    const float *sw = p->sw, *mw = p->mw;
    const int8_t *xq = ck_a8_q(grp, 0, 0);
    const float *xd = ck_a8_d(grp, cols, 0, 0);
    const float *xs = BK == 32 ? ck_a8_s32(grp, cols, 0, 0) : ck_a8_s16(grp, cols, 0, 0);
    // Per 32 values: BK = 32 is one block, BK = 16 two (with their own scales and offsets).
    for (int64_t b32 = 0; b32 < cols / 32; b32++) {
        for (int h = 0; h < 32 / BK; h++) {
            __m512i w[8];
            for (int g = 0; g < BK / 4; g++) w[g] = _mm512_load_si512((const __m512i *)u + g);
            const __m512 swv = _mm512_load_ps(sw), mwv = _mm512_load_ps(mw);
            for (int t = 0; t < NT; t++) {
                const int8_t *q = xq + 32 * t + BK * h;
                __m512i isum = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w[0], ck_bcast4(q));
                for (int g = 1; g < BK / 4; g++) isum = _mm512_dpbusd_epi32(isum, w[g], ck_bcast4(q + 4 * g));
                const __m512 scale = _mm512_mul_ps(swv, _mm512_set1_ps(xd[t]));
                acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), scale, acc[t]);
                acc[t] = _mm512_fmadd_ps(mwv, _mm512_set1_ps(xs[CK_A8_GROUP * h + t]), acc[t]);
            }
            u += BK * CK_PANEL;
            sw += CK_PANEL;
            mw += CK_PANEL;
        }
        xq += 32 * CK_A8_GROUP;
        xd += CK_A8_GROUP;
        xs += CK_A8_GROUP * (32 / BK);
    }
    const __mmask16 mask = (__mmask16)(nrows >= CK_PANEL ? 0xFFFF : (1u << nrows) - 1);
    for (int t = 0; t < NT; t++) _mm512_mask_storeu_ps(y + (size_t)t * (size_t)ldy, mask, acc[t]);
}

#define CK_TILE_CASE(nt, bk) \
    case nt: ck_panel_tile_avx512(p, nrows, cols, grp, nt, bk, out, ldy); break;
#if CK_A8_GROUP == 8
#define CK_TILE_CASES(bk) CK_TILE_CASE(1, bk) CK_TILE_CASE(2, bk) CK_TILE_CASE(3, bk) CK_TILE_CASE(4, bk) \
    CK_TILE_CASE(5, bk) CK_TILE_CASE(6, bk) CK_TILE_CASE(7, bk) CK_TILE_CASE(8, bk)
#elif CK_A8_GROUP == 16
#define CK_TILE_CASES(bk) CK_TILE_CASE(1, bk) CK_TILE_CASE(2, bk) CK_TILE_CASE(3, bk) CK_TILE_CASE(4, bk) \
    CK_TILE_CASE(5, bk) CK_TILE_CASE(6, bk) CK_TILE_CASE(7, bk) CK_TILE_CASE(8, bk) CK_TILE_CASE(9, bk) \
    CK_TILE_CASE(10, bk) CK_TILE_CASE(11, bk) CK_TILE_CASE(12, bk) CK_TILE_CASE(13, bk) CK_TILE_CASE(14, bk) \
    CK_TILE_CASE(15, bk) CK_TILE_CASE(16, bk)
#else
#error "CK_A8_GROUP must be 8 or 16"
#endif

/// Every token of a packed panel, one A8 group at a time.
static void ck_panel_tokens_avx512(const ck_panel *p, int nrows, int64_t cols, const void *xa, int64_t ntok,
                                   float *y, int64_t ldy) {
    for (int64_t t0 = 0; t0 < ntok; t0 += CK_A8_GROUP) {
        const int nt = (int)(ntok - t0 < CK_A8_GROUP ? ntok - t0 : CK_A8_GROUP);
        const char *grp = ck_a8_group(xa, cols, t0 / CK_A8_GROUP);
        float *out = y + t0 * ldy;
        if (p->bk == 32) {
            switch (nt) { CK_TILE_CASES(32) }
        } else {
            switch (nt) { CK_TILE_CASES(16) }
        }
    }
}

#define CK_PANEL_TOKENS ck_panel_tokens_avx512
