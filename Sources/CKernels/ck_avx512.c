// ck_avx512.c: the kernels built for AVX-512 (F, BW, VL, VNNI), with hand-written hot dot products.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"), min_vector_width(512))), apply_to = function)
#define CK_F16C 1
#include "ck_impl.h"
#define CK_VNNI 1
#include "ck_x86.h"
#include "ck_gemm.h"
#include "ck_vec.h"
#include "ck_attention.h"
#include "ck_gemm_x86.h"

#define CK_QUANTIZE_A8 quantize_a8_v
#define CK_TABLE_NAME ck_table_avx512
#include "ck_table.h"
#pragma clang attribute pop
#endif
