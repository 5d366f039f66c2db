/*
 * Portable kernels: the arithmetic of the vector kernels written out lane by lane (eight float lanes
 * with fused multiply-adds; K-quants in eight integer lanes per block of 32; Q8_0/Q4_0 one exact integer sum per
 * block), so every instruction set computes the same results. Used where no vector variant exists (arm64 builds get these, vectorised by the compiler).
 */
#include <math.h>
#include "common.h"

#define LANES 8

static float lane_sum(const float *acc) {
    float s = 0.0f;
    for (int l = 0; l < LANES; l++) {
        s += acc[l];
    }
    return s;
}

/* One float row (decoded by `get`) times a vector: one 8-lane FMA chain, then the tail. */
#define FLOAT_KERNEL(name, elem_bytes, get)                                                          \
    static void name(const uint8_t *w, int64_t cols, int64_t r0, int64_t r1, const uint8_t *act,   \
                     int64_t stride, int64_t batch, float *out, int64_t ostride) {                  \
        int64_t upper = cols - cols % LANES;                                                         \
        for (int64_t r = r0; r < r1; r++) {                                                          \
            const uint8_t *row = w + r * cols * (elem_bytes);                                        \
            for (int64_t b = 0; b < batch; b++) {                                                    \
                const float *x = (const float *)(act + b * stride);                                  \
                float acc[LANES] = {0};                                                              \
                int64_t i = 0;                                                                       \
                for (; i < upper; i += LANES) {                                                      \
                    for (int l = 0; l < LANES; l++) {                                                \
                        acc[l] = fmaf(get(row, i + l), x[i + l], acc[l]);                            \
                    }                                                                                \
                }                                                                                    \
                float s = lane_sum(acc);                                                             \
                for (; i < cols; i++) {                                                              \
                    float p = get(row, i) * x[i];                                                    \
                    s += p;                                                                          \
                }                                                                                    \
                out[b * ostride + r] = s;                                                            \
            }                                                                                        \
        }                                                                                            \
    }

static inline float get_f32(const uint8_t *row, int64_t i) {
    float f;
    memcpy(&f, row + 4 * i, 4);
    return f;
}
static inline float get_f16(const uint8_t *row, int64_t i) {
    return tandem_h2f(tandem_load_u16(row + 2 * i));
}
static inline float get_bf16(const uint8_t *row, int64_t i) {
    return tandem_bf16(tandem_load_u16(row + 2 * i));
}

FLOAT_KERNEL(f32_generic, 4, get_f32)
FLOAT_KERNEL(f16_generic, 2, get_f16)
FLOAT_KERNEL(bf16_generic, 2, get_bf16)

/* Repacked Q8_0 / Q4_0 (tandem_cpu.h): per block the exact integer sum, then one fused multiply-add per output. */
static void packed_generic(const uint8_t *w, int64_t cols, int64_t r0, int64_t r1, const uint8_t *act, int64_t stride,
                           int64_t batch, float *out, int64_t ostride, const int q4) {
    const int64_t nb = cols / 32;
    const int64_t tb = q4 ? TANDEM_Q4_0_TILE_BLOCK : TANDEM_Q8_0_TILE_BLOCK;
    const int groups = q4 ? 4 : 8;
    for (int64_t r = r0; r < r1; r++) {
        const uint8_t *tile = w + r / TANDEM_TILE_ROWS * nb * tb;
        const int i = (int)(r % TANDEM_TILE_ROWS);
        for (int64_t b = 0; b < batch; b++) {
            const uint8_t *a = act + b * stride;
            const int8_t *xq = (const int8_t *)a;
            const float *xd = (const float *)(a + cols);
            float acc = 0.0f;
            for (int64_t k = 0; k < nb; k++) {
                const uint8_t *blk = tile + k * tb;
                const int8_t *x = xq + 32 * k;
                int32_t sum = 0;
                for (int g = 0; g < groups; g++) {
                    const uint8_t *p = blk + 4 * TANDEM_TILE_ROWS * g + 4 * i;
                    for (int e = 0; e < 4; e++) {
                        if (q4) {
                            sum += ((p[e] & 0xF) - 8) * x[4 * g + e] + ((p[e] >> 4) - 8) * x[16 + 4 * g + e];
                        } else {
                            sum += (int8_t)p[e] * x[4 * g + e];
                        }
                    }
                }
                float d = tandem_half_at(blk + 4 * TANDEM_TILE_ROWS * groups + 2 * i);
                acc = fmaf((float)sum, d * xd[k], acc);
            }
            out[b * ostride + r] = acc;
        }
    }
}

static void q8_0_generic(const uint8_t *w, int64_t cols, int64_t r0, int64_t r1, const uint8_t *act, int64_t stride,
                         int64_t batch, float *out, int64_t ostride) {
    packed_generic(w, cols, r0, r1, act, stride, batch, out, ostride, 0);
}
static void q4_0_generic(const uint8_t *w, int64_t cols, int64_t r0, int64_t r1, const uint8_t *act, int64_t stride,
                         int64_t batch, float *out, int64_t ostride) {
    packed_generic(w, cols, r0, r1, act, stride, batch, out, ostride, 1);
}

/* Eight integer lanes of a block of 32 (lane order): lane l sums positions 4l..4l+3 of w and x. */
static inline void block_lanes(const int8_t *w, const int8_t *x, int32_t *lanes) {
    for (int l = 0; l < 8; l++) {
        int32_t s = 0;
        for (int j = 0; j < 4; j++) {
            s += (int32_t)w[4 * l + j] * x[4 * l + j];
        }
        lanes[l] = s;
    }
}

/* The 256 values of a K-quant super-block, natural order, as ints (without d/dmin). */
static void q4_k_values(const uint8_t *p, uint8_t *v) {
    for (int j = 0; j < 4; j++) {
        for (int l = 0; l < 32; l++) {
            uint8_t q = p[16 + 32 * j + l];
            v[64 * j + l] = q & 0xF;
            v[64 * j + 32 + l] = q >> 4;
        }
    }
}
static void q5_k_values(const uint8_t *p, uint8_t *v) {
    for (int j = 0; j < 4; j++) {
        for (int l = 0; l < 32; l++) {
            uint8_t q = p[48 + 32 * j + l];
            uint8_t h = p[16 + l];
            v[64 * j + l] = (q & 0xF) | (((h >> (2 * j)) & 1) << 4);
            v[64 * j + 32 + l] = (q >> 4) | (((h >> (2 * j + 1)) & 1) << 4);
        }
    }
}

#define QK_MIN_KERNEL(name, bytes, values)                                                           \
    static void name(const uint8_t *w, int64_t cols, int64_t r0, int64_t r1, const uint8_t *act,   \
                     int64_t stride, int64_t batch, float *out, int64_t ostride) {                  \
        int64_t nb = cols / 256;                                                                     \
        for (int64_t r = r0; r < r1; r++) {                                                          \
            const uint8_t *row = w + r * nb * (bytes);                                               \
            for (int64_t b = 0; b < batch; b++) {                                                    \
                const int8_t *xq = (const int8_t *)(act + b * stride);                               \
                const float *xd = (const float *)(act + b * stride + cols);                          \
                const int32_t *xs = (const int32_t *)(act + b * stride + cols + 4 * nb);             \
                float acc[LANES] = {0};                                                              \
                float accMin = 0.0f;                                                                 \
                for (int64_t k = 0; k < nb; k++) {                                                   \
                    const uint8_t *p = row + k * (bytes);                                            \
                    uint8_t v[256];                                                                  \
                    values(p, v);                                                                    \
                    int32_t isum[8] = {0};                                                           \
                    int32_t mins = 0;                                                                \
                    for (int sb = 0; sb < 8; sb++) {                                                 \
                        int sc, mn;                                                                  \
                        tandem_scale_min_k4(sb, p + 4, &sc, &mn);                                    \
                        int8_t wq[32];                                                               \
                        int32_t lanes[8];                                                            \
                        for (int t = 0; t < 32; t++) {                                               \
                            wq[t] = (int8_t)v[32 * sb + tandem_lane_element(t)];                     \
                        }                                                                            \
                        block_lanes(wq, xq + 256 * k + 32 * sb, lanes);                              \
                        for (int l = 0; l < 8; l++) {                                                \
                            isum[l] += lanes[l] * sc;                                                \
                        }                                                                            \
                        mins += mn * xs[8 * k + sb];                                                 \
                    }                                                                                \
                    float s = xd[k] * tandem_half_at(p);                                             \
                    for (int l = 0; l < 8; l++) {                                                    \
                        acc[l] = fmaf((float)isum[l], s, acc[l]);                                    \
                    }                                                                                \
                    float m = -xd[k] * tandem_half_at(p + 2);                                        \
                    accMin += m * (float)mins;                                                       \
                }                                                                                    \
                out[b * ostride + r] = lane_sum(acc) + accMin;                                       \
            }                                                                                        \
        }                                                                                            \
    }

QK_MIN_KERNEL(q4_k_generic, Q4_K_BYTES, q4_k_values)
QK_MIN_KERNEL(q5_k_generic, Q5_K_BYTES, q5_k_values)

static void q6_k_generic(const uint8_t *w, int64_t cols, int64_t r0, int64_t r1, const uint8_t *act,
                         int64_t stride, int64_t batch, float *out, int64_t ostride) {
    int64_t nb = cols / 256;
    for (int64_t r = r0; r < r1; r++) {
        const uint8_t *row = w + r * nb * Q6_K_BYTES;
        for (int64_t b = 0; b < batch; b++) {
            const int8_t *xq = (const int8_t *)(act + b * stride);
            const float *xd = (const float *)(act + b * stride + cols);
            float acc[LANES] = {0};
            for (int64_t k = 0; k < nb; k++) {
                const uint8_t *p = row + k * Q6_K_BYTES;
                const int8_t *sc = (const int8_t *)(p + 192);
                int32_t isum[8] = {0};
                for (int h = 0; h < 2; h++) {
                    for (int kk = 0; kk < 4; kk++) {
                        /* elements 128h + 32kk + (0..31); the first 16 take scale 8h+2kk, the rest 8h+2kk+1 */
                        int8_t nat[32];
                        for (int e = 0; e < 32; e++) {
                            uint8_t ql = p[64 * h + 32 * (kk & 1) + e];
                            uint8_t qh = p[128 + 32 * h + e];
                            int nib = kk < 2 ? (ql & 0xF) : (ql >> 4);
                            nat[e] = (int8_t)((nib | (((qh >> (2 * kk)) & 3) << 4)) - 32);
                        }
                        const int8_t *x = xq + 256 * k + 128 * h + 32 * kk;
                        for (int l = 0; l < 8; l++) {
                            /* lane order: positions 4l, 4l+1 are elements of the first half, 4l+2, 4l+3 of the second */
                            int32_t a = nat[2 * l] * x[4 * l] + nat[2 * l + 1] * x[4 * l + 1];
                            int32_t c = nat[16 + 2 * l] * x[4 * l + 2] + nat[17 + 2 * l] * x[4 * l + 3];
                            isum[l] += a * sc[8 * h + 2 * kk] + c * sc[8 * h + 2 * kk + 1];
                        }
                    }
                }
                float s = xd[k] * tandem_half_at(p + 208);
                for (int l = 0; l < 8; l++) {
                    acc[l] = fmaf((float)isum[l], s, acc[l]);
                }
            }
            out[b * ostride + r] = lane_sum(acc);
        }
    }
}

/* Q8_0 activations (tandem_cpu.h): values, scales, values offset to unsigned, −8 × each block's sum. */
static void quantize_q8_0_generic(const float *x, int64_t cols, uint8_t *act) {
    int8_t *q = (int8_t *)act;
    float *d = (float *)(act + cols);
    uint8_t *u = act + cols + 4 * (cols / 32);
    uint8_t *sums = u + cols;
    for (int64_t blk = 0; blk < cols / 32; blk++) {
        const float *v = x + 32 * blk;
        float max = 0.0f;
        for (int j = 0; j < 32; j++) {
            float a = fabsf(v[j]);
            max = a > max ? a : max;
        }
        d[blk] = tandem_h2f(tandem_f2h(max / 127.0f));
        float id = max != 0.0f ? 127.0f / max : 0.0f;
        int32_t sum = 0;
        for (int j = 0; j < 32; j++) {
            int8_t qj = (int8_t)(int)nearbyintf(v[j] * id);
            q[32 * blk + j] = qj;
            u[32 * blk + j] = (uint8_t)(qj ^ 0x80);
            sum += qj;
        }
        /* for Q4_0, whose nibbles are w + 8 */
        memcpy(sums + 4 * blk, &(int32_t){-8 * sum}, 4);
    }
}

void tandem_kernels_generic(tandem_kernels *k) {
    k->f32 = f32_generic;
    k->f16 = f16_generic;
    k->bf16 = bf16_generic;
    k->quantize_q8_0 = quantize_q8_0_generic;
    k->q8_0 = q8_0_generic;
    k->q4_0 = q4_0_generic;
    k->q4_k = q4_k_generic;
    k->q5_k = q5_k_generic;
    k->q6_k = q6_k_generic;
    k->float_lanes = LANES;
}
