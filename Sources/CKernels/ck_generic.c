// ck_generic.c: the portable kernels, built for baseline x86-64 (SSE2) or any other CPU.
#define CK_TABLE_NAME ck_table_generic
#include <stdlib.h>
#include "ck_impl.h"
#include "ck_gemm.h"
#include "ck_vec.h"
#include "ck_attention.h"
#include "ck_table.h"

/// Every half-precision value as a float, filled before main. The x86 kernels look weight scales
/// up here: a broadcast load replaces a broadcast, a conversion and their register traffic in
/// every block's scale (a third of a one-token Q5_0 or Q8_0 block's time). Filled with the
/// portable conversion, so that no CPU feature is needed before the ISA is chosen.
float ck_half_table[65536];

__attribute__((constructor)) static void ck_fill_half_table(void) {
    for (uint32_t h = 0; h < 65536; h++) ck_half_table[h] = ck_h2f((uint16_t)h);
}
