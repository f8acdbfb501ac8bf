// ck_avx2.c: the kernels built for AVX2 + FMA + F16C, with hand-written hot dot products and the
// packed matrix product's AVX2 microkernel.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#define CK_F16C 1
#include "ck_impl.h"
#include "ck_x86.h"
#include "ck_gemm.h"
#include "ck_vec.h"
#include "ck_attention.h"
#include "ck_gemm_avx2.h"

#define CK_QUANTIZE_A8 quantize_a8_v
#define CK_TABLE_NAME ck_table_avx2
#include "ck_table.h"
#pragma clang attribute pop
#endif
