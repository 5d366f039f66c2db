/*
 * Times the kernels alone, without the JVM: one weight matrix (default 5632 × 2048, TinyLlama's FFN shape) times
 * 1, 2, 4 and 8 activation vectors on one thread, alternating, against eight copies of the matrix so that the
 * weights come from memory, not cache (Q8_0 and Q4_0 repacked first, as the engine does); plus a plain read of the
 * same bytes, and a 64-vector prompt (multiply-adds per second). Prints the median and the minimum of
 * 40 calls per batch (on a loaded machine the minimum is the least disturbed call).
 *   cc -O2 -o /tmp/tandem-cpu-bench src-native/cpu/bench.c -ldl
 *   /tmp/tandem-cpu-bench engine/target/classes/native/linux-x86_64/libtandem_cpu.so TYPE [ISA] [ROWS COLS]
 * TYPE: GGML type id (8 Q8_0, 2 Q4_0, 1 F16, 0 F32); ISA: 0 generic, 1 avx2, 2 avx512 (default: the detected one).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*mm_t)(int, const uint8_t *, int64_t, int64_t, int64_t, const uint8_t *, int64_t, int64_t, float *, int64_t);
typedef void (*q_t)(int, const float *, int64_t, int64_t, int64_t, uint8_t *, int64_t);
typedef int (*sel_t)(int);
typedef int64_t (*ab_t)(int, int64_t);
typedef int64_t (*rb_t)(int, int64_t, int64_t);
typedef int (*rp_t)(int, const uint8_t *, int64_t, int64_t, uint8_t *);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define COPIES 8
#define CALLS 40

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s LIBRARY TYPE [ISA] [ROWS COLS]\n", argv[0]);
        return 2;
    }
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    mm_t mm = (mm_t)dlsym(h, "tandem_matmul");
    q_t quantize = (q_t)dlsym(h, "tandem_quantize");
    sel_t sel = (sel_t)dlsym(h, "tandem_cpu_select");
    ab_t act_bytes = (ab_t)dlsym(h, "tandem_act_bytes");
    rb_t repacked_bytes = (rb_t)dlsym(h, "tandem_repacked_bytes");
    rp_t repack = (rp_t)dlsym(h, "tandem_repack");
    int type = atoi(argv[2]);
    int isa = sel(argc > 3 ? atoi(argv[3]) : -1);
    int64_t rows = argc > 5 ? atoll(argv[4]) : 5632, cols = argc > 5 ? atoll(argv[5]) : 2048;
    int q = type == 8 || type == 2;
    int bb = type == 8 ? 34 : 18;
    int64_t rb = q ? cols / 32 * bb : cols * (type == 0 ? 4 : 2);
    srand(1);
    uint8_t *w[COPIES];
    for (int m = 0; m < COPIES; m++) {
        w[m] = aligned_alloc(64, (rows * rb + 63) & ~63);
        for (int64_t i = 0; i < rows * rb; i++) {
            w[m][i] = (uint8_t)rand();
        }
        if (q) { /* block scales: normal halves around 2^-9 */
            for (int64_t r = 0; r < rows; r++) {
                for (int64_t b = 0; b < cols / 32; b++) {
                    uint16_t s = 0x1000 + (rand() & 0x3ff);
                    memcpy(w[m] + r * rb + b * bb, &s, 2);
                }
            }
        } else if (type == 1) {
            for (int64_t i = 0; i < rows * cols; i++) {
                uint16_t s = (uint16_t)(0x2000 + (rand() & 0x3ff) + ((rand() & 1) << 15));
                memcpy(w[m] + 2 * i, &s, 2);
            }
        } else {
            for (int64_t i = 0; i < rows * cols; i++) {
                float f = rand() / (float)RAND_MAX - 0.5f;
                memcpy(w[m] + 4 * i, &f, 4);
            }
        }
    }
    int mtype = type;
    if (q) {
        int64_t bytes = repacked_bytes(type, rows, cols);
        double t = 1e9;
        for (int m = 0; m < COPIES; m++) {
            uint8_t *p = aligned_alloc(64, (bytes + 63) & ~63);
            memset(p, 0, bytes); /* as the engine's allocation does */
            double t0 = now();
            mtype = repack(type, w[m], rows, cols, p);
            t = now() - t0 < t ? now() - t0 : t;
            free(w[m]);
            w[m] = p;
        }
        printf("repacking: %.2f ms per matrix (%.1f GB/s)\n", t * 1e3, bytes / t / 1e9);
    }
    enum { B = 64 };
    float *x = malloc(sizeof(float) * cols * B);
    for (int64_t i = 0; i < cols * B; i++) {
        x[i] = rand() / (float)RAND_MAX - 0.5f;
    }
    int kind = type == 8 || type == 2 ? 1 : 0;
    int64_t stride = (act_bytes(kind, cols) + 63) & ~63;
    uint8_t *act = aligned_alloc(64, stride * B);
    quantize(kind, x, cols, cols, B, act, stride);
    float *out = malloc(sizeof(float) * rows * B);
    const int batches[] = {1, 2, 4, 8};
    double t[4][CALLS];
    for (int it = 0; it < CALLS; it++) {
        for (int bi = 0; bi < 4; bi++) {
            double t0 = now();
            mm(mtype, w[it % COPIES], cols, 0, rows, act, stride, batches[bi], out, rows);
            t[bi][it] = now() - t0;
        }
    }
    double mb = rows * rb / 1e6;
    printf("type %d, isa %d, %lld x %lld, %.1f MB of weights, 1 thread\n", type, isa, (long long)rows, (long long)cols, mb);
    for (int bi = 0; bi < 4; bi++) {
        qsort(t[bi], CALLS, sizeof(double), cmp);
        printf("batch %d: median %.3f ms, min %.3f ms (%.1f GB/s of weights, %.2f ms per vector)\n", batches[bi],
               t[bi][CALLS / 2] * 1e3, t[bi][0] * 1e3, mb / t[bi][0] / 1e3, t[bi][0] * 1e3 / batches[bi]);
    }
    double tr[CALLS];
    uint64_t sink = 0;
    for (int it = 0; it < CALLS; it++) {
        double t0 = now();
        const uint64_t *p = (const uint64_t *)w[it % COPIES];
        uint64_t s = 0;
        for (int64_t i = 0; i + 8 <= rows * rb / 8; i += 8) {
            s += p[i] ^ p[i + 1] ^ p[i + 2] ^ p[i + 3] ^ p[i + 4] ^ p[i + 5] ^ p[i + 6] ^ p[i + 7];
        }
        sink += s;
        tr[it] = now() - t0;
    }
    qsort(tr, CALLS, sizeof(double), cmp);
    printf("plain read of the same bytes: min %.3f ms (%.1f GB/s)%s\n", tr[0] * 1e3, mb / tr[0] / 1e3, sink == 42 ? " " : "");
    double tp[CALLS / 4];
    for (int it = 0; it < CALLS / 4; it++) {
        double t0 = now();
        mm(mtype, w[it % COPIES], cols, 0, rows, act, stride, B, out, rows);
        tp[it] = now() - t0;
    }
    qsort(tp, CALLS / 4, sizeof(double), cmp);
    printf("prompt of %d: median %.2f ms, min %.2f ms (%.1f G multiply-adds/s)\n", B, tp[CALLS / 8] * 1e3, tp[0] * 1e3,
           (double)rows * cols * B / tp[0] / 1e9);
    return 0;
}
