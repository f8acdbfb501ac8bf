// ck_attention.h: causal attention of a block of query rows over a ring of cached keys and values,
// in tiles of keys with an online softmax (the flash-attention recurrence), in plain C on 16-float
// vectors. Included by every ck_<isa>.c after ck_vec.h.
//
// Per key tile (at most CK_ATT_KEYS consecutive positions that do not wrap around the ring):
//   1. the tile's keys are transposed (KT[d][j]) so that scores are broadcast-FMAs, no reductions;
//   2. S = (scale Q) KT for the padded rows, 4 rows x 64 keys at a time;
//   3. per row: mask (causal, window), new running maximum m, P = e^(S - m), rescale O and l;
//   4. O += P V, 4 rows x 64 value columns at a time.
// Finally out = O / l. The scratch memory is allocated once per call.

#define CK_ATT_KEYS 64     // keys per tile
#define CK_ATT_ROWS 4      // query rows per micro-tile

/// See ck_attention in ck_kernels.h (dv a multiple of 16).
static int attention_f32(const float *q, int64_t q_stride, int group, int ntok, int64_t first_pos,
                         const float *kc, int64_t k_stride, const float *vc, int64_t v_stride, int64_t capacity, int64_t window,
                         int dk, int dv, float scale, float *out, int64_t out_stride) {
    const int nq = ntok * group;
    const int nq4 = (nq + CK_ATT_ROWS - 1) / CK_ATT_ROWS * CK_ATT_ROWS;
    // Scratch: Q (scaled, padded rows), KT, S/P, O, m, l.
    const size_t floats = (size_t)nq4 * dk + (size_t)dk * CK_ATT_KEYS + (size_t)nq4 * CK_ATT_KEYS
        + (size_t)nq4 * dv + 2 * (size_t)nq4 + 16;
    float *scratch = aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64);
    if (!scratch) return 0;
    float *Q = scratch, *KT = Q + (size_t)nq4 * dk, *S = KT + (size_t)dk * CK_ATT_KEYS;
    float *O = S + (size_t)nq4 * CK_ATT_KEYS, *M = O + (size_t)nq4 * dv, *L = M + nq4;

    for (int i = 0; i < nq4; i++) {
        float *dst = Q + (size_t)i * dk;
        if (i < nq) {
            const float *src = q + (size_t)(i / group) * q_stride + (size_t)(i % group) * dk;
            for (int d = 0; d < dk; d++) dst[d] = src[d] * scale;
        } else {
            memset(dst, 0, sizeof(float) * (size_t)dk);
        }
        M[i] = -INFINITY;
        L[i] = 0;
    }
    memset(O, 0, sizeof(float) * (size_t)nq4 * dv);

    const int64_t last_pos = first_pos + ntok - 1;
    int64_t p0 = window > 0 && first_pos - window + 1 > 0 ? first_pos - window + 1 : 0;
    while (p0 <= last_pos) {
        const int64_t slot0 = p0 % capacity;
        int64_t nk = last_pos - p0 + 1;
        if (nk > CK_ATT_KEYS) nk = CK_ATT_KEYS;
        if (nk > capacity - slot0) nk = capacity - slot0;

        // 1. KT[d][j] = key j's element d (zero past nk).
        for (int d = 0; d < dk; d++) memset(KT + (size_t)d * CK_ATT_KEYS + nk, 0, sizeof(float) * (size_t)(CK_ATT_KEYS - nk));
        for (int64_t j = 0; j < nk; j++) {
            const float *key = kc + (size_t)(slot0 + j) * (size_t)k_stride;
            for (int d = 0; d < dk; d++) KT[(size_t)d * CK_ATT_KEYS + j] = key[d];
        }

        // 2. S = Q KT for all padded rows (KT is zero past nk, so whole vectors are safe).
        for (int i0 = 0; i0 < nq4; i0 += CK_ATT_ROWS) {
            ck_v16f acc[CK_ATT_ROWS][4];
            for (int a = 0; a < CK_ATT_ROWS; a++)
                for (int b = 0; b < 4; b++) acc[a][b] = ck_splat16(0.0f);
            const float *q0 = Q + (size_t)i0 * dk;
            for (int d = 0; d < dk; d++) {
                const float *kt = KT + (size_t)d * CK_ATT_KEYS;
                const ck_v16f k0 = ck_ld16(kt), k1 = ck_ld16(kt + 16), k2 = ck_ld16(kt + 32), k3 = ck_ld16(kt + 48);
                for (int a = 0; a < CK_ATT_ROWS; a++) {
                    const float qa = q0[(size_t)a * dk + d];
                    acc[a][0] += k0 * qa;
                    acc[a][1] += k1 * qa;
                    acc[a][2] += k2 * qa;
                    acc[a][3] += k3 * qa;
                }
            }
            for (int a = 0; a < CK_ATT_ROWS; a++)
                for (int b = 0; b < 4; b++) ck_st16(S + (size_t)(i0 + a) * CK_ATT_KEYS + 16 * b, acc[a][b]);
        }

        // 3. Mask, online softmax.
        for (int i = 0; i < nq4; i++) {
            float *s = S + (size_t)i * CK_ATT_KEYS;
            if (i >= nq) { memset(s, 0, sizeof(float) * CK_ATT_KEYS); continue; }
            const int64_t pos = first_pos + i / group;
            const int64_t lo = window > 0 && pos - window + 1 > 0 ? pos - window + 1 : 0;
            // Visible keys of this row form one run [j0, j1) of the tile.
            int64_t j0 = lo - p0, j1 = pos - p0 + 1;
            if (j0 < 0) j0 = 0;
            if (j1 > nk) j1 = nk;
            if (j1 <= j0) { memset(s, 0, sizeof(float) * CK_ATT_KEYS); continue; }
            float mt = -INFINITY;
            for (int64_t j = j0; j < j1; j++) mt = s[j] > mt ? s[j] : mt;
            const float mnew = mt > M[i] ? mt : M[i];
            const float corr = M[i] == -INFINITY ? 0.0f : ck_exp1(M[i] - mnew);
            M[i] = mnew;
            for (int64_t j = 0; j < j0; j++) s[j] = 0;
            for (int64_t j = j1; j < CK_ATT_KEYS; j++) s[j] = 0;
            float sum = 0;
            int64_t j = j0;
            for (; j + 16 <= j1; j += 16) {
                const ck_v16f e = ck_exp16(ck_ld16(s + j) - mnew);
                ck_st16(s + j, e);
                for (int k = 0; k < 16; k++) sum += e[k];
            }
            for (; j < j1; j++) { s[j] = ck_exp1(s[j] - mnew); sum += s[j]; }
            L[i] = L[i] * corr + sum;
            if (corr != 1.0f) {
                float *o = O + (size_t)i * dv;
                for (int c = 0; c < dv; c += 16) ck_st16(o + c, ck_ld16(o + c) * corr);
            }
        }

        // 4. O += P V, 64 value columns at a time (16 for a last partial chunk).
        for (int i0 = 0; i0 < nq4; i0 += CK_ATT_ROWS) {
            const float *p = S + (size_t)i0 * CK_ATT_KEYS;
            int c0 = 0;
            for (; c0 + 64 <= dv; c0 += 64) {
                ck_v16f acc[CK_ATT_ROWS][4];
                for (int a = 0; a < CK_ATT_ROWS; a++)
                    for (int b = 0; b < 4; b++) acc[a][b] = ck_ld16(O + (size_t)(i0 + a) * dv + c0 + 16 * b);
                for (int64_t j = 0; j < nk; j++) {
                    const float *v = vc + (size_t)(slot0 + j) * (size_t)v_stride + c0;
                    const ck_v16f v0 = ck_ld16(v), v1 = ck_ld16(v + 16), v2 = ck_ld16(v + 32), v3 = ck_ld16(v + 48);
                    for (int a = 0; a < CK_ATT_ROWS; a++) {
                        const float pa = p[(size_t)a * CK_ATT_KEYS + j];
                        acc[a][0] += v0 * pa;
                        acc[a][1] += v1 * pa;
                        acc[a][2] += v2 * pa;
                        acc[a][3] += v3 * pa;
                    }
                }
                for (int a = 0; a < CK_ATT_ROWS; a++)
                    for (int b = 0; b < 4; b++) ck_st16(O + (size_t)(i0 + a) * dv + c0 + 16 * b, acc[a][b]);
            }
            for (; c0 < dv; c0 += 16) {
                ck_v16f acc[CK_ATT_ROWS];
                for (int a = 0; a < CK_ATT_ROWS; a++) acc[a] = ck_ld16(O + (size_t)(i0 + a) * dv + c0);
                for (int64_t j = 0; j < nk; j++) {
                    const ck_v16f v0 = ck_ld16(vc + (size_t)(slot0 + j) * (size_t)v_stride + c0);
                    for (int a = 0; a < CK_ATT_ROWS; a++) acc[a] += v0 * p[(size_t)a * CK_ATT_KEYS + j];
                }
                for (int a = 0; a < CK_ATT_ROWS; a++) ck_st16(O + (size_t)(i0 + a) * dv + c0, acc[a]);
            }
        }
        p0 += nk;
    }

    for (int i = 0; i < nq; i++) {
        float *dst = out + (size_t)(i / group) * out_stride + (size_t)(i % group) * dv;
        const float inv = L[i] > 0 ? 1.0f / L[i] : 0.0f;
        for (int c = 0; c < dv; c++) dst[c] = O[(size_t)i * dv + c] * inv;
    }
    free(scratch);
    return 1;
}
