// cpu.c: which ISA the CPU supports, and the dispatch from an ISA index to its table of kernels.
#include "CKernels.h"
#include <pthread.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/// XCR0: which register states the OS saves (and so lets programs use).
static uint64_t ck_xgetbv0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static int ck_detect(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return CK_ISA_GENERIC;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, f16c = (c >> 29) & 1;
    if (!(osxsave && avx && fma && f16c)) return CK_ISA_GENERIC;
    uint64_t xcr0 = ck_xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return CK_ISA_GENERIC;               // XMM and YMM state
    if (__get_cpuid_max(0, 0) < 7) return CK_ISA_GENERIC;
    __cpuid_count(7, 0, a, b, c, d);
    int avx2 = (b >> 5) & 1;
    if (!avx2) return CK_ISA_GENERIC;
    int avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1;
    int vnni = (c >> 11) & 1;
    int zmm_state = (xcr0 & 0xe6) == 0xe6;                         // opmask, ZMM_Hi256, Hi16_ZMM
    if (avx512f && avx512bw && avx512vl && vnni && zmm_state) return CK_ISA_AVX512;
    return CK_ISA_AVX2;
}
#else
static int ck_detect(void) { return CK_ISA_GENERIC; }
#endif

int ck_isa_best(void) {
    static int best = -1;   // benign race: every thread computes the same value
    if (best < 0) best = ck_detect();
    return best;
}

int ck_isa_supported(int isa) { return isa >= 0 && isa <= ck_isa_best(); }

static const ck_isa_table *ck_table(int isa) {
#if defined(__x86_64__)
    switch (isa) {
    case CK_ISA_AVX512: return &ck_table_avx512;
    case CK_ISA_AVX2: return &ck_table_avx2;
    default: return &ck_table_generic;
    }
#else
    (void)isa;
    return &ck_table_generic;
#endif
}

const ck_type_kernels *ck_type_kernels_get(int isa, uint32_t ggml_type) {
    return ck_table(isa)->type_kernels(ggml_type);
}

ck_quantize_fn ck_quantizer_get(int isa, int act) {
    switch (act) {
    case CK_ACT_Q8_0: return ck_table(isa)->quantize_q8_0;
    case CK_ACT_Q8_K: return ck_table(isa)->quantize_q8_k;
    default: return NULL;
    }
}

size_t ck_act_row_bytes(int act, int64_t n) {
    switch (act) {
    case CK_ACT_Q8_0: return (size_t)(n / 32) * sizeof(ck_block_q8a);
    case CK_ACT_Q8_K: return (size_t)(n / 256) * sizeof(ck_block_q8k);
    default: return (size_t)n * sizeof(float);
    }
}

float ck_dot_f32(int isa, const float *a, const float *b, int64_t n) { return ck_table(isa)->dot_f32(a, b, n); }

void ck_axpy_f32(int isa, float a, const float *x, float *y, int64_t n) { ck_table(isa)->axpy_f32(a, x, y, n); }

size_t ck_a8_bytes(int64_t n, int64_t ntok) {
    const int64_t groups = (ntok + CK_A8_GROUP - 1) / CK_A8_GROUP;
    return (size_t)groups * (size_t)n * CK_A8_GROUP * 3 / 2;
}

void ck_quantize_a8(int isa, const float *x, void *dst, int64_t n, int64_t t, int scale_block) {
    ck_table(isa)->quantize_a8(x, dst, n, t, scale_block);
}

int ck_gemm_block(uint32_t ggml_type) { return ck_table_generic.gemm_block(ggml_type); }

int ck_gemm_rows(int isa, uint32_t ggml_type, const void *w, size_t row_bytes, int64_t cols,
                 int64_t r0, int64_t r1, const void *xa, int64_t ntok, float *y, int64_t ldy) {
    return ck_table(isa)->gemm_packed(ggml_type, w, row_bytes, cols, r0, r1, xa, ntok, y, ldy);
}

void ck_gelu_gate(int isa, float *gate, const float *up, int64_t n) { ck_table(isa)->gelu_gate(gate, up, n); }

void ck_round_f16(int isa, const float *x, float *out, int64_t n) { ck_table(isa)->round_f16(x, out, n); }

void ck_rms_norm(int isa, const float *x, const float *w, float *out, int64_t rows, int64_t n, float eps) {
    ck_table(isa)->rms_norm(x, w, out, rows, n, eps);
}

void ck_f32_to_f16(int isa, const float *x, uint16_t *out, int64_t n) { ck_table(isa)->to_f16(x, out, n); }

void ck_f16_to_f32(int isa, const uint16_t *x, float *out, int64_t n) { ck_table(isa)->from_f16(x, out, n); }

int ck_attention(int isa, const float *q, int64_t q_stride, int group, int ntok, int64_t first_pos,
                 const uint16_t *kc, int64_t k_stride, const uint16_t *vc, int64_t v_stride, int64_t capacity,
                 int64_t window, int dk, int dv, float scale, float softcap, float *out, int64_t out_stride) {
    if (ntok <= 0 || group <= 0 || dv % 16 != 0 || capacity <= 0) return 0;
    return ck_table(isa)->attention(q, q_stride, group, ntok, first_pos, kc, k_stride, vc, v_stride, capacity, window,
                                    dk, dv, scale, softcap, out, out_stride);
}

/// Fills ck_half_table (ck_generic.c), which the dot products read.
void ck_fill_half_table(void);

/// Tokens per pass over the weight rows: their activations (at most ~150 KB of Q8_K for 2048
/// columns) stay in L2 while each weight row is reused for all of them, CK_MAX_NTOK at a time.
#define CK_TOKEN_GROUP 64

void ck_matmul_rows(int isa, uint32_t ggml_type, const void *w, size_t row_bytes, int64_t cols,
                    int64_t r0, int64_t r1, const void *xa, size_t xa_stride, int64_t ntok,
                    float *y, int64_t ldy) {
    static pthread_once_t half_table = PTHREAD_ONCE_INIT;
    pthread_once(&half_table, ck_fill_half_table);
    const ck_type_kernels *k = ck_type_kernels_get(isa, ggml_type);
    if (!k) return;
    const char *wb = w, *xb = xa;
    if (ntok == 1 && k->rows && r1 > r0) {
        k->rows(cols, wb + (size_t)r0 * row_bytes, row_bytes, r1 - r0, xa, y + r0);
        return;
    }
    for (int64_t t0 = 0; t0 < ntok; t0 += CK_TOKEN_GROUP) {
        int64_t t1 = t0 + CK_TOKEN_GROUP < ntok ? t0 + CK_TOKEN_GROUP : ntok;
        for (int64_t r = r0; r < r1; r++) {
            const void *row = wb + (size_t)r * row_bytes;
            for (int64_t t = t0; t < t1; t += CK_MAX_NTOK) {
                int nt = (int)(t1 - t < CK_MAX_NTOK ? t1 - t : CK_MAX_NTOK);
                k->dot(cols, row, xb + (size_t)t * xa_stride, xa_stride, nt, y + t * ldy + r, (size_t)ldy);
            }
        }
    }
}
