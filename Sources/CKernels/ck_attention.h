// ck_attention.h: causal attention of a block of query rows over a ring of cached keys and values,
// in tiles of keys with an online softmax (the flash-attention recurrence), in plain C on 16-float
// vectors. Included by every ck_<isa>.c after ck_vec.h.
//
// Query rows are the vector lanes: Q is transposed once per call (QT[d][row], rows padded to a
// multiple of 16), so scores need no reductions and no transposed keys:
//   1. ST[j][row] = sum_d K[j][d] * QT[d][row]: 8 keys (broadcast) x 32 rows (two vectors);
//   2. per 16 rows: mask (causal, window), running maximum m, P = e^(S - m), rescale l and O;
//   3. O[row][c] += sum_j P[j][row] V[j][c]: 4 rows x 64 value columns, the 64 x 64 values of the
//      tile (16 KB) reused from L1 by every row.
// A key tile is at most CK_ATT_KEYS consecutive positions that do not wrap around the ring. The
// cache holds float16 (half the memory and traffic of floats); each tile's keys and values are
// converted to floats once (KF, VF) and then reused by every query row. Finally out = O / l.

#define CK_ATT_KEYS 64     // keys per tile

/// ST rows j0 ..< j0 + 8 for row vectors rv ..< rv + R (R = 1 or 2).
static inline void ck_att_scores(const float *QT, int nq16, int dk, const float *const kp[8], float *ST, int rv,
                                 const int R) {
    ck_v16f acc[8][2];
    for (int k = 0; k < 8; k++) { acc[k][0] = ck_splat16(0.0f); acc[k][1] = ck_splat16(0.0f); }
    for (int d = 0; d < dk; d++) {
        const float *qt = QT + (size_t)d * nq16 + 16 * rv;
        const ck_v16f q0 = ck_ld16(qt), q1 = R == 2 ? ck_ld16(qt + 16) : ck_splat16(0.0f);
        for (int k = 0; k < 8; k++) {
            const float kv = kp[k][d];
            acc[k][0] += q0 * kv;
            if (R == 2) acc[k][1] += q1 * kv;
        }
    }
    for (int k = 0; k < 8; k++) {
        ck_st16(ST + (size_t)k * nq16 + 16 * rv, acc[k][0]);
        if (R == 2) ck_st16(ST + (size_t)k * nq16 + 16 * rv + 16, acc[k][1]);
    }
}

/// See ck_attention in ck_kernels.h (dv a multiple of 16).
/// cap * tanh(s / cap), tanh(y) = 1 - 2 / (e^(2y) + 1) (saturates cleanly: ck_exp16 clamps).
static inline ck_v16f ck_softcap16(ck_v16f s, float cap) {
    return cap * (1.0f - 2.0f / (ck_exp16(s * (2.0f / cap)) + 1.0f));
}

static int attention_f32(const float *q, int64_t q_stride, int group, int ntok, int64_t first_pos,
                         const uint16_t *kc, int64_t k_stride, const uint16_t *vc, int64_t v_stride, int64_t capacity,
                         int64_t window, int dk, int dv, float scale, float softcap, float *out, int64_t out_stride) {
    const int nq = ntok * group, nv = (nq + 15) / 16, nq16 = 16 * nv, nq4 = (nq + 3) / 4 * 4;
    // Scratch: QT, ST (then P), O, per row m, l, the rescale factor, position and first visible,
    // then the tile's keys and values as floats.
    const size_t floats = (size_t)dk * nq16 + (size_t)CK_ATT_KEYS * nq16 + (size_t)nq16 * dv + 5 * (size_t)nq16
                          + (size_t)CK_ATT_KEYS * (size_t)(dk + dv);
    float *scratch = aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64);
    if (!scratch) return 0;
    float *QT = scratch, *ST = QT + (size_t)dk * nq16, *O = ST + (size_t)CK_ATT_KEYS * nq16;
    float *M = O + (size_t)nq16 * dv, *L = M + nq16, *C = L + nq16;
    int32_t *POS = (int32_t *)(C + nq16), *LO = POS + nq16;
    float *KF = (float *)(LO + nq16), *VF = KF + (size_t)CK_ATT_KEYS * dk;

    for (int i = 0; i < nq16; i++) {
        if (i < nq) {
            const float *src = q + (size_t)(i / group) * q_stride + (size_t)(i % group) * dk;
            for (int d = 0; d < dk; d++) QT[(size_t)d * nq16 + i] = src[d] * scale;
            const int64_t pos = first_pos + i / group;
            POS[i] = (int32_t)pos;
            LO[i] = (int32_t)(window > 0 && pos - window + 1 > 0 ? pos - window + 1 : 0);
        } else {
            for (int d = 0; d < dk; d++) QT[(size_t)d * nq16 + i] = 0;
            POS[i] = -1;   // padding rows see nothing
            LO[i] = 0;
        }
        M[i] = -INFINITY;
        L[i] = 0;
    }
    memset(O, 0, sizeof(float) * (size_t)nq16 * dv);

    const int64_t last_pos = first_pos + ntok - 1;
    // Tiles start at multiples of CK_ATT_KEYS positions (the first one masked up to the window), so
    // a query row meets the same tiles, and gets the same result, whichever rows share its call:
    // a prompt token computed in a long prompt or after a cached prefix, a stream decoded alone or
    // with others.
    int64_t p0 = window > 0 && first_pos - window + 1 > 0 ? first_pos - window + 1 : 0;
    p0 -= p0 % CK_ATT_KEYS;
    while (p0 <= last_pos) {
        const int64_t slot0 = p0 % capacity;
        int64_t nk = last_pos - p0 + 1;
        if (nk > CK_ATT_KEYS) nk = CK_ATT_KEYS;
        if (nk > capacity - slot0) nk = capacity - slot0;

        for (int64_t j = 0; j < nk; j++) {
            f16_to_f32(kc + (size_t)(slot0 + j) * (size_t)k_stride, KF + (size_t)j * dk, dk);
            f16_to_f32(vc + (size_t)(slot0 + j) * (size_t)v_stride, VF + (size_t)j * dv, dv);
        }

        // 1. Scores, 8 keys at a time (past nk: the last key again, masked below).
        for (int64_t j0 = 0; j0 < nk; j0 += 8) {
            const float *kp[8];
            for (int k = 0; k < 8; k++) kp[k] = KF + (size_t)(j0 + k < nk ? j0 + k : nk - 1) * dk;
            float *st = ST + (size_t)j0 * nq16;
            int rv = 0;
            for (; rv + 2 <= nv; rv += 2) ck_att_scores(QT, nq16, dk, kp, st, rv, 2);
            if (rv < nv) ck_att_scores(QT, nq16, dk, kp, st, rv, 1);
        }

        // 2. Soft-cap, mask and online softmax, 16 rows at a time.
        for (int rv = 0; rv < nv; rv++) {
            const ck_v16i pos = (ck_v16i)ck_ld16((const float *)POS + 16 * rv);
            const ck_v16i lo = (ck_v16i)ck_ld16((const float *)LO + 16 * rv);
            const ck_v16f ninf = ck_splat16(-INFINITY);
            ck_v16f mt = ninf;
            for (int64_t j = 0; j < nk; j++) {
                const int32_t pj = (int32_t)(p0 + j);
                const ck_v16i visible = (pos >= pj) & (lo <= pj);
                float *s = ST + (size_t)j * nq16 + 16 * rv;
                const ck_v16f raw = softcap > 0 ? ck_softcap16(ck_ld16(s), softcap) : ck_ld16(s);
                const ck_v16f v = (ck_v16f)(((ck_v16i)raw & visible) | ((ck_v16i)ninf & ~visible));
                ck_st16(s, v);
                mt = __builtin_elementwise_max(mt, v);
            }
            const ck_v16f m = ck_ld16(M + 16 * rv);
            const ck_v16f mnew = __builtin_elementwise_max(m, mt);
            // Rows that have seen nothing yet keep m = -inf and get no weight (base 0 avoids inf - inf).
            const ck_v16i seen = mnew != ninf;
            const ck_v16f base = (ck_v16f)((ck_v16i)mnew & seen);
            const ck_v16f corr = (ck_v16f)((ck_v16i)ck_exp16(m - base) & (m != ninf));
            ck_v16f sum = ck_splat16(0.0f);
            for (int64_t j = 0; j < nk; j++) {
                float *s = ST + (size_t)j * nq16 + 16 * rv;
                const ck_v16f v = ck_ld16(s);
                const ck_v16f e = (ck_v16f)((ck_v16i)ck_exp16(v - base) & (v != ninf));
                ck_st16(s, e);
                sum += e;
            }
            ck_st16(L + 16 * rv, ck_ld16(L + 16 * rv) * corr + sum);
            ck_st16(M + 16 * rv, mnew);
            ck_st16(C + 16 * rv, corr);
        }
        for (int i = 0; i < nq; i++) {
            if (C[i] == 1.0f) continue;
            float *o = O + (size_t)i * dv;
            for (int c = 0; c < dv; c += 16) ck_st16(o + c, ck_ld16(o + c) * C[i]);
        }

        // 3. O += P V, 64 value columns at a time (then 16 for a last partial chunk).
        int c0 = 0;
        for (; c0 + 64 <= dv; c0 += 64) {
            for (int i0 = 0; i0 < nq4; i0 += 4) {
                float *o = O + (size_t)i0 * dv + c0;
                ck_v16f acc[4][4];
                for (int a = 0; a < 4; a++)
                    for (int b = 0; b < 4; b++) acc[a][b] = ck_ld16(o + (size_t)a * dv + 16 * b);
                for (int64_t j = 0; j < nk; j++) {
                    const float *v = VF + (size_t)j * dv + c0;
                    const float *p = ST + (size_t)j * nq16 + i0;
                    const ck_v16f v0 = ck_ld16(v), v1 = ck_ld16(v + 16), v2 = ck_ld16(v + 32), v3 = ck_ld16(v + 48);
                    for (int a = 0; a < 4; a++) {
                        const float pa = p[a];
                        acc[a][0] += v0 * pa;
                        acc[a][1] += v1 * pa;
                        acc[a][2] += v2 * pa;
                        acc[a][3] += v3 * pa;
                    }
                }
                for (int a = 0; a < 4; a++)
                    for (int b = 0; b < 4; b++) ck_st16(o + (size_t)a * dv + 16 * b, acc[a][b]);
            }
        }
        for (; c0 < dv; c0 += 16) {
            for (int i0 = 0; i0 < nq4; i0 += 4) {
                ck_v16f acc[4];
                for (int a = 0; a < 4; a++) acc[a] = ck_ld16(O + (size_t)(i0 + a) * dv + c0);
                for (int64_t j = 0; j < nk; j++) {
                    const ck_v16f v0 = ck_ld16(VF + (size_t)j * dv + c0);
                    const float *p = ST + (size_t)j * nq16 + i0;
                    for (int a = 0; a < 4; a++) acc[a] += v0 * p[a];
                }
                for (int a = 0; a < 4; a++) ck_st16(O + (size_t)(i0 + a) * dv + c0, acc[a]);
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
