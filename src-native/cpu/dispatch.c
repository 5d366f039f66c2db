/* Instruction-set detection, kernel selection, activation quantization and the exported entry points. */
#include <math.h>
#include <stdlib.h>
#include "common.h"

#define TANDEM_CPU_VERSION 2

static tandem_kernels active;
static int active_isa = -1;
static int detected_isa = -1;

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static int detect(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) {
        return TANDEM_ISA_GENERIC;
    }
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, f16c = (c >> 29) & 1;
    if (!(fma && osxsave && avx && f16c)) {
        return TANDEM_ISA_GENERIC;
    }
    uint64_t xcr0 = xgetbv0();
    if ((xcr0 & 6) != 6) {
        return TANDEM_ISA_GENERIC;
    }
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        return TANDEM_ISA_GENERIC;
    }
    int avx2 = (b >> 5) & 1;
    if (!avx2) {
        return TANDEM_ISA_GENERIC;
    }
    int avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1, vnni = (c >> 11) & 1;
    if (avx512f && avx512bw && avx512vl && vnni && (xcr0 & 0xE6) == 0xE6) {
        return TANDEM_ISA_AVX512;
    }
    return TANDEM_ISA_AVX2;
}
#elif defined(__aarch64__)
static int detect(void) {
    return TANDEM_ISA_NEON;
}
#else
static int detect(void) {
    return TANDEM_ISA_GENERIC;
}
#endif

static void install(int isa) {
    tandem_kernels k;
    tandem_kernels_generic(&k);
    switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
    case TANDEM_ISA_AVX512:
        tandem_kernels_avx512(&k);
        break;
    case TANDEM_ISA_AVX2:
        tandem_kernels_avx2(&k);
        break;
#endif
    default:
        /* arm64 (NEON): the generic kernels, which the compiler vectorises for NEON. */
        break;
    }
    active = k;
    active_isa = isa;
}

int tandem_cpu_detected(void) {
    if (detected_isa < 0) {
        detected_isa = detect();
    }
    return detected_isa;
}

int tandem_cpu_select(int isa) {
    int best = tandem_cpu_detected();
    if (isa < 0 || isa > best || (isa == TANDEM_ISA_NEON) != (best == TANDEM_ISA_NEON)) {
        isa = best;
    }
    install(isa);
    return active_isa;
}

int tandem_cpu_isa(void) {
    if (active_isa < 0) {
        tandem_cpu_select(-1);
    }
    return active_isa;
}

int tandem_cpu_float_lanes(void) {
    tandem_cpu_isa();
    return active.float_lanes;
}

int tandem_cpu_version(void) {
    return TANDEM_CPU_VERSION;
}

int64_t tandem_act_bytes(int kind, int64_t cols) {
    switch (kind) {
    case TANDEM_ACT_Q8_0:
        return 2 * cols + 8 * (cols / 32);
    case TANDEM_ACT_Q8_K:
        return cols + 4 * (cols / 256) + 4 * (cols / 32);
    default:
        return 4 * cols;
    }
}

static void quantize_q8_k(const float *x, int64_t cols, uint8_t *act) {
    int8_t *q = (int8_t *)act;
    float *d = (float *)(act + cols);
    int32_t *sums = (int32_t *)(act + cols + 4 * (cols / 256));
    for (int64_t blk = 0; blk < cols / 256; blk++) {
        const float *v = x + 256 * blk;
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < 256; j++) {
            float a = fabsf(v[j]);
            if (a > amax) {
                amax = a;
                max = v[j];
            }
        }
        int8_t nat[256];
        if (amax == 0.0f) {
            d[blk] = 0.0f;
            memset(nat, 0, sizeof nat);
        } else {
            float iscale = -127.0f / max;
            for (int j = 0; j < 256; j++) {
                int v8 = (int)nearbyintf(iscale * v[j]);
                nat[j] = (int8_t)(v8 < 127 ? v8 : 127);
            }
            d[blk] = 1.0f / iscale;
        }
        for (int s = 0; s < 8; s++) {
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                sum += nat[32 * s + j];
            }
            sums[8 * blk + s] = sum;
            for (int t = 0; t < 32; t++) {
                q[256 * blk + 32 * s + t] = nat[32 * s + tandem_lane_element(t)];
            }
        }
    }
}

void tandem_quantize(int kind, const float *x, int64_t xstride, int64_t cols, int64_t batch,
                     uint8_t *act, int64_t stride) {
    if (active_isa < 0) {
        tandem_cpu_isa();
    }
    for (int64_t b = 0; b < batch; b++) {
        const float *v = x + b * xstride;
        uint8_t *a = act + b * stride;
        switch (kind) {
        case TANDEM_ACT_Q8_0:
            active.quantize_q8_0(v, cols, a);
            break;
        case TANDEM_ACT_Q8_K:
            quantize_q8_k(v, cols, a);
            break;
        default:
            memcpy(a, v, 4 * cols);
            break;
        }
    }
}

int64_t tandem_repacked_bytes(int type, int64_t rows, int64_t cols) {
    int64_t tb = type == 8 ? TANDEM_Q8_0_TILE_BLOCK : type == 2 ? TANDEM_Q4_0_TILE_BLOCK : -1;
    if (tb < 0) {
        return -1;
    }
    return (rows + TANDEM_TILE_ROWS - 1) / TANDEM_TILE_ROWS * (cols / 32) * tb;
}

int tandem_repack(int type, const uint8_t *w, int64_t rows, int64_t cols, uint8_t *dst) {
    if (type != 8 && type != 2) {
        return -1;
    }
    const int q4 = type == 2;
    const int64_t nb = cols / 32, bytes = q4 ? Q4_0_BYTES : Q8_0_BYTES;
    const int64_t tb = q4 ? TANDEM_Q4_0_TILE_BLOCK : TANDEM_Q8_0_TILE_BLOCK;
    const int groups = q4 ? 4 : 8;
    const int64_t tiles = (rows + TANDEM_TILE_ROWS - 1) / TANDEM_TILE_ROWS;
    static const uint8_t zeros[Q8_0_BYTES];
    for (int64_t t = 0; t < tiles; t++) {
        for (int i = 0; i < TANDEM_TILE_ROWS; i++) {
            const int64_t r = t * TANDEM_TILE_ROWS + i;
            const uint8_t *row = r < rows ? w + r * nb * bytes : NULL;
            for (int64_t k = 0; k < nb; k++) {
                const uint8_t *p = row ? row + k * bytes : zeros;
                uint8_t *blk = dst + (t * nb + k) * tb;
                for (int g = 0; g < groups; g++) {
                    memcpy(blk + 4 * TANDEM_TILE_ROWS * g + 4 * i, p + 2 + 4 * g, 4);
                }
                memcpy(blk + 4 * TANDEM_TILE_ROWS * groups + 2 * i, p, 2);
            }
        }
    }
    return TANDEM_REPACKED + type;
}

int tandem_matmul(int type, const uint8_t *w, int64_t cols, int64_t r0, int64_t r1,
                  const uint8_t *act, int64_t stride, int64_t batch, float *out, int64_t ostride) {
    if (active_isa < 0) {
        tandem_cpu_isa();
    }
    tandem_mm_fn f;
    switch (type) {
    case 0: f = active.f32; break;
    case 1: f = active.f16; break;
    case TANDEM_REPACKED + 2: f = active.q4_0; break;
    case TANDEM_REPACKED + 8: f = active.q8_0; break;
    case 12: f = active.q4_k; break;
    case 13: f = active.q5_k; break;
    case 14: f = active.q6_k; break;
    case 30: f = active.bf16; break;
    default: return -1;
    }
    if (r1 > r0 && batch > 0) {
        f(w, cols, r0, r1, act, stride, batch, out, ostride);
    }
    return 0;
}
