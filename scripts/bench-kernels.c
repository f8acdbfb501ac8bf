// bench-kernels.c: rough single-thread speed of the CKernels matrix-product kernels, per ISA.
// Not a test and not a package target; build and run with scripts/bench-kernels.sh.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include "ck_kernels.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);   // CPU time: the build machines are shared
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *isa_name(int isa) { return isa == 0 ? "generic" : isa == 1 ? "avx2" : "avx512"; }

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

// Offsets of the half-precision scale fields (d, and dmin or -1) per type, so random bytes
// make sane blocks.
static void fix_scales(uint32_t type, uint8_t *b, int bytes) {
    int d = -1, m = -1;
    switch (type) {
    case 2: case 6: case 8: d = 0; break;
    case 3: case 7: d = 0; m = 2; break;
    case 10: d = 80; m = 82; break;
    case 11: d = 108; break;
    case 12: case 13: d = 0; m = 2; break;
    case 14: d = 208; break;
    default: return;
    }
    (void)bytes;
    // Varied scales (0.0039...0.0156), as in real weights: a kernel that looks scales up in a
    // table must not be measured on one cached entry.
    b[d] = (uint8_t)next(); b[d + 1] = (uint8_t)(0x1c + next() % 8);
    if (m >= 0) { b[m] = (uint8_t)next(); b[m + 1] = (uint8_t)(0x18 + next() % 4); }
}

static void bench(uint32_t type, const char *name, int64_t rows, int64_t cols, int64_t ntok) {
    const ck_type_kernels *k = ck_type_kernels_get(0, type);
    size_t row_bytes = (size_t)(cols / k->block_size) * k->block_bytes;
    // 2 MiB-aligned with transparent huge pages, as the model's weights are mapped.
    size_t wbytes = (row_bytes * rows + (2u << 20) - 1) / (2u << 20) * (2u << 20);
    uint8_t *w = aligned_alloc(2u << 20, wbytes);
    madvise(w, wbytes, MADV_HUGEPAGE);
    for (size_t i = 0; i < row_bytes * rows; i++) w[i] = (uint8_t)next();
    if (k->block_size > 1)
        for (size_t b = 0; b < row_bytes * rows / k->block_bytes; b++) fix_scales(type, w + b * k->block_bytes, k->block_bytes);
    else
        for (size_t i = 0; i < row_bytes * rows; i += 2) w[i + 1] = 0x2c;
    float *x = malloc(sizeof(float) * cols * ntok), *y = malloc(sizeof(float) * rows * ntok);
    for (int64_t i = 0; i < cols * ntok; i++) x[i] = (float)((int)(next() % 2001) - 1000) / 1000.0f;
    size_t stride = ck_act_row_bytes(k->act, cols);
    void *xa = k->act == CK_ACT_F32 ? (void *)x : malloc(stride * ntok);
    printf("%-5s %6lldx%-5lld tok %3lld:", name, (long long)rows, (long long)cols, (long long)ntok);
    for (int isa = 0; isa < CK_ISA_COUNT; isa++) {
        if (!ck_isa_supported(isa)) continue;
        if (k->act != CK_ACT_F32)
            for (int64_t t = 0; t < ntok; t++) ck_quantizer_get(isa, k->act)(x + t * cols, (char *)xa + t * stride, cols);
        double best = 1e9;
        for (int rep = 0; rep < 5; rep++) {
            double t0 = now();
            int iters = 0;
            do {
                // Several calls between clock reads (reading the thread's CPU clock costs ~0.5 us).
                for (int k = 0; k < 16; k++) ck_matmul_rows(isa, type, w, row_bytes, cols, 0, rows, xa, stride, ntok, y, rows);
                iters += 16;
            } while (now() - t0 < 0.05);
            double dt = (now() - t0) / iters;
            if (dt < best) best = dt;
        }
        printf("  %s %6.2f", isa_name(isa), rows * cols * ntok / best * 1e-9);
    }
    printf("  GMAC/s\n");
    if (ck_gemm_block(type) && ntok >= 8) {
        // The packed path for many tokens, with its max |difference| from the row-dot path.
        char *xp = malloc(ck_a8_bytes(cols, ntok));
        float *y2 = malloc(sizeof(float) * rows * ntok);
        printf("%-5s %6lldx%-5lld tok %3lld packed:", name, (long long)rows, (long long)cols, (long long)ntok);
        for (int isa = 0; isa < CK_ISA_COUNT; isa++) {
            if (!ck_isa_supported(isa)) continue;
            for (int64_t t = 0; t < ntok; t++) ck_quantize_a8(isa, x + t * cols, xp, cols, t, k->block_size == 256 ? 256 : 32);
            ck_matmul_rows(isa, type, w, row_bytes, cols, 0, rows, xa, stride, ntok, y, rows);
            double best = 1e9;
            for (int rep = 0; rep < 5; rep++) {
                double t0 = now();
                int iters = 0;
                do {
                    ck_gemm_rows(isa, type, w, row_bytes, cols, 0, rows, xp, ntok, y2, rows);
                    iters++;
                } while (now() - t0 < 0.05);
                double dt = (now() - t0) / iters;
                if (dt < best) best = dt;
            }
            float diff = 0, mag = 0;
            for (int64_t i = 0; i < rows * ntok; i++) {
                float e = y[i] - y2[i];
                if (e < 0) e = -e;
                if (e > diff) diff = e;
                if ((y[i] < 0 ? -y[i] : y[i]) > mag) mag = y[i] < 0 ? -y[i] : y[i];
            }
            printf("  %s %6.2f (diff %.1e of %.1e)", isa_name(isa),
                   rows * cols * ntok / best * 1e-9, diff, mag);
        }
        printf("  GMAC/s\n");
        free(xp); free(y2);
    }
    free(w); free(x); free(y);
    if (xa != x) free(xa);
}

/// Attention as the model runs it: `ntok` query tokens from position `first` (a prompt: from 0;
/// a decoding step: one token), 8-token query blocks of `group` heads over one KV head,
/// dk = dv = 256, keys and values in float16 as the KV cache holds them. Prints GMAC/s (q.k and
/// p.v over visible keys) and microseconds per pass over the tokens.
static void bench_attention(int ntok, int first, int group) {
    const int dk = 256, dv = 256, n = first + ntok;
    uint16_t *k = malloc(sizeof(uint16_t) * n * dk), *v = malloc(sizeof(uint16_t) * n * dv);
    float *q = malloc(sizeof(float) * ntok * group * dk), *o = malloc(sizeof(float) * ntok * group * dv);
    for (int i = 0; i < n * dk; i++) {
        const _Float16 kh = (_Float16)((float)((int)(next() % 2001) - 1000) / 1000.0f), vh = kh * (_Float16)0.5f;
        memcpy(&k[i], &kh, 2);
        memcpy(&v[i], &vh, 2);
    }
    for (int i = 0; i < ntok * group * dk; i++) q[i] = (float)((int)(next() % 2001) - 1000) / 1000.0f;
    double macs = 0;
    for (int t = 0; t < ntok; t++) macs += (double)(first + t + 1) * group * (dk + dv);
    const int passes = ntok == 1 ? 200 : 1;   // short calls: several per clock read
    printf("attention %d tokens from position %d x %d heads:", ntok, first, group);
    for (int isa = 0; isa < CK_ISA_COUNT; isa++) {
        if (!ck_isa_supported(isa)) continue;
        double best = 1e9;
        for (int rep = 0; rep < 5; rep++) {
            double t0 = now();
            for (int pass = 0; pass < passes; pass++)
                for (int b = 0; b < ntok; b += 8)
                    ck_attention(isa, q + (size_t)b * group * dk, group * dk, group, ntok - b < 8 ? ntok - b : 8,
                                 first + b, k, dk, v, dv, n, 0, dk, dv, 0.0625f, 0.0f, o + (size_t)b * group * dv,
                                 group * dv);
            double dt = (now() - t0) / passes;
            if (dt < best) best = dt;
        }
        printf("  %s %6.2f GMAC/s %7.1f us", isa_name(isa), macs / best * 1e-9, best * 1e6);
    }
    printf("\n");
    free(k); free(v); free(q); free(o);
}

/// A8 quantization speed (values per ns).
static void bench_quantize(void) {
    const int n = 640 * 512;
    float *x = malloc(sizeof(float) * n);
    for (int i = 0; i < n; i++) x[i] = (float)((int)(next() % 2001) - 1000) / 1000.0f;
    char *dst = malloc(ck_a8_bytes(640, 512));
    printf("quantize A8 640 x 512:");
    for (int isa = 0; isa < CK_ISA_COUNT; isa++) {
        if (!ck_isa_supported(isa)) continue;
        double best = 1e9;
        for (int rep = 0; rep < 5; rep++) {
            double t0 = now();
            for (int t = 0; t < 512; t++) ck_quantize_a8(isa, x + t * 640, dst, 640, t, 32);
            double dt = now() - t0;
            if (dt < best) best = dt;
        }
        printf("  %s %6.2f", isa_name(isa), n / best * 1e-9);
    }
    printf("  values/ns\n");
    free(x); free(dst);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "attention") == 0) {
        bench_attention(512, 0, 4);
        bench_attention(128, 0, 4);
        bench_attention(1, 64, 4);
        bench_attention(1, 512, 4);
        bench_quantize();
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "shape") == 0) {   // shape TYPE ROWS COLS TOKENS
        bench((uint32_t)atoi(argv[2]), argv[2], atoll(argv[3]), atoll(argv[4]), atoll(argv[5]));
        return 0;
    }
    int all = argc > 1 && strcmp(argv[1], "all") == 0;
    // "prompt": only 128 tokens (row dots and packed panels), the prompt-processing case.
    int prompt = argc > 1 && strcmp(argv[1], "prompt") == 0;
    if (prompt) all = argc > 2 && strcmp(argv[2], "all") == 0;

    static const struct { uint32_t type; const char *name; int64_t rows, cols; int hot; } cases[] = {
        {12, "Q4_K", 640, 2048, 1}, {14, "Q6_K", 640, 2048, 1}, {6, "Q5_0", 2048, 640, 1}, {8, "Q8_0", 4096, 640, 1}, {6, "Q5_0", 128, 10240, 3}, {8, "Q8_0", 256, 10240, 3}, {8, "Q8_0", 262144, 640, 2},
        {2, "Q4_0", 2048, 640, 0}, {3, "Q4_1", 2048, 640, 0}, {7, "Q5_1", 2048, 640, 0},
        {10, "Q2_K", 640, 2048, 0}, {11, "Q3_K", 640, 2048, 0}, {13, "Q5_K", 640, 2048, 0},
        {0, "F32", 512, 640, 0}, {1, "F16", 512, 640, 0}, {30, "BF16", 512, 640, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].hot == 2) {   // the output matrix: one token, from DRAM
            if (argc > 1 && strcmp(argv[1], "gemv") == 0) bench(cases[i].type, cases[i].name, cases[i].rows, cases[i].cols, 1);
            continue;
        }
        if (argc > 1 && strcmp(argv[1], "gemv") == 0) continue;
        if (cases[i].hot == 3) { if (argc > 1 && strcmp(argv[1], "long") == 0) bench(cases[i].type, cases[i].name, cases[i].rows, cases[i].cols, 1); continue; }
        if (!cases[i].hot && !all) continue;
        if (prompt) {
            bench(cases[i].type, cases[i].name, cases[i].rows, cases[i].cols, 128);
            continue;
        }
        bench(cases[i].type, cases[i].name, cases[i].rows, cases[i].cols, 1);
        bench(cases[i].type, cases[i].name, cases[i].rows, cases[i].cols, 4);
        bench(cases[i].type, cases[i].name, cases[i].rows, cases[i].cols, 16);
        bench(cases[i].type, cases[i].name, cases[i].rows, cases[i].cols, 128);
    }
    return 0;
}
