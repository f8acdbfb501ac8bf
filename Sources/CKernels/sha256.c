// SHA-256 (FIPS 180-4): a portable block function and one on the x86 SHA extensions (SHA-NI),
// picked per context at run time. See ck_sha256.h for the API.
#include "ck_sha256.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define CK_SHA256_X86 1
#endif

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t initial_state[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

// MARK: - Portable block function

static inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void blocks_portable(uint32_t state[8], const uint8_t *data, size_t blocks) {
    uint32_t w[64];
    while (blocks--) {
        for (int i = 0; i < 16; i++) w[i] = load_be32(data + 4 * i);
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
            uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g; g = f; f = e; e = d + t1;
            d = c; c = b; b = a; a = t1 + t2;
        }
        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
        data += 64;
    }
}

// MARK: - SHA-NI block function

#ifdef CK_SHA256_X86
// Four rounds at a time: sha256rnds2 does two rounds on the ABEF/CDGH halves of the state, and
// sha256msg1/msg2 extend the message schedule four words at a time.
__attribute__((target("sha,sse4.1,ssse3")))
static void blocks_shani(uint32_t state[8], const uint8_t *data, size_t blocks) {
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);

    // The instructions want the state as ABEF and CDGH.
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);

    while (blocks--) {
        const __m128i abef_saved = abef, cdgh_saved = cdgh;
        __m128i w[4];
        for (int i = 0; i < 4; i++)
            w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), byteswap);
        for (int group = 0; group < 16; group++) {
            __m128i message = _mm_add_epi32(w[group & 3], _mm_loadu_si128((const __m128i *)&K[4 * group]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, message);
            if (group < 12) {
                // w[group + 4] replaces w[group] in the ring of four.
                __m128i t = _mm_sha256msg1_epu32(w[group & 3], w[(group + 1) & 3]);
                t = _mm_add_epi32(t, _mm_alignr_epi8(w[(group + 3) & 3], w[(group + 2) & 3], 4));
                w[group & 3] = _mm_sha256msg2_epu32(t, w[(group + 3) & 3]);
            }
            message = _mm_shuffle_epi32(message, 0x0E);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, message);
        }
        abef = _mm_add_epi32(abef, abef_saved);
        cdgh = _mm_add_epi32(cdgh, cdgh_saved);
        data += 64;
    }

    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    dcba = _mm_blend_epi16(feba, dchg, 0xF0);
    hgfe = _mm_alignr_epi8(dchg, feba, 8);
    _mm_storeu_si128((__m128i *)&state[0], dcba);
    _mm_storeu_si128((__m128i *)&state[4], hgfe);
}
#endif

// MARK: - Dispatch and streaming

int ck_sha256_cpu_has_shani(void) {
#ifdef CK_SHA256_X86
    static volatile int cached = -1;   // benign race: every thread computes the same answer
    int known = cached;
    if (known >= 0) return known;
    unsigned eax, ebx, ecx, edx;
    int result = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
        if (ssse3 && sse41 && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
            result = (ebx >> 29) & 1;
    }
    cached = result;
    return result;
#else
    return 0;
#endif
}

void ck_sha256_init(ck_sha256_ctx *ctx, ck_sha256_backend backend) {
    memcpy(ctx->state, initial_state, sizeof initial_state);
    ctx->total_bytes = 0;
    ctx->buffered = 0;
    ctx->use_shani = backend != CK_SHA256_PORTABLE && ck_sha256_cpu_has_shani();
}

int ck_sha256_uses_shani(const ck_sha256_ctx *ctx) { return ctx->use_shani; }

static void run_blocks(ck_sha256_ctx *ctx, const uint8_t *data, size_t blocks) {
#ifdef CK_SHA256_X86
    if (ctx->use_shani) { blocks_shani(ctx->state, data, blocks); return; }
#endif
    blocks_portable(ctx->state, data, blocks);
}

void ck_sha256_update(ck_sha256_ctx *ctx, const void *data, size_t length) {
    const uint8_t *bytes = (const uint8_t *)data;
    ctx->total_bytes += length;
    if (ctx->buffered > 0) {
        size_t take = 64 - ctx->buffered;
        if (take > length) take = length;
        memcpy(ctx->buffer + ctx->buffered, bytes, take);
        ctx->buffered += (uint32_t)take;
        bytes += take;
        length -= take;
        if (ctx->buffered < 64) return;
        run_blocks(ctx, ctx->buffer, 1);
        ctx->buffered = 0;
    }
    size_t whole = length / 64;
    if (whole > 0) run_blocks(ctx, bytes, whole);
    bytes += whole * 64;
    length -= whole * 64;
    memcpy(ctx->buffer, bytes, length);
    ctx->buffered = (uint32_t)length;
}

void ck_sha256_final(ck_sha256_ctx *ctx, uint8_t digest[32]) {
    uint64_t bit_length = ctx->total_bytes * 8;
    uint8_t padding[72] = {0x80};
    size_t pad = (ctx->buffered < 56) ? 56 - ctx->buffered : 120 - ctx->buffered;
    for (int i = 0; i < 8; i++) padding[pad + i] = (uint8_t)(bit_length >> (56 - 8 * i));
    uint64_t total = ctx->total_bytes;
    ck_sha256_update(ctx, padding, pad + 8);
    ctx->total_bytes = total;
    for (int i = 0; i < 8; i++) {
        digest[4 * i + 0] = (uint8_t)(ctx->state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(ctx->state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(ctx->state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)(ctx->state[i]);
    }
}

void ck_sha256(const void *data, size_t length, uint8_t digest[32]) {
    ck_sha256_ctx ctx;
    ck_sha256_init(&ctx, CK_SHA256_AUTO);
    ck_sha256_update(&ctx, data, length);
    ck_sha256_final(&ctx, digest);
}
