// ck_generic.c: the portable kernels, built for baseline x86-64 (SSE2) or any other CPU.
#define CK_TABLE_NAME ck_table_generic
#include <stdlib.h>
#include "ck_impl.h"
#include "ck_gemm.h"
#include "ck_vec.h"
#include "ck_attention.h"
#include "ck_table.h"
