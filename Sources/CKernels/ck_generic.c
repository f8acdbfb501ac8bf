// ck_generic.c: the portable kernels, built for baseline x86-64 (SSE2) or any other CPU.
#define CK_TABLE_NAME ck_table_generic
#include <stdlib.h>
#include "ck_impl.h"
#include "ck_gemm.h"
#include "ck_vec.h"
#include "ck_attention.h"
#include "ck_table.h"

/// Every half-precision value as a float. The x86 Q4_0 / Q5_0 kernels look weight scales up here:
/// a broadcast load replaces a broadcast and a conversion in every block's scale. Filled by
/// ck_matmul_rows before its first product (the only way to those kernels), so that commands that
/// run no model do not pay for it, with the portable conversion, so that no CPU feature is needed.
float ck_half_table[65536];

void ck_fill_half_table(void) {
    for (uint32_t h = 0; h < 65536; h++) ck_half_table[h] = ck_h2f((uint16_t)h);
}
