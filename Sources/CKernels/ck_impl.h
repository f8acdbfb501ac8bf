// ck_impl.h: the portable kernels, written once in plain C and compiled once per ISA.
//
// Each ck_<isa>.c file includes this under a different `#pragma clang attribute` target, so clang
// auto-vectorizes the same loops for SSE2, AVX2 or AVX-512. Everything here is `static`: each
// translation unit gets its own copy, and only its ck_isa_table is visible outside.
//
// Block layouts are ggml's (ggml-common.h); the maths of the quantized dot products follows ggml's
// vec_dot kernels: integer sums per sub-block, scaled by the block's float factors.
//
// A translation unit may define CK_F16C before including this file to convert halves in hardware.
#include <math.h>
#include <string.h>
#include "ck_kernels.h"

// The float vector helpers are static inline: their vector ABI never crosses a call boundary.
#pragma clang diagnostic ignored "-Wpsabi"

#define CK_QK 32      // values per block of the 32-value formats
#define CK_QKK 256    // values per K-quant super-block

// MARK: - Scalar helpers

static inline uint16_t ck_read_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t ck_read_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/// IEEE half -> float (exact; handles zero, subnormals, infinities and NaN).
static inline float ck_h2f(uint16_t h) {
#ifdef CK_F16C
    return _cvtsh_ss(h);
#else
    const uint32_t exp_mask = 0x7c00u << 13;   // the half's exponent, moved to float position
    uint32_t bits = (uint32_t)(h & 0x7fffu) << 13;
    uint32_t exp = bits & exp_mask;
    bits += (127u - 15u) << 23;                // rebias the exponent
    float f;
    if (exp == exp_mask) {                     // Inf / NaN: exponent all ones
        bits += (128u - 16u) << 23;
        memcpy(&f, &bits, 4);
    } else if (exp == 0) {                     // zero / subnormal: renormalize through the FPU
        bits += 1u << 23;
        memcpy(&f, &bits, 4);
        f -= 6.103515625e-05f;                 // 2^-14
    } else {
        memcpy(&f, &bits, 4);
    }
    uint32_t out;
    memcpy(&out, &f, 4);
    out |= (uint32_t)(h & 0x8000u) << 16;
    memcpy(&f, &out, 4);
    return f;
#endif
}

static inline float ck_read_h(const uint8_t *p) { return ck_h2f(ck_read_u16(p)); }

/// ck_h2f of every half, indexed by its bits (ck_generic.c; filled by ck_matmul_rows).
extern float ck_half_table[65536];

static inline float ck_bf2f(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline int32_t ck_idot_u8s8(const uint8_t *a, const int8_t *b, int n) {
    int32_t s = 0;
    for (int i = 0; i < n; i++) s += (int32_t)a[i] * (int32_t)b[i];
    return s;
}

static inline int32_t ck_idot_s8s8(const int8_t *a, const int8_t *b, int n) {
    int32_t s = 0;
    for (int i = 0; i < n; i++) s += (int32_t)a[i] * (int32_t)b[i];
    return s;
}

// MARK: - Float vectors (clang vector extensions: SSE pairs in generic, ymm with AVX2)

typedef float ck_v8f __attribute__((vector_size(32), aligned(4)));

static inline ck_v8f ck_load8(const float *p) { ck_v8f v; memcpy(&v, p, 32); return v; }
static inline float ck_hsum8(ck_v8f v) {
    return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}

static float dot_f32(const float *a, const float *b, int64_t n) {
    ck_v8f s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 += ck_load8(a + i) * ck_load8(b + i);
        s1 += ck_load8(a + i + 8) * ck_load8(b + i + 8);
        s2 += ck_load8(a + i + 16) * ck_load8(b + i + 16);
        s3 += ck_load8(a + i + 24) * ck_load8(b + i + 24);
    }
    for (; i + 8 <= n; i += 8) s0 += ck_load8(a + i) * ck_load8(b + i);
    float s = ck_hsum8((s0 + s1) + (s2 + s3));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

static void axpy_f32(float a, const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

// MARK: - Dequantization (exact: no fused multiply-add, so results match ggml's and numpy's)

static void dequant_f32(const void *src, float *dst, int64_t n) { memcpy(dst, src, (size_t)n * 4); }

static void dequant_f16(const void *src, float *dst, int64_t n) {
    const uint8_t *p = src;
    for (int64_t i = 0; i < n; i++) dst[i] = ck_read_h(p + 2 * i);
}

static void dequant_bf16(const void *src, float *dst, int64_t n) {
    const uint8_t *p = src;
    for (int64_t i = 0; i < n; i++) dst[i] = ck_bf2f(ck_read_u16(p + 2 * i));
}

// Decoders: one block's quants as small integers (and its sub-block scales), shared by the
// dequantizers and the generic dot products.

/// Q4_0 {half d; u8 qs[16]}: value j (<16) = low nibble of qs[j], j+16 = high nibble; x = d*(q-8).
static inline float decode_q4_0(const uint8_t *b, uint8_t q[32]) {
    for (int j = 0; j < 16; j++) { q[j] = b[2 + j] & 15; q[j + 16] = b[2 + j] >> 4; }
    return ck_read_h(b);
}

/// Q4_1 {half d, m; u8 qs[16]}: x = d*q + m.
static inline void decode_q4_1(const uint8_t *b, uint8_t q[32], float *d, float *m) {
    for (int j = 0; j < 16; j++) { q[j] = b[4 + j] & 15; q[j + 16] = b[4 + j] >> 4; }
    *d = ck_read_h(b);
    *m = ck_read_h(b + 2);
}

/// Q5_0 {half d; u32 qh; u8 qs[16]}: bit j of qh is bit 4 of value j; x = d*(q-16).
static inline float decode_q5_0(const uint8_t *b, uint8_t q[32]) {
    uint32_t qh = ck_read_u32(b + 2);
    for (int j = 0; j < 16; j++) {
        q[j] = (uint8_t)((b[6 + j] & 15) | (((qh >> j) & 1) << 4));
        q[j + 16] = (uint8_t)((b[6 + j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
    }
    return ck_read_h(b);
}

/// Q5_1 {half d, m; u32 qh; u8 qs[16]}: x = d*q + m.
static inline void decode_q5_1(const uint8_t *b, uint8_t q[32], float *d, float *m) {
    uint32_t qh = ck_read_u32(b + 4);
    for (int j = 0; j < 16; j++) {
        q[j] = (uint8_t)((b[8 + j] & 15) | (((qh >> j) & 1) << 4));
        q[j + 16] = (uint8_t)((b[8 + j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
    }
    *d = ck_read_h(b);
    *m = ck_read_h(b + 2);
}

/// Q2_K {u8 scales[16]; u8 qs[64]; half d, dmin}: 16 sub-blocks of 16 with 4-bit scale (low
/// nibble) and min (high nibble); x = d*sc*q - dmin*m, q in 0...3.
static inline void decode_q2_K(const uint8_t *b, uint8_t q[256], uint8_t sc[16], uint8_t mn[16],
                               float *d, float *dmin) {
    for (int j = 0; j < 16; j++) { sc[j] = b[j] & 15; mn[j] = b[j] >> 4; }
    const uint8_t *qs = b + 16;
    for (int n = 0; n < 2; n++) {                 // two halves of 128 values, 32 bytes each
        for (int s = 0; s < 4; s++) {             // 2-bit fields, lowest first
            for (int l = 0; l < 32; l++) q[128 * n + 32 * s + l] = (qs[32 * n + l] >> (2 * s)) & 3;
        }
    }
    *d = ck_read_h(b + 80);
    *dmin = ck_read_h(b + 82);
}

/// Q3_K {u8 hmask[32]; u8 qs[64]; u8 scales[12]; half d}: q = low 2 bits - (high bit clear ? 4 : 0)
/// in -4...3; 16 six-bit scales (minus 32); x = d*sc*q.
static inline float decode_q3_K(const uint8_t *b, int8_t q[256], int8_t sc[16]) {
    const uint8_t *hm = b, *qs = b + 32, *s = b + 96;
    for (int i = 0; i < 16; i++) {
        int low = i < 8 ? (s[i] & 15) : (s[i - 8] >> 4);
        int high = (s[8 + (i & 3)] >> (2 * (i >> 2))) & 3;
        sc[i] = (int8_t)((low | (high << 4)) - 32);
    }
    for (int n = 0; n < 2; n++) {
        for (int j = 0; j < 4; j++) {
            int bit = 4 * n + j;
            for (int l = 0; l < 32; l++) {
                int low = (qs[32 * n + l] >> (2 * j)) & 3;
                int high = (hm[l] >> bit) & 1;
                q[128 * n + 32 * j + l] = (int8_t)(low - (high ? 0 : 4));
            }
        }
    }
    return ck_read_h(b + 108);
}

/// The 6-bit scale and min of sub-block j (0...7) of Q4_K / Q5_K, packed in 12 bytes.
static inline void ck_scale_min_k4(const uint8_t *s, int j, uint8_t *sc, uint8_t *m) {
    if (j < 4) {
        *sc = s[j] & 63;
        *m = s[j + 4] & 63;
    } else {
        *sc = (uint8_t)((s[j + 4] & 15) | ((s[j - 4] >> 6) << 4));
        *m = (uint8_t)((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
    }
}

/// Q4_K {half d, dmin; u8 scales[12]; u8 qs[128]}: 8 sub-blocks of 32; chunk c of 32 bytes holds
/// sub-block 2c in low nibbles and 2c+1 in high nibbles; x = d*sc*q - dmin*m.
static inline void decode_q4_K(const uint8_t *b, uint8_t q[256], uint8_t sc[8], uint8_t mn[8],
                               float *d, float *dmin) {
    for (int j = 0; j < 8; j++) ck_scale_min_k4(b + 4, j, &sc[j], &mn[j]);
    const uint8_t *qs = b + 16;
    for (int c = 0; c < 4; c++) {
        for (int l = 0; l < 32; l++) {
            q[64 * c + l] = qs[32 * c + l] & 15;
            q[64 * c + 32 + l] = qs[32 * c + l] >> 4;
        }
    }
    *d = ck_read_h(b);
    *dmin = ck_read_h(b + 2);
}

/// Q5_K {half d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}: as Q4_K plus a fifth bit: bit s of
/// qh[l] belongs to value 32s + l.
static inline void decode_q5_K(const uint8_t *b, uint8_t q[256], uint8_t sc[8], uint8_t mn[8],
                               float *d, float *dmin) {
    for (int j = 0; j < 8; j++) ck_scale_min_k4(b + 4, j, &sc[j], &mn[j]);
    const uint8_t *qh = b + 16, *qs = b + 48;
    for (int c = 0; c < 4; c++) {
        for (int l = 0; l < 32; l++) {
            q[64 * c + l] = (uint8_t)((qs[32 * c + l] & 15) | (((qh[l] >> (2 * c)) & 1) << 4));
            q[64 * c + 32 + l] = (uint8_t)((qs[32 * c + l] >> 4) | (((qh[l] >> (2 * c + 1)) & 1) << 4));
        }
    }
    *d = ck_read_h(b);
    *dmin = ck_read_h(b + 2);
}

/// Q6_K {u8 ql[128]; u8 qh[64]; i8 scales[16]; half d}: q = (4 low bits | 2 high bits << 4) - 32;
/// per half n (128 values): ql[64n + l] low nibble -> value l, ql[64n + 32 + l] low -> 32 + l,
/// their high nibbles -> 64 + l and 96 + l; qh[32n + l] bit pairs 0, 2, 4, 6 -> the same four.
static inline float decode_q6_K(const uint8_t *b, int8_t q[256], int8_t sc[16]) {
    const uint8_t *ql = b, *qh = b + 128;
    for (int n = 0; n < 2; n++) {
        const uint8_t *l4 = ql + 64 * n, *h2 = qh + 32 * n;
        int8_t *o = q + 128 * n;
        for (int l = 0; l < 32; l++) {
            o[l] = (int8_t)(((l4[l] & 15) | ((h2[l] & 3) << 4)) - 32);
            o[l + 32] = (int8_t)(((l4[l + 32] & 15) | (((h2[l] >> 2) & 3) << 4)) - 32);
            o[l + 64] = (int8_t)(((l4[l] >> 4) | (((h2[l] >> 4) & 3) << 4)) - 32);
            o[l + 96] = (int8_t)(((l4[l + 32] >> 4) | (((h2[l] >> 6) & 3) << 4)) - 32);
        }
    }
    memcpy(sc, b + 192, 16);
    return ck_read_h(b + 208);
}

static void dequant_q4_0(const void *src, float *dst, int64_t n) {
#pragma clang fp contract(off)
    const uint8_t *b = src;
    for (int64_t i = 0; i < n / CK_QK; i++, b += 18, dst += CK_QK) {
        uint8_t q[32];
        float d = decode_q4_0(b, q);
        for (int j = 0; j < 32; j++) dst[j] = d * (float)((int)q[j] - 8);
    }
}

static void dequant_q4_1(const void *src, float *dst, int64_t n) {
#pragma clang fp contract(off)
    const uint8_t *b = src;
    for (int64_t i = 0; i < n / CK_QK; i++, b += 20, dst += CK_QK) {
        uint8_t q[32];
        float d, m;
        decode_q4_1(b, q, &d, &m);
        for (int j = 0; j < 32; j++) dst[j] = d * (float)q[j] + m;
    }
}

static void dequant_q5_0(const void *src, float *dst, int64_t n) {
#pragma clang fp contract(off)
    const uint8_t *b = src;
    for (int64_t i = 0; i < n / CK_QK; i++, b += 22, dst += CK_QK) {
        uint8_t q[32];
        float d = decode_q5_0(b, q);
        for (int j = 0; j < 32; j++) dst[j] = d * (float)((int)q[j] - 16);
    }
}

static void dequant_q5_1(const void *src, float *dst, int64_t n) {
#pragma clang fp contract(off)
    const uint8_t *b = src;
    for (int64_t i = 0; i < n / CK_QK; i++, b += 24, dst += CK_QK) {
        uint8_t q[32];
        float d, m;
        decode_q5_1(b, q, &d, &m);
        for (int j = 0; j < 32; j++) dst[j] = d * (float)q[j] + m;
    }
}

static void dequant_q8_0(const void *src, float *dst, int64_t n) {
#pragma clang fp contract(off)
    const uint8_t *b = src;
    for (int64_t i = 0; i < n / CK_QK; i++, b += 34, dst += CK_QK) {
        float d = ck_read_h(b);
        const int8_t *q = (const int8_t *)(b + 2);
        for (int j = 0; j < 32; j++) dst[j] = d * (float)q[j];
    }
}

static void dequant_q2_K(const void *src, float *dst, int64_t n) {
#pragma clang fp contract(off)
    const uint8_t *b = src;
    for (int64_t i = 0; i < n / CK_QKK; i++, b += 84, dst += CK_QKK) {
        uint8_t q[256], sc[16], mn[16];
        float d, dmin;
        decode_q2_K(b, q, sc, mn, &d, &dmin);
        for (int j = 0; j < 16; j++) {
            float dl = d * (float)sc[j], ml = dmin * (float)mn[j];
            for (int l = 0; l < 16; l++) dst[16 * j + l] = dl * (float)q[16 * j + l] - ml;
        }
    }
}

static void dequant_q3_K(const void *src, float *dst, int64_t n) {
#pragma clang fp contract(off)
    const uint8_t *b = src;
    for (int64_t i = 0; i < n / CK_QKK; i++, b += 110, dst += CK_QKK) {
        int8_t q[256], sc[16];
        float d = decode_q3_K(b, q, sc);
        for (int j = 0; j < 16; j++) {
            float dl = d * (float)sc[j];
            for (int l = 0; l < 16; l++) dst[16 * j + l] = dl * (float)q[16 * j + l];
        }
    }
}

static void dequant_q4_K(const void *src, float *dst, int64_t n) {
#pragma clang fp contract(off)
    const uint8_t *b = src;
    for (int64_t i = 0; i < n / CK_QKK; i++, b += 144, dst += CK_QKK) {
        uint8_t q[256], sc[8], mn[8];
        float d, dmin;
        decode_q4_K(b, q, sc, mn, &d, &dmin);
        for (int j = 0; j < 8; j++) {
            float dl = d * (float)sc[j], ml = dmin * (float)mn[j];
            for (int l = 0; l < 32; l++) dst[32 * j + l] = dl * (float)q[32 * j + l] - ml;
        }
    }
}

static void dequant_q5_K(const void *src, float *dst, int64_t n) {
#pragma clang fp contract(off)
    const uint8_t *b = src;
    for (int64_t i = 0; i < n / CK_QKK; i++, b += 176, dst += CK_QKK) {
        uint8_t q[256], sc[8], mn[8];
        float d, dmin;
        decode_q5_K(b, q, sc, mn, &d, &dmin);
        for (int j = 0; j < 8; j++) {
            float dl = d * (float)sc[j], ml = dmin * (float)mn[j];
            for (int l = 0; l < 32; l++) dst[32 * j + l] = dl * (float)q[32 * j + l] - ml;
        }
    }
}

static void dequant_q6_K(const void *src, float *dst, int64_t n) {
#pragma clang fp contract(off)
    const uint8_t *b = src;
    for (int64_t i = 0; i < n / CK_QKK; i++, b += 210, dst += CK_QKK) {
        int8_t q[256], sc[16];
        float d = decode_q6_K(b, q, sc);
        for (int j = 0; j < 16; j++) {
            float dl = d * (float)sc[j];
            for (int l = 0; l < 16; l++) dst[16 * j + l] = dl * (float)q[16 * j + l];
        }
    }
}

// MARK: - Activation quantization

static void quantize_q8_0(const float *x, void *dst, int64_t n) {
    ck_block_q8a *y = dst;
    for (int64_t i = 0; i < n / CK_QK; i++, x += CK_QK, y++) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[j]));
        float d = amax / 127.0f, id = amax > 0 ? 127.0f / amax : 0.0f;
        int32_t sum = 0;
        for (int j = 0; j < 32; j++) {
            int32_t v = (int32_t)lrintf(x[j] * id);
            y->qs[j] = (int8_t)v;
            sum += v;
        }
        y->d = d;
        y->sum = sum;
    }
}

static void quantize_q8_k(const float *x, void *dst, int64_t n) {
    ck_block_q8k *y = dst;
    for (int64_t i = 0; i < n / CK_QKK; i++, x += CK_QKK, y++) {
        float amax = 0;
        for (int j = 0; j < 256; j++) amax = fmaxf(amax, fabsf(x[j]));
        float id = amax > 0 ? 127.0f / amax : 0.0f;
        for (int j = 0; j < 256; j++) y->qs[j] = (int8_t)lrintf(x[j] * id);
        for (int j = 0; j < 16; j++) {
            int32_t s = 0;
            for (int l = 0; l < 16; l++) s += y->qs[16 * j + l];
            y->bsums[j] = (int16_t)s;
        }
        y->d = amax / 127.0f;
    }
}

// MARK: - Dot products (one weight row x up to CK_MAX_NTOK activation rows)

#define CK_X8A(x, stride, t) ((const ck_block_q8a *)((const char *)(x) + (size_t)(t) * (stride)))
#define CK_X8K(x, stride, t) ((const ck_block_q8k *)((const char *)(x) + (size_t)(t) * (stride)))
#define CK_XF(x, stride, t) ((const float *)((const char *)(x) + (size_t)(t) * (stride)))

static void dot_w_f32(int64_t n, const void *w, const void *x, size_t xs, int nt, float *out, size_t os) {
    for (int t = 0; t < nt; t++) out[t * os] = dot_f32(w, CK_XF(x, xs, t), n);
}

/// F16 / BF16 rows: convert a chunk to floats once, use it for every token.
#define CK_DOT_HALF(name, conv)                                                                    \
    static void name(int64_t n, const void *w, const void *x, size_t xs, int nt, float *out,       \
                     size_t os) {                                                                  \
        float acc[CK_MAX_NTOK] = {0};                                                              \
        float tmp[256];                                                                            \
        const uint8_t *p = w;                                                                      \
        for (int64_t i0 = 0; i0 < n; i0 += 256) {                                                  \
            int len = (int)(n - i0 < 256 ? n - i0 : 256);                                          \
            conv(p + 2 * i0, tmp, len);                                                            \
            for (int t = 0; t < nt; t++) acc[t] += dot_f32(tmp, CK_XF(x, xs, t) + i0, len);        \
        }                                                                                          \
        for (int t = 0; t < nt; t++) out[t * os] = acc[t];                                         \
    }
CK_DOT_HALF(dot_w_f16, dequant_f16)
CK_DOT_HALF(dot_w_bf16, dequant_bf16)

static void dot_q4_0(int64_t n, const void *w, const void *x, size_t xs, int nt, float *out, size_t os) {
    float acc[CK_MAX_NTOK] = {0};
    const uint8_t *b = w;
    for (int64_t i = 0; i < n / CK_QK; i++, b += 18) {
        uint8_t q[32];
        float d = decode_q4_0(b, q);
        for (int t = 0; t < nt; t++) {
            const ck_block_q8a *y = CK_X8A(x, xs, t) + i;
            acc[t] += d * y->d * (float)(ck_idot_u8s8(q, y->qs, 32) - 8 * y->sum);
        }
    }
    for (int t = 0; t < nt; t++) out[t * os] = acc[t];
}

static void dot_q4_1(int64_t n, const void *w, const void *x, size_t xs, int nt, float *out, size_t os) {
    float acc[CK_MAX_NTOK] = {0};
    const uint8_t *b = w;
    for (int64_t i = 0; i < n / CK_QK; i++, b += 20) {
        uint8_t q[32];
        float d, m;
        decode_q4_1(b, q, &d, &m);
        for (int t = 0; t < nt; t++) {
            const ck_block_q8a *y = CK_X8A(x, xs, t) + i;
            acc[t] += y->d * (d * (float)ck_idot_u8s8(q, y->qs, 32) + m * (float)y->sum);
        }
    }
    for (int t = 0; t < nt; t++) out[t * os] = acc[t];
}

static void dot_q5_0(int64_t n, const void *w, const void *x, size_t xs, int nt, float *out, size_t os) {
    float acc[CK_MAX_NTOK] = {0};
    const uint8_t *b = w;
    for (int64_t i = 0; i < n / CK_QK; i++, b += 22) {
        uint8_t q[32];
        float d = decode_q5_0(b, q);
        for (int t = 0; t < nt; t++) {
            const ck_block_q8a *y = CK_X8A(x, xs, t) + i;
            acc[t] += d * y->d * (float)(ck_idot_u8s8(q, y->qs, 32) - 16 * y->sum);
        }
    }
    for (int t = 0; t < nt; t++) out[t * os] = acc[t];
}

static void dot_q5_1(int64_t n, const void *w, const void *x, size_t xs, int nt, float *out, size_t os) {
    float acc[CK_MAX_NTOK] = {0};
    const uint8_t *b = w;
    for (int64_t i = 0; i < n / CK_QK; i++, b += 24) {
        uint8_t q[32];
        float d, m;
        decode_q5_1(b, q, &d, &m);
        for (int t = 0; t < nt; t++) {
            const ck_block_q8a *y = CK_X8A(x, xs, t) + i;
            acc[t] += y->d * (d * (float)ck_idot_u8s8(q, y->qs, 32) + m * (float)y->sum);
        }
    }
    for (int t = 0; t < nt; t++) out[t * os] = acc[t];
}

static void dot_q8_0(int64_t n, const void *w, const void *x, size_t xs, int nt, float *out, size_t os) {
    float acc[CK_MAX_NTOK] = {0};
    const uint8_t *b = w;
    for (int64_t i = 0; i < n / CK_QK; i++, b += 34) {
        float d = ck_read_h(b);
        const int8_t *q = (const int8_t *)(b + 2);
        for (int t = 0; t < nt; t++) {
            const ck_block_q8a *y = CK_X8A(x, xs, t) + i;
            acc[t] += d * y->d * (float)ck_idot_s8s8(q, y->qs, 32);
        }
    }
    for (int t = 0; t < nt; t++) out[t * os] = acc[t];
}

static void dot_q2_K(int64_t n, const void *w, const void *x, size_t xs, int nt, float *out, size_t os) {
    float acc[CK_MAX_NTOK] = {0};
    const uint8_t *b = w;
    for (int64_t i = 0; i < n / CK_QKK; i++, b += 84) {
        uint8_t q[256], sc[16], mn[16];
        float d, dmin;
        decode_q2_K(b, q, sc, mn, &d, &dmin);
        for (int t = 0; t < nt; t++) {
            const ck_block_q8k *y = CK_X8K(x, xs, t) + i;
            int32_t isum = 0, msum = 0;
            for (int j = 0; j < 16; j++) {
                isum += (int32_t)sc[j] * ck_idot_u8s8(q + 16 * j, y->qs + 16 * j, 16);
                msum += (int32_t)mn[j] * y->bsums[j];
            }
            acc[t] += y->d * (d * (float)isum - dmin * (float)msum);
        }
    }
    for (int t = 0; t < nt; t++) out[t * os] = acc[t];
}

static void dot_q3_K(int64_t n, const void *w, const void *x, size_t xs, int nt, float *out, size_t os) {
    float acc[CK_MAX_NTOK] = {0};
    const uint8_t *b = w;
    for (int64_t i = 0; i < n / CK_QKK; i++, b += 110) {
        int8_t q[256], sc[16];
        float d = decode_q3_K(b, q, sc);
        for (int t = 0; t < nt; t++) {
            const ck_block_q8k *y = CK_X8K(x, xs, t) + i;
            int32_t isum = 0;
            for (int j = 0; j < 16; j++) isum += (int32_t)sc[j] * ck_idot_s8s8(q + 16 * j, y->qs + 16 * j, 16);
            acc[t] += y->d * d * (float)isum;
        }
    }
    for (int t = 0; t < nt; t++) out[t * os] = acc[t];
}

/// Q4_K and Q5_K share their maths: 8 sub-blocks of 32 with a scale and a min each.
#define CK_DOT_K45(name, bytes, decode)                                                            \
    static void name(int64_t n, const void *w, const void *x, size_t xs, int nt, float *out,       \
                     size_t os) {                                                                  \
        float acc[CK_MAX_NTOK] = {0};                                                              \
        const uint8_t *b = w;                                                                      \
        for (int64_t i = 0; i < n / CK_QKK; i++, b += (bytes)) {                                   \
            uint8_t q[256], sc[8], mn[8];                                                          \
            float d, dmin;                                                                         \
            decode(b, q, sc, mn, &d, &dmin);                                                       \
            for (int t = 0; t < nt; t++) {                                                         \
                const ck_block_q8k *y = CK_X8K(x, xs, t) + i;                                      \
                int32_t isum = 0, msum = 0;                                                        \
                for (int j = 0; j < 8; j++) {                                                      \
                    isum += (int32_t)sc[j] * ck_idot_u8s8(q + 32 * j, y->qs + 32 * j, 32);         \
                    msum += (int32_t)mn[j] * (y->bsums[2 * j] + y->bsums[2 * j + 1]);             \
                }                                                                                  \
                acc[t] += y->d * (d * (float)isum - dmin * (float)msum);                           \
            }                                                                                      \
        }                                                                                          \
        for (int t = 0; t < nt; t++) out[t * os] = acc[t];                                         \
    }
CK_DOT_K45(dot_q4_K, 144, decode_q4_K)
CK_DOT_K45(dot_q5_K, 176, decode_q5_K)

static void dot_q6_K(int64_t n, const void *w, const void *x, size_t xs, int nt, float *out, size_t os) {
    float acc[CK_MAX_NTOK] = {0};
    const uint8_t *b = w;
    for (int64_t i = 0; i < n / CK_QKK; i++, b += 210) {
        int8_t q[256], sc[16];
        float d = decode_q6_K(b, q, sc);
        for (int t = 0; t < nt; t++) {
            const ck_block_q8k *y = CK_X8K(x, xs, t) + i;
            int32_t isum = 0;
            for (int j = 0; j < 16; j++) isum += (int32_t)sc[j] * ck_idot_s8s8(q + 16 * j, y->qs + 16 * j, 16);
            acc[t] += y->d * d * (float)isum;
        }
    }
    for (int t = 0; t < nt; t++) out[t * os] = acc[t];
}
