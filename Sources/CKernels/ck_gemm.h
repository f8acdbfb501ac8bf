// ck_gemm.h: the packed matrix product for many tokens (prompt processing), in plain C.
//
// Included by every ck_<isa>.c after ck_impl.h. A 16-row panel of quantized weights is decoded
// once into "u8 + scale + offset" form (x = sw * u + mw per block of BK = 16 or 32 values, u an
// unsigned byte) and interleaved so that one 64-byte vector holds 4 consecutive values of each of
// the 16 rows; the panel is then reused for every token. Activations are 8-bit ("A8" rows, see
// ck_kernels.h) with float scales per 32 values and precomputed d * sum(q) per 16 and 32.
//
//   dot(row r, token t) = sum over blocks b of  sw[b][r] * d_t(b) * sum_i u[b][r][i] * q_t[b][i]
//                                             + mw[b][r] * s_t(b)          (s = d * sum(q))
//
// This file holds the packers (one per weight type) and the portable microkernel, which is also
// the oracle of the hand-written ones: AVX-512 VNNI (ck_gemm_x86.h) and AVX2 (ck_gemm_avx2.h).

#define CK_PANEL 16

// MARK: - Activations

/// A8 activations of ntok tokens of n values come in groups of CK_A8_GROUP tokens (the last one
/// partly used). Within a group, per block of 32 values, the tokens' values lie side by side, so
/// that a tile of tokens reads one stream: int8 q[n/32][G][32], then float d[n/32][G] (x ~ d * q),
/// s32[n/32][G] and s16[n/16][G] (d * the sum of q over each 32 / 16 values).
static inline char *ck_a8_group(const void *xa, int64_t n, int64_t g) {
    return (char *)xa + (size_t)g * (size_t)n * CK_A8_GROUP * 3 / 2;
}
static inline int8_t *ck_a8_q(const char *grp, int64_t b32, int j) { return (int8_t *)grp + (b32 * CK_A8_GROUP + j) * 32; }
static inline float *ck_a8_d(const char *grp, int64_t n, int64_t b32, int j) {
    return (float *)(grp + n * CK_A8_GROUP) + b32 * CK_A8_GROUP + j;
}
static inline float *ck_a8_s32(const char *grp, int64_t n, int64_t b32, int j) {
    return (float *)(grp + n * CK_A8_GROUP + n * CK_A8_GROUP / 8) + b32 * CK_A8_GROUP + j;
}
static inline float *ck_a8_s16(const char *grp, int64_t n, int64_t b16, int j) {
    return (float *)(grp + n * CK_A8_GROUP + n * CK_A8_GROUP / 4) + b16 * CK_A8_GROUP + j;
}

/// Quantize token t's n floats into the A8 activations `dst`; one scale per `scale_block` values
/// (32, or 256 as ggml's Q8_K does for K-quant weights).
static void quantize_a8(const float *x, void *dst, int64_t n, int64_t t, int scale_block) {
    const char *grp = ck_a8_group(dst, n, t / CK_A8_GROUP);
    const int j = (int)(t % CK_A8_GROUP);
    for (int64_t b0 = 0; b0 < n; b0 += scale_block) {
        float amax = 0;
        for (int i = 0; i < scale_block; i++) amax = fmaxf(amax, fabsf(x[b0 + i]));
        const float scale = amax / 127.0f, inv = amax > 0 ? 127.0f / amax : 0.0f;
        for (int64_t b = b0 / 32; b < (b0 + scale_block) / 32; b++) {
            int8_t *q = ck_a8_q(grp, b, j);
            int32_t sum[2] = {0, 0};
            for (int i = 0; i < 32; i++) {
                q[i] = (int8_t)lrintf(x[32 * b + i] * inv);
                sum[i / 16] += q[i];
            }
            *ck_a8_d(grp, n, b, j) = scale;
            *ck_a8_s32(grp, n, b, j) = scale * (float)(sum[0] + sum[1]);
            *ck_a8_s16(grp, n, 2 * b, j) = scale * (float)sum[0];
            *ck_a8_s16(grp, n, 2 * b + 1, j) = scale * (float)sum[1];
        }
    }
}

// MARK: - Packing

/// A packed panel of `cols` columns in blocks of `bk`: u bytes [nb][bk/4][16 rows][4], then
/// float sw[nb][16] and mw[nb][16]. Every u is at most `umax` (the type's largest packed value;
/// kernels without 32-bit byte products use it to bound their 16-bit partial sums).
typedef struct {
    uint8_t *u;
    float *sw, *mw;
    int bk;
    int64_t nb;
    int umax;
} ck_panel;

/// Store the `bk` values `u` of row r, block b, into the interleaved layout.
static inline void ck_panel_put(const ck_panel *p, int64_t b, int r, const uint8_t *u) {
    uint8_t *dst = p->u + (size_t)b * (size_t)p->bk * CK_PANEL + (size_t)r * 4;
    for (int g = 0; g < p->bk / 4; g++) memcpy(dst + g * 4 * CK_PANEL, u + 4 * g, 4);
}

static inline void ck_panel_scale(const ck_panel *p, int64_t b, int r, float sw, float mw) {
    p->sw[b * CK_PANEL + r] = sw;
    p->mw[b * CK_PANEL + r] = mw;
}

/// Packs rows 0 ..< nrows (at most CK_PANEL) of `cols` values; rows past nrows become zero.
typedef void (*ck_pack_fn)(const uint8_t *w, size_t row_bytes, int nrows, int64_t cols, const ck_panel *p);

/// The 32-value block types whose values are d q + m: each block decoded to its quants, scale
/// and offset, then laid into the panel.
typedef void (*ck_decode32_fn)(const uint8_t *b, uint8_t q[32], float *d, float *m);

static inline void pack_blocks32(const uint8_t *w, size_t rb, int nrows, int64_t cols, const ck_panel *p,
                                 int block_bytes, ck_decode32_fn decode) {
    for (int r = 0; r < nrows; r++) {
        const uint8_t *b = w + (size_t)r * rb;
        for (int64_t i = 0; i < cols / 32; i++, b += block_bytes) {
            uint8_t q[32];
            float d, m;
            decode(b, q, &d, &m);
            ck_panel_put(p, i, r, q);
            ck_panel_scale(p, i, r, d, m);
        }
    }
}

/// Q4_0 and Q5_0 store q with an offset of 8 and 16: m = -8 d, -16 d.
static inline void decode_q4_0_dm(const uint8_t *b, uint8_t q[32], float *d, float *m) {
    *d = decode_q4_0(b, q);
    *m = -8.0f * *d;
}
static inline void decode_q5_0_dm(const uint8_t *b, uint8_t q[32], float *d, float *m) {
    *d = decode_q5_0(b, q);
    *m = -16.0f * *d;
}

static void pack_q4_0(const uint8_t *w, size_t rb, int nrows, int64_t cols, const ck_panel *p) {
    pack_blocks32(w, rb, nrows, cols, p, 18, decode_q4_0_dm);
}
static void pack_q4_1(const uint8_t *w, size_t rb, int nrows, int64_t cols, const ck_panel *p) {
    pack_blocks32(w, rb, nrows, cols, p, 20, decode_q4_1);
}
static void pack_q5_0(const uint8_t *w, size_t rb, int nrows, int64_t cols, const ck_panel *p) {
    pack_blocks32(w, rb, nrows, cols, p, 22, decode_q5_0_dm);
}
static void pack_q5_1(const uint8_t *w, size_t rb, int nrows, int64_t cols, const ck_panel *p) {
    pack_blocks32(w, rb, nrows, cols, p, 24, decode_q5_1);
}

/// Q8_0: signed q becomes u = q + 128, and the offset -128 d.
static void pack_q8_0(const uint8_t *w, size_t rb, int nrows, int64_t cols, const ck_panel *p) {
    for (int r = 0; r < nrows; r++) {
        const uint8_t *b = w + (size_t)r * rb;
        for (int64_t i = 0; i < cols / 32; i++, b += 34) {
            uint8_t u[32];
            for (int j = 0; j < 32; j++) u[j] = (uint8_t)(b[2 + j] ^ 0x80);
            const float d = ck_read_h(b);
            ck_panel_put(p, i, r, u);
            ck_panel_scale(p, i, r, d, -128.0f * d);
        }
    }
}

/// Q2_K: 16 sub-blocks of 16 with scale d*sc and min dmin*m.
static void pack_q2_K(const uint8_t *w, size_t rb, int nrows, int64_t cols, const ck_panel *p) {
    for (int r = 0; r < nrows; r++) {
        const uint8_t *b = w + (size_t)r * rb;
        for (int64_t i = 0; i < cols / 256; i++, b += 84) {
            uint8_t q[256], sc[16], mn[16];
            float d, dmin;
            decode_q2_K(b, q, sc, mn, &d, &dmin);
            for (int j = 0; j < 16; j++) {
                ck_panel_put(p, 16 * i + j, r, q + 16 * j);
                ck_panel_scale(p, 16 * i + j, r, d * (float)sc[j], -dmin * (float)mn[j]);
            }
        }
    }
}

/// Q3_K: q in -4...3 becomes u = q + 4 with the offset -4 d sc.
static void pack_q3_K(const uint8_t *w, size_t rb, int nrows, int64_t cols, const ck_panel *p) {
    for (int r = 0; r < nrows; r++) {
        const uint8_t *b = w + (size_t)r * rb;
        for (int64_t i = 0; i < cols / 256; i++, b += 110) {
            int8_t q[256], sc[16];
            const float d = decode_q3_K(b, q, sc);
            uint8_t u[256];
            for (int j = 0; j < 256; j++) u[j] = (uint8_t)(q[j] + 4);
            for (int j = 0; j < 16; j++) {
                const float s = d * (float)sc[j];
                ck_panel_put(p, 16 * i + j, r, u + 16 * j);
                ck_panel_scale(p, 16 * i + j, r, s, -4.0f * s);
            }
        }
    }
}

/// Q4_K and Q5_K: 8 sub-blocks of 32 with scale d*sc and min dmin*m.
#define CK_PACK_K45(name, bytes, decode)                                                           \
    static void name(const uint8_t *w, size_t rb, int nrows, int64_t cols, const ck_panel *p) {    \
        for (int r = 0; r < nrows; r++) {                                                          \
            const uint8_t *b = w + (size_t)r * rb;                                                 \
            for (int64_t i = 0; i < cols / 256; i++, b += (bytes)) {                               \
                uint8_t q[256], sc[8], mn[8];                                                      \
                float d, dmin;                                                                     \
                decode(b, q, sc, mn, &d, &dmin);                                                   \
                for (int j = 0; j < 8; j++) {                                                      \
                    ck_panel_put(p, 8 * i + j, r, q + 32 * j);                                     \
                    ck_panel_scale(p, 8 * i + j, r, d * (float)sc[j], -dmin * (float)mn[j]);       \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }
CK_PACK_K45(pack_q4_K, 144, decode_q4_K)
CK_PACK_K45(pack_q5_K, 176, decode_q5_K)

/// Q6_K: 16 sub-blocks of 16; q in -32...31 becomes u = q + 32 with the offset -32 d sc.
static void pack_q6_K(const uint8_t *w, size_t rb, int nrows, int64_t cols, const ck_panel *p) {
    for (int r = 0; r < nrows; r++) {
        const uint8_t *b = w + (size_t)r * rb;
        for (int64_t i = 0; i < cols / 256; i++, b += 210) {
            int8_t q[256], sc[16];
            const float d = decode_q6_K(b, q, sc);
            uint8_t u[256];
            for (int j = 0; j < 256; j++) u[j] = (uint8_t)(q[j] + 32);
            for (int j = 0; j < 16; j++) {
                const float s = d * (float)sc[j];
                ck_panel_put(p, 16 * i + j, r, u + 16 * j);
                ck_panel_scale(p, 16 * i + j, r, s, -32.0f * s);
            }
        }
    }
}

/// The largest byte the packer of a ggml type writes (see the packers above).
static int ck_pack_umax(uint32_t type) {
    switch (type) {
    case 10: return 3;                        // Q2_K
    case 11: return 7;                        // Q3_K: q + 4, q in -4...3
    case 2: case 3: case 12: return 15;       // Q4_0, Q4_1, Q4_K
    case 6: case 7: case 13: return 31;       // Q5_0, Q5_1, Q5_K
    case 14: return 63;                       // Q6_K: q + 32, q in -32...31
    default: return 255;                      // Q8_0: q + 128
    }
}

/// The packer of a ggml type and its block size, or NULL for types without one.
static ck_pack_fn ck_packer(uint32_t type, int *bk) {
    switch (type) {
    case 2: *bk = 32; return pack_q4_0;
    case 3: *bk = 32; return pack_q4_1;
    case 6: *bk = 32; return pack_q5_0;
    case 7: *bk = 32; return pack_q5_1;
    case 8: *bk = 32; return pack_q8_0;
    case 10: *bk = 16; return pack_q2_K;
    case 11: *bk = 16; return pack_q3_K;
    case 12: *bk = 32; return pack_q4_K;
    case 13: *bk = 32; return pack_q5_K;
    case 14: *bk = 16; return pack_q6_K;
    default: *bk = 0; return NULL;
    }
}

// MARK: - Portable microkernel

/// y[t * ldy + r] for r < nrows and t < ntok, from a packed panel and A8 activations of `cols` values.
static void ck_panel_tokens_plain(const ck_panel *p, int nrows, int64_t cols, const void *xa, int64_t ntok,
                                  float *y, int64_t ldy) {
    const int bk = p->bk, groups = bk / 4;
    for (int64_t t = 0; t < ntok; t++) {
        const char *grp = ck_a8_group(xa, cols, t / CK_A8_GROUP);
        const int j = (int)(t % CK_A8_GROUP);
        float acc[CK_PANEL] = {0};
        for (int64_t b = 0; b < p->nb; b++) {
            int32_t isum[CK_PANEL] = {0};
            const uint8_t *u = p->u + (size_t)b * (size_t)bk * CK_PANEL;
            const int64_t b32 = b * bk / 32;
            const int8_t *q = ck_a8_q(grp, b32, j) + (bk == 16 ? 16 * (b % 2) : 0);
            for (int g = 0; g < groups; g++)
                for (int i = 0; i < 4; i++) {
                    const int32_t qv = q[4 * g + i];
                    for (int r = 0; r < CK_PANEL; r++) isum[r] += (int32_t)u[(g * CK_PANEL + r) * 4 + i] * qv;
                }
            const float db = *ck_a8_d(grp, cols, b32, j);
            const float sb = bk == 32 ? *ck_a8_s32(grp, cols, b, j) : *ck_a8_s16(grp, cols, b, j);
            const float *sw = p->sw + b * CK_PANEL, *mw = p->mw + b * CK_PANEL;
            for (int r = 0; r < CK_PANEL; r++) acc[r] += sw[r] * (db * (float)isum[r]) + mw[r] * sb;
        }
        for (int r = 0; r < nrows; r++) y[t * ldy + r] = acc[r];
    }
}

/// Bytes of the panel buffer for `cols` columns (any block size).
static size_t ck_panel_buffer_bytes(int64_t cols) {
    return (size_t)cols * CK_PANEL + 2 * (size_t)(cols / 16) * CK_PANEL * sizeof(float);
}

/// Defines `name`: rows r0 ..< r1 in panels of CK_PANEL, each packed once and run over every
/// token by `kernel` (a function like ck_panel_tokens_plain; it may overwrite the panel, which is
/// scratch). It returns 0 when the type has no packer (or memory ran out), 1 when done.
/// ck_table.h stamps it out with the ISA's kernel.
#define CK_GEMM_DRIVER(name, kernel)                                                               \
    static int name(uint32_t type, const void *w, size_t row_bytes, int64_t cols, int64_t r0,      \
                    int64_t r1, const void *xa, int64_t ntok, float *y, int64_t ldy) {             \
        int bk;                                                                                    \
        const ck_pack_fn pack = ck_packer(type, &bk);                                              \
        if (!pack) return 0;                                                                       \
        const int64_t nb = cols / bk;                                                              \
        const size_t bytes = (ck_panel_buffer_bytes(cols) + 63) / 64 * 64;                         \
        uint8_t *buffer = aligned_alloc(64, bytes);                                                \
        if (!buffer) return 0;                                                                     \
        ck_panel p = {buffer, (float *)(buffer + (size_t)cols * CK_PANEL), NULL, bk, nb,           \
                      ck_pack_umax(type)};                                                         \
        p.mw = p.sw + nb * CK_PANEL;                                                               \
        for (int64_t r = r0; r < r1; r += CK_PANEL) {                                              \
            const int nrows = (int)(r1 - r < CK_PANEL ? r1 - r : CK_PANEL);                        \
            if (nrows < CK_PANEL) memset(buffer, 0, bytes);                                        \
            pack((const uint8_t *)w + (size_t)r * row_bytes, row_bytes, nrows, cols, &p);          \
            kernel(&p, nrows, cols, xa, ntok, y + r, ldy);                                         \
        }                                                                                          \
        free(buffer);                                                                              \
        return 1;                                                                                  \
    }
