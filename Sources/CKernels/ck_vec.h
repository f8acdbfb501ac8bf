// ck_vec.h: 16-float vectors (clang vector extensions) and the elementwise kernels built on them:
// a fast exp, the GELU gate, rounding to float16. Included by every ck_<isa>.c after ck_impl.h,
// so the same code becomes SSE2, AVX2 or AVX-512 instructions.

typedef float ck_v16f __attribute__((vector_size(64), aligned(4)));
typedef int32_t ck_v16i __attribute__((vector_size(64), aligned(4)));
typedef int8_t ck_v16c __attribute__((vector_size(16), aligned(1)));

static inline ck_v16f ck_ld16(const float *p) { ck_v16f v; memcpy(&v, p, 64); return v; }
static inline void ck_st16(float *p, ck_v16f v) { memcpy(p, &v, 64); }
static inline ck_v16f ck_splat16(float x) { return (ck_v16f){0} + x; }

/// e^x, within 2 ulp for x in [-87, 88] (inputs beyond are clamped: e^-87 ~ 1.6e-38, e^88 ~ 1.7e38).
/// Cephes' method: x = n ln2 + r with |r| <= ln2/2, a degree-6 polynomial for e^r, 2^n from bits.
static inline ck_v16f ck_exp16(ck_v16f x) {
    x = __builtin_elementwise_min(__builtin_elementwise_max(x, ck_splat16(-87.0f)), ck_splat16(88.0f));
    const ck_v16f n = __builtin_elementwise_roundeven(x * 1.44269504088896341f);
    ck_v16f r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    ck_v16f p = ck_splat16(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    const ck_v16i bits = (__builtin_convertvector(n, ck_v16i) + 127) << 23;
    return p * (ck_v16f)bits;
}

static inline float ck_exp1(float x) { return ck_exp16(ck_splat16(x))[0]; }

/// gate[i] = gelu_tanh(gate[i]) * up[i], GELU as x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3).
static void gelu_gate_f32(float *gate, const float *up, int64_t n) {
    const float c = 0.797884560802865355879892119868763737f;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const ck_v16f x = ck_ld16(gate + i);
        const ck_v16f u = c * x * (1.0f + 0.044715f * x * x);
        ck_st16(gate + i, x / (1.0f + ck_exp16(-2.0f * u)) * ck_ld16(up + i));
    }
    for (; i < n; i++) {
        const float x = gate[i], u = c * x * (1.0f + 0.044715f * x * x);
        gate[i] = x / (1.0f + ck_exp1(-2.0f * u)) * up[i];
    }
}

/// out[i] = x[i] rounded to the nearest float16 (ties to even; +-inf beyond its range).
static void round_f16_f32(const float *x, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = (float)(_Float16)x[i];
}

/// out[i] = the float16 bits of x[i] (ties to even; +-inf beyond its range).
static void f32_to_f16(const float *x, uint16_t *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const _Float16 h = (_Float16)x[i];
        memcpy(out + i, &h, 2);
    }
}

typedef _Float16 ck_v16h __attribute__((vector_size(32), aligned(2)));

/// out[i] = the float16 with bits x[i] (16 at a time: one conversion instruction with F16C).
static void f16_to_f32(const uint16_t *x, float *out, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        ck_v16h h;
        memcpy(&h, x + i, 32);
        ck_st16(out + i, __builtin_convertvector(h, ck_v16f));
    }
    for (; i < n; i++) {
        _Float16 h;
        memcpy(&h, x + i, 2);
        out[i] = (float)h;
    }
}

/// out[i] = x[i] / sqrt(mean(x^2) + eps) * w[i] for `rows` rows of n floats (out may be x); the
/// mean of squares in double, as ggml does.
static void rms_norm_f32(const float *x, const float *w, float *out, int64_t rows, int64_t n, float eps) {
    for (int64_t r = 0; r < rows; r++, x += n, out += n) {
        double acc[8] = {0};
        int64_t i = 0;
        for (; i + 8 <= n; i += 8)
            for (int k = 0; k < 8; k++) acc[k] += (double)(x[i + k] * x[i + k]);
        double sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for (; i < n; i++) sum += (double)(x[i] * x[i]);
        const float mean = (float)(sum / (double)n);
        const float inv = 1.0f / sqrtf(mean + eps);
        for (i = 0; i < n; i++) out[i] = x[i] * inv * w[i];
    }
}

/// A8 quantization with vectors (see quantize_a8 in ck_gemm.h, whose results it reproduces).
static void quantize_a8_v(const float *x, void *dst, int64_t n, int64_t t, int scale_block) {
    const char *grp = ck_a8_group(dst, n, t / CK_A8_GROUP);
    const int j = (int)(t % CK_A8_GROUP);
    for (int64_t b0 = 0; b0 < n; b0 += scale_block) {
        // max |x| on the bit patterns: for non-negative floats, integer order is float order.
        ck_v16i m = {0};
        for (int i = 0; i < scale_block; i += 16)
            m = __builtin_elementwise_max(m, (ck_v16i)ck_ld16(x + b0 + i) & 0x7fffffff);
        const int32_t amax_bits = __builtin_reduce_max(m);
        float amax;
        memcpy(&amax, &amax_bits, 4);
        const float scale = amax / 127.0f, inv = amax > 0 ? 127.0f / amax : 0.0f;
        for (int64_t b = b0 / 32; b < (b0 + scale_block) / 32; b++) {
            int32_t sum[2];
            for (int h = 0; h < 2; h++) {
                const ck_v16f y = ck_ld16(x + 32 * b + 16 * h) * inv;
                const ck_v16i v = __builtin_convertvector(__builtin_elementwise_roundeven(y), ck_v16i);
                const ck_v16c c = __builtin_convertvector(v, ck_v16c);
                memcpy(ck_a8_q(grp, b, j) + 16 * h, &c, 16);
                sum[h] = __builtin_reduce_add(v);
                *ck_a8_s16(grp, n, 2 * b + h, j) = scale * (float)sum[h];
            }
            *ck_a8_d(grp, n, b, j) = scale;
            *ck_a8_s32(grp, n, b, j) = scale * (float)(sum[0] + sum[1]);
        }
    }
}
