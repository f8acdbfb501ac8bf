// ck_table.h: one ISA's table of kernels, included at the end of each ck_<isa>.c file.
//
// Before including, the file defines CK_TABLE_NAME (and CK_TYPES_NAME), and may define
// CK_DOT_<TYPE> to replace a portable dot product with a hand-written one.

#ifndef CK_DOT_Q4_0
#define CK_DOT_Q4_0 dot_q4_0
#endif
#ifndef CK_DOT_Q4_1
#define CK_DOT_Q4_1 dot_q4_1
#endif
#ifndef CK_DOT_Q5_1
#define CK_DOT_Q5_1 dot_q5_1
#endif
#ifndef CK_DOT_Q5_0
#define CK_DOT_Q5_0 dot_q5_0
#endif
#ifndef CK_DOT_Q8_0
#define CK_DOT_Q8_0 dot_q8_0
#endif
#ifndef CK_DOT_Q4_K
#define CK_DOT_Q4_K dot_q4_K
#endif
#ifndef CK_DOT_Q5_K
#define CK_DOT_Q5_K dot_q5_K
#endif
#ifndef CK_DOT_Q6_K
#define CK_DOT_Q6_K dot_q6_K
#endif
// One-token multi-row kernels (ck_rows_fn), where an ISA has them.
#ifndef CK_ROWS_Q4_0
#define CK_ROWS_Q4_0 NULL
#endif
#ifndef CK_ROWS_Q5_0
#define CK_ROWS_Q5_0 NULL
#endif
#ifndef CK_ROWS_Q8_0
#define CK_ROWS_Q8_0 NULL
#endif

// ggml type numbers of the supported types.
enum {
    CK_T_F32 = 0, CK_T_F16 = 1, CK_T_Q4_0 = 2, CK_T_Q4_1 = 3, CK_T_Q5_0 = 6, CK_T_Q5_1 = 7,
    CK_T_Q8_0 = 8, CK_T_Q2_K = 10, CK_T_Q3_K = 11, CK_T_Q4_K = 12, CK_T_Q5_K = 13, CK_T_Q6_K = 14,
    CK_T_BF16 = 30
};

static const ck_type_kernels CK_KIND_F32 = {1, 4, CK_ACT_F32, dequant_f32, dot_w_f32};
static const ck_type_kernels CK_KIND_F16 = {1, 2, CK_ACT_F32, dequant_f16, dot_w_f16};
static const ck_type_kernels CK_KIND_BF16 = {1, 2, CK_ACT_F32, dequant_bf16, dot_w_bf16};
static const ck_type_kernels CK_KIND_Q4_0 = {32, 18, CK_ACT_Q8_0, dequant_q4_0, CK_DOT_Q4_0, CK_ROWS_Q4_0};
static const ck_type_kernels CK_KIND_Q4_1 = {32, 20, CK_ACT_Q8_0, dequant_q4_1, CK_DOT_Q4_1};
static const ck_type_kernels CK_KIND_Q5_0 = {32, 22, CK_ACT_Q8_0, dequant_q5_0, CK_DOT_Q5_0, CK_ROWS_Q5_0};
static const ck_type_kernels CK_KIND_Q5_1 = {32, 24, CK_ACT_Q8_0, dequant_q5_1, CK_DOT_Q5_1};
static const ck_type_kernels CK_KIND_Q8_0 = {32, 34, CK_ACT_Q8_0, dequant_q8_0, CK_DOT_Q8_0, CK_ROWS_Q8_0};
static const ck_type_kernels CK_KIND_Q2_K = {256, 84, CK_ACT_Q8_K, dequant_q2_K, dot_q2_K};
static const ck_type_kernels CK_KIND_Q3_K = {256, 110, CK_ACT_Q8_K, dequant_q3_K, dot_q3_K};
static const ck_type_kernels CK_KIND_Q4_K = {256, 144, CK_ACT_Q8_K, dequant_q4_K, CK_DOT_Q4_K};
static const ck_type_kernels CK_KIND_Q5_K = {256, 176, CK_ACT_Q8_K, dequant_q5_K, CK_DOT_Q5_K};
static const ck_type_kernels CK_KIND_Q6_K = {256, 210, CK_ACT_Q8_K, dequant_q6_K, CK_DOT_Q6_K};

static const ck_type_kernels *ck_type_kernels_here(uint32_t t) {
    switch (t) {
    case CK_T_F32: return &CK_KIND_F32;
    case CK_T_F16: return &CK_KIND_F16;
    case CK_T_BF16: return &CK_KIND_BF16;
    case CK_T_Q4_0: return &CK_KIND_Q4_0;
    case CK_T_Q4_1: return &CK_KIND_Q4_1;
    case CK_T_Q5_0: return &CK_KIND_Q5_0;
    case CK_T_Q5_1: return &CK_KIND_Q5_1;
    case CK_T_Q8_0: return &CK_KIND_Q8_0;
    case CK_T_Q2_K: return &CK_KIND_Q2_K;
    case CK_T_Q3_K: return &CK_KIND_Q3_K;
    case CK_T_Q4_K: return &CK_KIND_Q4_K;
    case CK_T_Q5_K: return &CK_KIND_Q5_K;
    case CK_T_Q6_K: return &CK_KIND_Q6_K;
    default: return NULL;
    }
}

#ifndef CK_QUANTIZE_A8
#define CK_QUANTIZE_A8 quantize_a8
#endif
#ifndef CK_PANEL_TOKENS
#define CK_PANEL_TOKENS ck_panel_tokens_plain
#endif
CK_GEMM_DRIVER(gemm_packed, CK_PANEL_TOKENS)

static int gemm_block(uint32_t type) {
    int bk;
    return ck_packer(type, &bk) ? bk : 0;
}

const ck_isa_table CK_TABLE_NAME = {
    ck_type_kernels_here, quantize_q8_0, quantize_q8_k, dot_f32, axpy_f32,
    CK_QUANTIZE_A8, gemm_block, gemm_packed,
    gelu_gate_f32, round_f16_f32, f32_to_f16, f16_to_f32, rms_norm_f32, attention_f32,
};
