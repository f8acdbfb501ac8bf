// ck_kernels.h: the SIMD kernels under the Kernels target, with runtime ISA dispatch.
//
// Every kernel exists once per instruction-set level (ISA): a portable "generic" build (baseline
// x86-64 / any CPU), an AVX2+FMA+F16C build and an AVX-512 (F, BW, VL, VNNI) build. The caller
// names the ISA on every call (an index, CK_ISA_*); ck_isa_best() says which the CPU can run.
// Calling a kernel for an ISA the CPU lacks crashes with SIGILL: check ck_isa_supported first.
//
// Weights are ggml's quantized blocks, read in place. Activations are quantized once per matrix
// product into 8-bit blocks (CK_ACT_Q8_0 or CK_ACT_Q8_K, see below) or stay float (CK_ACT_F32).
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Instruction-set levels.
enum {
    CK_ISA_GENERIC = 0,
    CK_ISA_AVX2 = 1,     // AVX2, FMA, F16C
    CK_ISA_AVX512 = 2,   // the above plus AVX-512 F, BW, VL, VNNI
    CK_ISA_COUNT = 3
};

/// The best ISA this CPU (and OS) supports.
int ck_isa_best(void);
/// Whether this CPU can run kernels of `isa`.
int ck_isa_supported(int isa);

// Activation formats: what a weight type's dot product wants on its other side.
enum {
    CK_ACT_F32 = 0,    // plain floats (F32, F16, BF16 weights)
    CK_ACT_Q8_0 = 1,   // ck_block_q8a: 32 values (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 weights)
    CK_ACT_Q8_K = 2    // ck_block_q8k: 256 values (K-quant weights)
};

/// 32 activations quantized to int8: x[i] ~ d * qs[i]; sum = sum(qs).
typedef struct {
    float d;
    int32_t sum;
    int8_t qs[32];
} ck_block_q8a;

/// 256 activations quantized to int8: x[i] ~ d * qs[i]; bsums[j] = sum(qs[16j ..< 16j+16]).
typedef struct {
    float d;
    int8_t qs[256];
    int16_t bsums[16];
} ck_block_q8k;

/// Dequantize `n` values (a multiple of the type's block size) from `src` blocks into `dst`.
typedef void (*ck_dequant_fn)(const void *src, float *dst, int64_t n);

/// Dot products of one weight row of `n` values with `ntok` (1...CK_MAX_NTOK) activation rows:
/// out[t * out_stride] = dot(w, x_t), x_t at (const char *)x + t * x_stride (in the type's
/// activation format).
typedef void (*ck_dot_fn)(int64_t n, const void *w, const void *x, size_t x_stride, int ntok,
                          float *out, size_t out_stride);

/// Quantize `n` floats (a multiple of the format's block size) into activation blocks.
typedef void (*ck_quantize_fn)(const float *x, void *dst, int64_t n);

#define CK_MAX_NTOK 8

/// One weight type's kernels at one ISA.
typedef struct {
    int32_t block_size;    // values per block
    int32_t block_bytes;   // bytes per block
    int32_t act;           // CK_ACT_*
    ck_dequant_fn dequant;
    ck_dot_fn dot;
} ck_type_kernels;

/// The kernels of ggml type `ggml_type` (ggml's numbering) at `isa`, or NULL when the type has none.
const ck_type_kernels *ck_type_kernels_get(int isa, uint32_t ggml_type);

/// The quantizer for activation format `act` (CK_ACT_Q8_0 or CK_ACT_Q8_K) at `isa`.
ck_quantize_fn ck_quantizer_get(int isa, int act);

/// Bytes of one activation row of `n` values in format `act`.
size_t ck_act_row_bytes(int act, int64_t n);

/// Rows r0 ..< r1 of a matrix product: y[t * ldy + r] = dot(weight row r, activation row t) for
/// t in 0 ..< ntok. Weight row r starts at (const char *)w + r * row_bytes; activation row t at
/// (const char *)xa + t * xa_stride, already in the type's activation format.
void ck_matmul_rows(int isa, uint32_t ggml_type, const void *w, size_t row_bytes, int64_t cols,
                    int64_t r0, int64_t r1, const void *xa, size_t xa_stride, int64_t ntok,
                    float *y, int64_t ldy);

// Packed matrix product for many tokens (prompt processing): each 16-row panel of weights is
// decoded once into bytes with per-block scales and offsets and reused for every token.
// Activations are "A8": int8 values with float scales per 32 values and precomputed sums, in
// groups of CK_A8_GROUP tokens (layout in ck_gemm.h).

#define CK_A8_GROUP 8

/// Bytes of the A8 activations of `ntok` tokens of `n` values (n a multiple of 32).
size_t ck_a8_bytes(int64_t n, int64_t ntok);

/// Quantize token t's `n` floats (a multiple of `scale_block`, 32 or 256) into the A8
/// activations `dst`, one scale per `scale_block` values.
void ck_quantize_a8(int isa, const float *x, void *dst, int64_t n, int64_t t, int scale_block);

/// The block size (16 or 32) of a weight type's packed form, or 0 when it has none.
int ck_gemm_block(uint32_t ggml_type);

/// Like ck_matmul_rows, for A8 activations of ntok tokens: y[t * ldy + r] for rows r0 ..< r1 and
/// every token. Returns 0 (and writes nothing) when the type has no packed form or memory for
/// the panel ran out.
int ck_gemm_rows(int isa, uint32_t ggml_type, const void *w, size_t row_bytes, int64_t cols,
                 int64_t r0, int64_t r1, const void *xa, int64_t ntok, float *y, int64_t ldy);

/// gate[i] = gelu_tanh(gate[i]) * up[i] (GELU as x * sigmoid(2u), u = sqrt(2/pi)(x + 0.044715 x^3)).
void ck_gelu_gate(int isa, float *gate, const float *up, int64_t n);

/// out[i] = x[i] rounded to the nearest float16 value (out may be x).
void ck_round_f16(int isa, const float *x, float *out, int64_t n);

/// out[i] = the IEEE float16 bits of x[i], rounded to nearest even (+-inf beyond its range).
void ck_f32_to_f16(int isa, const float *x, uint16_t *out, int64_t n);
/// out[i] = the float16 whose bits are x[i], as a float (exact).
void ck_f16_to_f32(int isa, const uint16_t *x, float *out, int64_t n);

/// RMSNorm of `rows` rows of n floats: out = x / sqrt(mean(x^2) + eps) * w (out may be x).
void ck_rms_norm(int isa, const float *x, const float *w, float *out, int64_t rows, int64_t n, float eps);

/// Causal attention of `ntok` consecutive query tokens (positions first_pos ...) sharing one KV
/// head: `group` query heads per token, head j of token t at q + t * q_stride + j * dk, output at
/// out + t * out_stride + j * dv. Keys and values are float16 (the F16 KV cache): the key of
/// position p is at kc + (p % capacity) * k_stride, its value at vc + (p % capacity) * v_stride
/// (strides in halves; rings of `capacity` slots holding every position a query sees). A query
/// at p sees positions max(0, p - window + 1) ... p (window 0: from 0). Scores are s = scale * q.k,
/// then softcap * tanh(s / softcap) when softcap > 0; dv must be a multiple of 16. Returns 0 when
/// scratch memory ran out (nothing written), else 1.
int ck_attention(int isa, const float *q, int64_t q_stride, int group, int ntok, int64_t first_pos,
                 const uint16_t *kc, int64_t k_stride, const uint16_t *vc, int64_t v_stride, int64_t capacity,
                 int64_t window, int dk, int dv, float scale, float softcap, float *out, int64_t out_stride);

/// Float helpers: sum(a[i] * b[i]); y[i] += a * x[i].
float ck_dot_f32(int isa, const float *a, const float *b, int64_t n);
void ck_axpy_f32(int isa, float a, const float *x, float *y, int64_t n);

/// A polite spin-wait hint (PAUSE on x86).
static inline void ck_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// Per-ISA tables (internal; use the functions above).
typedef struct {
    const ck_type_kernels *(*type_kernels)(uint32_t ggml_type);
    ck_quantize_fn quantize_q8_0;
    ck_quantize_fn quantize_q8_k;
    float (*dot_f32)(const float *a, const float *b, int64_t n);
    void (*axpy_f32)(float a, const float *x, float *y, int64_t n);
    void (*quantize_a8)(const float *x, void *dst, int64_t n, int64_t t, int scale_block);
    int (*gemm_block)(uint32_t ggml_type);
    int (*gemm_packed)(uint32_t ggml_type, const void *w, size_t row_bytes, int64_t cols, int64_t r0,
                       int64_t r1, const void *xa, int64_t ntok, float *y, int64_t ldy);
    void (*gelu_gate)(float *gate, const float *up, int64_t n);
    void (*round_f16)(const float *x, float *out, int64_t n);
    void (*to_f16)(const float *x, uint16_t *out, int64_t n);
    void (*from_f16)(const uint16_t *x, float *out, int64_t n);
    void (*rms_norm)(const float *x, const float *w, float *out, int64_t rows, int64_t n, float eps);
    int (*attention)(const float *q, int64_t q_stride, int group, int ntok, int64_t first_pos,
                     const uint16_t *kc, int64_t k_stride, const uint16_t *vc, int64_t v_stride, int64_t capacity,
                     int64_t window, int dk, int dv, float scale, float softcap, float *out, int64_t out_stride);
} ck_isa_table;

extern const ck_isa_table ck_table_generic;
extern const ck_isa_table ck_table_avx2;
extern const ck_isa_table ck_table_avx512;

#ifdef __cplusplus
}
#endif
