/* Helpers shared by the kernel variants (internal). */
#ifndef TANDEM_CPU_COMMON_H
#define TANDEM_CPU_COMMON_H

#include <stdint.h>
#include <string.h>
#include "tandem_cpu.h"

/* IEEE half to float, exact (subnormals included). */
static inline float tandem_h2f(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t em = h & 0x7FFF;
    uint32_t bits;
    if (em >= 0x7C00) {
        bits = sign | 0x7F800000 | ((em & 0x3FF) << 13);
    } else {
        /* normals and subnormals: shift into place and scale by 2^112 (exact) */
        float f;
        uint32_t t = em << 13;
        memcpy(&f, &t, 4);
        f *= 0x1p112f;
        memcpy(&bits, &f, 4);
        bits |= sign;
    }
    float out;
    memcpy(&out, &bits, 4);
    return out;
}

/* float to IEEE half, round to nearest even (as Java's Float.floatToFloat16). */
static inline uint16_t tandem_f2h(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    uint32_t ax = x & 0x7FFFFFFF;
    if (ax >= 0x7F800000) {
        return (uint16_t)(sign | 0x7C00 | (ax > 0x7F800000 ? 0x200 : 0));
    }
    if (ax >= 0x477FF000) { /* rounds to >= 65520: infinity */
        return (uint16_t)(sign | 0x7C00);
    }
    if (ax < 0x38800000) { /* below the smallest normal half: subnormal, rounded by adding 0.5 in float */
        float a;
        memcpy(&a, &ax, 4);
        float t = a + 0.5f; /* the half's subnormal unit is 2^-24; 0.5 has ulp 2^-24 */
        uint32_t tb;
        memcpy(&tb, &t, 4);
        return (uint16_t)(sign | (tb - 0x3F000000));
    }
    uint32_t mant_odd = (ax >> 13) & 1;
    ax += 0xC8000FFF + mant_odd; /* rebias exponent (-112 << 23) and round half to even */
    return (uint16_t)(sign | (ax >> 13));
}

static inline uint16_t tandem_load_u16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline float tandem_half_at(const uint8_t *p) {
    return tandem_h2f(tandem_load_u16(p));
}

static inline float tandem_bf16(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* Element held at position t of a block of 32 in lane order (see tandem_cpu.h). */
static inline int tandem_lane_element(int t) {
    int l = t >> 2, j = t & 3;
    return j < 2 ? 2 * l + j : 16 + 2 * l + (j - 2);
}

/* ggml's get_scale_min_k4: scale and min of sub-block j from the 12 packed bytes. */
static inline void tandem_scale_min_k4(int j, const uint8_t *q, int *sc, int *mn) {
    if (j < 4) {
        *sc = q[j] & 63;
        *mn = q[j + 4] & 63;
    } else {
        *sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *mn = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

#define Q4_0_BYTES 18
#define Q8_0_BYTES 34
#define Q4_K_BYTES 144
#define Q5_K_BYTES 176
#define Q6_K_BYTES 210

void tandem_kernels_generic(tandem_kernels *k);
#if defined(__x86_64__) || defined(_M_X64)
void tandem_kernels_avx2(tandem_kernels *k);
void tandem_kernels_avx512(tandem_kernels *k);
#endif

#endif
