// Device kernels of the Llama/Qwen2 forward pass. Each computes the same function as the CPU engine
// (shared-model, dev.tandem.engine.LlamaForward and the *Matrix classes), up to float summation order.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <stdint.h>

namespace tandem {

// Weight types, numbered as GGML's type ids (dev.tandem.gguf.GgmlType).
enum WeightType : int { W_F32 = 0, W_F16 = 1, W_Q4_0 = 2, W_Q8_0 = 8, W_BF16 = 30 };

constexpr int QK = 32;           // values per Q8_0 / Q4_0 block
constexpr int MAX_HEAD_DIM = 256;
constexpr int GEMV_WARPS = 4;    // rows (one per warp) per GEMV thread block
constexpr int GEMV_MAX_BATCH = 8;  // above this, matrix products use the tiled GEMM
constexpr int BM = 64, BN = 64, BK = 32;  // GEMM tile: weight rows x activation vectors x columns
constexpr int ATT_WARPS = 4;

__host__ __device__ constexpr bool is_quantized(int t) { return t == W_Q8_0 || t == W_Q4_0; }

__host__ __device__ inline size_t row_bytes(int t, int cols) {
    switch (t) {
        case W_F32: return (size_t)cols * 4;
        case W_F16:
        case W_BF16: return (size_t)cols * 2;
        case W_Q8_0: return (size_t)(cols / QK) * 34;
        default: return (size_t)(cols / QK) * 18;
    }
}

__device__ __forceinline__ float half_bits(uint16_t h) { return __half2float(__ushort_as_half(h)); }
__device__ __forceinline__ float bf16_bits(uint16_t b) { return __uint_as_float((uint32_t)b << 16); }
__device__ __forceinline__ float round_half(float x) { return __half2float(__float2half_rn(x)); }

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Element c of a weight row, decoded as ggml's dequantize_row does.
template <int T>
__device__ __forceinline__ float load1(const uint8_t* row, int c) {
    if constexpr (T == W_F32) {
        return reinterpret_cast<const float*>(row)[c];
    } else if constexpr (T == W_F16) {
        return half_bits(reinterpret_cast<const uint16_t*>(row)[c]);
    } else if constexpr (T == W_BF16) {
        return bf16_bits(reinterpret_cast<const uint16_t*>(row)[c]);
    } else if constexpr (T == W_Q8_0) {
        const uint8_t* b = row + (c / QK) * 34;
        return half_bits(*reinterpret_cast<const uint16_t*>(b)) * (float)(int8_t)b[2 + c % QK];
    } else {
        const uint8_t* b = row + (c / QK) * 18;
        int j = c % QK;
        uint8_t q = b[2 + (j & 15)];
        int v = j < 16 ? (q & 15) : (q >> 4);
        return (float)(v - 8) * half_bits(*reinterpret_cast<const uint16_t*>(b));
    }
}

// Elements c..c+7 of a weight row (c a multiple of 8, all within the row). Quantized blocks are
// 2-byte aligned only (34 and 18 bytes), so they are read as 16-bit words; float rows use 16-byte
// loads when every row starts 16-byte aligned.
template <int T>
__device__ __forceinline__ void load8(const uint8_t* row, int c, bool aligned, float w[8]) {
    if constexpr (T == W_F32) {
        if (aligned) {
            const float4* p = reinterpret_cast<const float4*>(row + (size_t)c * 4);
            float4 a = __ldg(p), b = __ldg(p + 1);
            w[0] = a.x; w[1] = a.y; w[2] = a.z; w[3] = a.w;
            w[4] = b.x; w[5] = b.y; w[6] = b.z; w[7] = b.w;
            return;
        }
    } else if constexpr (T == W_F16 || T == W_BF16) {
        if (aligned) {
            uint4 u = __ldg(reinterpret_cast<const uint4*>(row + (size_t)c * 2));
            uint32_t words[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
            for (int i = 0; i < 4; i++) {
                uint16_t lo = (uint16_t)(words[i] & 0xffffu), hi = (uint16_t)(words[i] >> 16);
                w[2 * i] = T == W_F16 ? half_bits(lo) : bf16_bits(lo);
                w[2 * i + 1] = T == W_F16 ? half_bits(hi) : bf16_bits(hi);
            }
            return;
        }
    } else if constexpr (T == W_Q8_0) {
        const uint8_t* b = row + (c / QK) * 34;
        float d = half_bits(*reinterpret_cast<const uint16_t*>(b));
        const uint16_t* q = reinterpret_cast<const uint16_t*>(b + 2 + c % QK);
#pragma unroll
        for (int i = 0; i < 4; i++) {
            uint16_t u = q[i];
            w[2 * i] = d * (float)(int8_t)(u & 0xff);
            w[2 * i + 1] = d * (float)(int8_t)(u >> 8);
        }
        return;
    } else {
        const uint8_t* b = row + (c / QK) * 18;
        float d = half_bits(*reinterpret_cast<const uint16_t*>(b));
        int j = c % QK;
        const uint16_t* q = reinterpret_cast<const uint16_t*>(b + 2 + (j & 15));
        int shift = j < 16 ? 0 : 4;
#pragma unroll
        for (int i = 0; i < 4; i++) {
            uint16_t u = q[i];
            w[2 * i] = (float)((int)((u >> shift) & 15) - 8) * d;
            w[2 * i + 1] = (float)((int)((u >> (8 + shift)) & 15) - 8) * d;
        }
        return;
    }
    if constexpr (!is_quantized(T)) {
#pragma unroll
        for (int i = 0; i < 8; i++) w[i] = load1<T>(row, c + i);
    }
}

// Up to three matrices with the same input, type and row length, multiplied in one launch
// (Q/K/V, gate/up): a launch costs more than a small matrix at batch 1.
struct MatJob {
    const uint8_t* w;
    float* out;    // out[b * ldo + r]
    int rows;
    int ldo;
    int first;     // first launch unit (GEMV: row, GEMM: row tile) of this matrix
};

struct MatJobs {
    MatJob m[3];
    int count;
    int cols;
};

__device__ __forceinline__ const MatJob& find_job(const MatJobs& jobs, int unit) {
    int k = 0;
    while (k + 1 < jobs.count && unit >= jobs.m[k + 1].first) k++;
    return jobs.m[k];
}

__device__ __forceinline__ void store_out(float* o, float v, int accumulate) { *o = accumulate ? *o + v : v; }

// Matrix-vector products for n <= NB vectors, float weights: one warp per row, so each weight is read
// once per step whatever n (memory-bound at decode).
template <int T, int NB>
__global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_float(MatJobs jobs, const float* __restrict__ x, int n,
                                                             int accumulate) {
    int unit = blockIdx.x * GEMV_WARPS + threadIdx.x / 32;
    int lane = threadIdx.x & 31;
    const MatJob& job = find_job(jobs, unit);
    int r = unit - job.first;
    if (r >= job.rows) return;
    int cols = jobs.cols;
    size_t rb = row_bytes(T, cols);
    const uint8_t* row = job.w + (size_t)r * rb;
    float acc[NB];
#pragma unroll
    for (int b = 0; b < NB; b++) acc[b] = 0.f;
    if ((cols & 7) == 0) {
        bool aligned = (rb & 15) == 0;
        for (int c = lane * 8; c < cols; c += 256) {
            float w[8];
            load8<T>(row, c, aligned, w);
#pragma unroll
            for (int b = 0; b < NB; b++) {
                if (b < n) {
                    const float4* xv = reinterpret_cast<const float4*>(x + (size_t)b * cols + c);
                    float4 a = __ldg(xv), e = __ldg(xv + 1);
                    float s = acc[b];
                    s = fmaf(w[0], a.x, s); s = fmaf(w[1], a.y, s); s = fmaf(w[2], a.z, s); s = fmaf(w[3], a.w, s);
                    s = fmaf(w[4], e.x, s); s = fmaf(w[5], e.y, s); s = fmaf(w[6], e.z, s); s = fmaf(w[7], e.w, s);
                    acc[b] = s;
                }
            }
        }
    } else {
        for (int c = lane; c < cols; c += 32) {
            float w = load1<T>(row, c);
#pragma unroll
            for (int b = 0; b < NB; b++) {
                if (b < n) acc[b] = fmaf(w, x[(size_t)b * cols + c], acc[b]);
            }
        }
    }
#pragma unroll
    for (int b = 0; b < NB; b++) acc[b] = warp_sum(acc[b]);
    if (lane == 0) {
#pragma unroll
        for (int b = 0; b < NB; b++) {
            if (b < n) store_out(job.out + (size_t)b * job.ldo + r, acc[b], accumulate);
        }
    }
}

// Matrix-vector products for Q8_0/Q4_0 weights against activations quantized to Q8_0 (quantize_q8_0):
// integer dot products per block, scaled by both block scales, as llama.cpp and the CPU engine do.
template <int T, int NB>
__global__ void __launch_bounds__(GEMV_WARPS * 32) gemv_quant(MatJobs jobs, const int8_t* __restrict__ xq,
                                                             const float* __restrict__ xd, int n, int accumulate) {
    int unit = blockIdx.x * GEMV_WARPS + threadIdx.x / 32;
    int lane = threadIdx.x & 31;
    const MatJob& job = find_job(jobs, unit);
    int r = unit - job.first;
    if (r >= job.rows) return;
    int cols = jobs.cols;
    int blocks = cols / QK;
    constexpr int BB = T == W_Q8_0 ? 34 : 18;
    const uint8_t* row = job.w + (size_t)r * blocks * BB;
    float acc[NB];
#pragma unroll
    for (int b = 0; b < NB; b++) acc[b] = 0.f;
    for (int blk = lane; blk < blocks; blk += 32) {
        const uint8_t* p = row + (size_t)blk * BB;
        float d = half_bits(*reinterpret_cast<const uint16_t*>(p));
        const uint16_t* q16 = reinterpret_cast<const uint16_t*>(p + 2);
        int wv[8];
        if constexpr (T == W_Q8_0) {
#pragma unroll
            for (int i = 0; i < 8; i++) wv[i] = (int)((uint32_t)q16[2 * i] | ((uint32_t)q16[2 * i + 1] << 16));
        } else {
            // Byte j holds value j (low nibble) and value j + 16 (high nibble), both offset by 8.
#pragma unroll
            for (int i = 0; i < 4; i++) {
                uint32_t v = (uint32_t)q16[2 * i] | ((uint32_t)q16[2 * i + 1] << 16);
                wv[i] = (int)__vsubss4(v & 0x0F0F0F0Fu, 0x08080808u);
                wv[i + 4] = (int)__vsubss4((v >> 4) & 0x0F0F0F0Fu, 0x08080808u);
            }
        }
#pragma unroll
        for (int b = 0; b < NB; b++) {
            if (b < n) {
                const int4* xv = reinterpret_cast<const int4*>(xq + (size_t)b * cols + (size_t)blk * QK);
                int4 a = __ldg(xv), e = __ldg(xv + 1);
                int s = __dp4a(wv[0], a.x, 0);
                s = __dp4a(wv[1], a.y, s); s = __dp4a(wv[2], a.z, s); s = __dp4a(wv[3], a.w, s);
                s = __dp4a(wv[4], e.x, s); s = __dp4a(wv[5], e.y, s); s = __dp4a(wv[6], e.z, s); s = __dp4a(wv[7], e.w, s);
                acc[b] += (float)s * (d * xd[(size_t)b * blocks + blk]);
            }
        }
    }
#pragma unroll
    for (int b = 0; b < NB; b++) acc[b] = warp_sum(acc[b]);
    if (lane == 0) {
#pragma unroll
        for (int b = 0; b < NB; b++) {
            if (b < n) store_out(job.out + (size_t)b * job.ldo + r, acc[b], accumulate);
        }
    }
}

// Tiled matrix-matrix product (prompts, large decode batches): a BM x BN tile of outputs per block,
// weights decoded to float in shared memory. Quantized weights multiply the dequantized Q8_0
// activations, as the CPU engine's prompt path does.
template <int T>
__global__ void __launch_bounds__(256) gemm_float(MatJobs jobs, const float* __restrict__ x, int n, int accumulate) {
    __shared__ float ws[BK][BM + 4];
    __shared__ float xs[BK][BN + 4];
    const MatJob& job = find_job(jobs, blockIdx.x);
    int r0 = (blockIdx.x - job.first) * BM;
    int b0 = blockIdx.y * BN;
    int cols = jobs.cols;
    size_t rb = row_bytes(T, cols);
    bool aligned = (rb & 15) == 0;
    bool vec = (cols & 7) == 0;
    int tid = threadIdx.x;
    int ty = tid / 16, tx = tid % 16;
    int lr = tid / 4, lc = (tid % 4) * 8;  // this thread loads row/vector lr, columns lc..lc+7 of a tile
    float acc[4][4] = {};
    const uint8_t* wrow = job.w + (size_t)(r0 + lr) * rb;
    bool wvalid = r0 + lr < job.rows;
    bool xvalid = b0 + lr < n;
    const float* xrow = x + (size_t)(b0 + lr) * cols;
    for (int c0 = 0; c0 < cols; c0 += BK) {
        int c = c0 + lc;
        float w[8], v[8];
        if (wvalid && vec && c < cols) {
            load8<T>(wrow, c, aligned, w);
        } else {
#pragma unroll
            for (int i = 0; i < 8; i++) w[i] = wvalid && c + i < cols ? load1<T>(wrow, c + i) : 0.f;
        }
        if (xvalid && vec && c < cols) {
            float4 a = __ldg(reinterpret_cast<const float4*>(xrow + c));
            float4 e = __ldg(reinterpret_cast<const float4*>(xrow + c) + 1);
            v[0] = a.x; v[1] = a.y; v[2] = a.z; v[3] = a.w; v[4] = e.x; v[5] = e.y; v[6] = e.z; v[7] = e.w;
        } else {
#pragma unroll
            for (int i = 0; i < 8; i++) v[i] = xvalid && c + i < cols ? xrow[c + i] : 0.f;
        }
#pragma unroll
        for (int i = 0; i < 8; i++) {
            ws[lc + i][lr] = w[i];
            xs[lc + i][lr] = v[i];
        }
        __syncthreads();
#pragma unroll 8
        for (int k = 0; k < BK; k++) {
            float a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                a[i] = ws[k][ty * 4 + i];
                b[i] = xs[k][tx * 4 + i];
            }
#pragma unroll
            for (int i = 0; i < 4; i++) {
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int r = r0 + ty * 4 + i;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int b = b0 + tx * 4 + j;
            if (r < job.rows && b < n) store_out(job.out + (size_t)b * job.ldo + r, acc[i][j], accumulate);
        }
    }
}

// Activations to Q8_0 (x86 quantize_row_q8_0, as dev.tandem.engine.Activations): per 32 values
// d = fp16(max|x| / 127), q = round-half-even(x * 127 / max|x|). Also writes d * q as float for the GEMM.
// One warp per block; x holds total_blocks * 32 values.
__global__ void quantize_q8_0(const float* __restrict__ x, int total_blocks, int8_t* xq, float* xd, float* xdq) {
    int blk = blockIdx.x * 8 + threadIdx.x / 32;
    int lane = threadIdx.x & 31;
    if (blk >= total_blocks) return;
    size_t i = (size_t)blk * QK + lane;
    float v = x[i];
    float amax = warp_max(fabsf(v));
    float d = round_half(amax / 127.0f);
    float id = amax != 0.f ? 127.0f / amax : 0.f;
    int q = __float2int_rn(v * id);
    xq[i] = (int8_t)q;
    xdq[i] = d * (float)q;
    if (lane == 0) xd[blk] = d;
}

template <int T>
__global__ void embed(const uint8_t* __restrict__ table, int dim, const int* __restrict__ tokens, float* x) {
    int i = blockIdx.x;
    const uint8_t* row = table + (size_t)tokens[i] * row_bytes(T, dim);
    for (int c = threadIdx.x; c < dim; c += blockDim.x) x[(size_t)i * dim + c] = load1<T>(row, c);
}

// out[i] = x[rows[i]] / rms * w (rows null: row i); the sum of squares in double, as ggml_rms_norm.
__global__ void rmsnorm(const float* __restrict__ x, const int* __restrict__ rows, const float* __restrict__ w,
                        float* out, int dim, float eps) {
    __shared__ double partial[32];
    int i = blockIdx.x;
    const float* xr = x + (size_t)(rows ? rows[i] : i) * dim;
    double ss = 0;
    for (int c = threadIdx.x; c < dim; c += blockDim.x) {
        float v = xr[c];
        ss += (double)(v * v);
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) ss += __shfl_xor_sync(0xffffffffu, ss, o);
    if ((threadIdx.x & 31) == 0) partial[threadIdx.x / 32] = ss;
    __syncthreads();
    if (threadIdx.x == 0) {
        double total = 0;
        for (int k = 0; k < (int)(blockDim.x + 31) / 32; k++) total += partial[k];
        partial[0] = total;
    }
    __syncthreads();
    float mean = (float)(partial[0] / dim);
    float scale = 1.0f / sqrtf(mean + eps);
    for (int c = threadIdx.x; c < dim; c += blockDim.x) out[(size_t)i * dim + c] = (xr[c] * scale) * w[c];
}

struct RopeArgs {
    int heads, kv_heads, head_dim;
    int neox;             // pairs (i, i + d/2) instead of (2i, 2i + 1)
    float theta_scale;    // base^(-2/d)
    float freq_scale;     // linear scaling (1: none)
    const float* freq_factors;  // per-pair divisors, or null
};

struct KvArgs {
    float* keys;        // this layer's K blocks: [block][slot][kv_dim]
    float* values;
    const int* tables;  // per entry, table_stride block ids
    int table_stride;
    int block_size;
    int half_kv;        // round K/V to half precision when stored (llama.cpp's F16 cache)
};

// Q/K/V biases (qwen2), RoPE on Q and K, then K and V stored at the entry's position of its paged cache.
// One block per entry; a thread per rotated pair, which computes the angle as ggml_rope_cache_init does
// (theta built up by repeated multiplication in float).
__global__ void rope_store(float* q, float* k, const float* __restrict__ v, const float* bq, const float* bk,
                           const float* bv, const int* __restrict__ positions, RopeArgs ra, KvArgs kv) {
    int i = blockIdx.x;
    int pos = positions[i];
    int hd = ra.head_dim, pairs = hd / 2;
    int q_dim = ra.heads * hd, kv_dim = ra.kv_heads * hd;
    float* qi = q + (size_t)i * q_dim;
    float* ki = k + (size_t)i * kv_dim;
    for (int p = threadIdx.x; p < pairs; p += blockDim.x) {
        float theta = (float)pos;
        for (int j = 0; j < p; j++) theta *= ra.theta_scale;
        float ff = ra.freq_factors ? ra.freq_factors[p] : 1.f;
        float angle = ra.freq_scale * (theta / ff);
        float cs = (float)cos((double)angle), sn = (float)sin((double)angle);
        int off = ra.neox ? p : 2 * p;
        int stride = ra.neox ? pairs : 1;
        for (int h = 0; h < ra.heads + ra.kv_heads; h++) {
            bool isq = h < ra.heads;
            float* base = isq ? qi : ki;
            const float* bias = isq ? bq : bk;
            int j0 = (isq ? h : h - ra.heads) * hd + off, j1 = j0 + stride;
            float x0 = base[j0] + (bias ? bias[j0] : 0.f);
            float x1 = base[j1] + (bias ? bias[j1] : 0.f);
            base[j0] = x0 * cs - x1 * sn;
            base[j1] = x0 * sn + x1 * cs;
        }
    }
    __syncthreads();
    int block = kv.tables[(size_t)i * kv.table_stride + pos / kv.block_size];
    size_t at = ((size_t)block * kv.block_size + pos % kv.block_size) * kv_dim;
    const float* vi = v + (size_t)i * kv_dim;
    for (int c = threadIdx.x; c < kv_dim; c += blockDim.x) {
        float kk = ki[c];
        float vv = vi[c] + (bv ? bv[c] : 0.f);
        if (kv.half_kv) {
            kk = round_half(kk);
            vv = round_half(vv);
        }
        kv.keys[at + c] = kk;
        kv.values[at + c] = vv;
    }
}

// Attention of entry i (grid x), query head h (grid y) over positions 0..positions[i] of its paged cache.
// Two passes over the keys: the softmax's max and sum, then the weighted values with the weights
// normalised before they multiply V, as the CPU engine does (and, with half_kv, rounded to half as ggml).
// Warps take positions in turn; a lane holds dimensions lane, lane + 32, ...
__global__ void __launch_bounds__(ATT_WARPS * 32) attention(const float* __restrict__ q, float* out,
                                                            const int* __restrict__ positions, KvArgs kv, int heads,
                                                            int head_dim, int group, float scale) {
    __shared__ float wmax[ATT_WARPS], wsum[ATT_WARPS];
    __shared__ float red[ATT_WARPS][MAX_HEAD_DIM];
    int i = blockIdx.x, h = blockIdx.y;
    int warp = threadIdx.x / 32, lane = threadIdx.x & 31;
    int len = positions[i] + 1;
    int q_dim = heads * head_dim;
    int kv_dim = (heads / group) * head_dim;
    size_t kv_off = (size_t)(h / group) * head_dim;
    const int* table = kv.tables + (size_t)i * kv.table_stride;
    constexpr int E = MAX_HEAD_DIM / 32;
    float qv[E];
#pragma unroll
    for (int e = 0; e < E; e++) {
        int d = lane + 32 * e;
        float val = d < head_dim ? q[(size_t)i * q_dim + (size_t)h * head_dim + d] : 0.f;
        qv[e] = kv.half_kv ? round_half(val) : val;
    }
    auto row = [&](const float* base, int t) {
        return base + ((size_t)table[t / kv.block_size] * kv.block_size + t % kv.block_size) * kv_dim + kv_off;
    };
    auto score = [&](int t) {
        const float* kr = row(kv.keys, t);
        float s = 0.f;
#pragma unroll
        for (int e = 0; e < E; e++) {
            int d = lane + 32 * e;
            if (d < head_dim) s = fmaf(qv[e], kr[d], s);
        }
        return warp_sum(s) * scale;
    };
    float m = -INFINITY, s = 0.f;
    for (int t = warp; t < len; t += ATT_WARPS) {
        float sc = score(t);
        if (sc > m) {
            s = s * expf(m - sc) + 1.f;
            m = sc;
        } else {
            s += expf(sc - m);
        }
    }
    if (lane == 0) {
        wmax[warp] = m;
        wsum[warp] = s;
    }
    __syncthreads();
    float mx = wmax[0];
    for (int w = 1; w < ATT_WARPS; w++) mx = fmaxf(mx, wmax[w]);
    float total = 0.f;
    for (int w = 0; w < ATT_WARPS; w++) total += wmax[w] == -INFINITY ? 0.f : wsum[w] * expf(wmax[w] - mx);
    float inv = 1.0f / total;
    float acc[E];
#pragma unroll
    for (int e = 0; e < E; e++) acc[e] = 0.f;
    for (int t = warp; t < len; t += ATT_WARPS) {
        float p = expf(score(t) - mx) * inv;
        if (kv.half_kv) p = round_half(p);
        const float* vr = row(kv.values, t);
#pragma unroll
        for (int e = 0; e < E; e++) {
            int d = lane + 32 * e;
            if (d < head_dim) acc[e] = fmaf(p, vr[d], acc[e]);
        }
    }
#pragma unroll
    for (int e = 0; e < E; e++) {
        int d = lane + 32 * e;
        if (d < head_dim) red[warp][d] = acc[e];
    }
    __syncthreads();
    for (int d = threadIdx.x; d < head_dim; d += blockDim.x) {
        float sum = 0.f;
        for (int w = 0; w < ATT_WARPS; w++) sum += red[w][d];
        out[(size_t)i * q_dim + (size_t)h * head_dim + d] = sum;
    }
}

// gate = silu(gate) * up.
__global__ void swiglu(float* gate, const float* __restrict__ up, size_t count) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) {
        float g = gate[i];
        gate[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

// Greedy sampling: per row the index of the largest logit, the first on ties (Sampler.argmax).
__global__ void argmax_rows(const float* __restrict__ logits, int vocab, int* out) {
    __shared__ float bv[32];
    __shared__ int bi[32];
    const float* row = logits + (size_t)blockIdx.x * vocab;
    float best = -INFINITY;
    int idx = 0x7fffffff;
    for (int c = threadIdx.x; c < vocab; c += blockDim.x) {
        float v = row[c];
        if (v > best) {
            best = v;
            idx = c;
        }
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        float ov = __shfl_xor_sync(0xffffffffu, best, o);
        int oi = __shfl_xor_sync(0xffffffffu, idx, o);
        if (ov > best || (ov == best && oi < idx)) {
            best = ov;
            idx = oi;
        }
    }
    if ((threadIdx.x & 31) == 0) {
        bv[threadIdx.x / 32] = best;
        bi[threadIdx.x / 32] = idx;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        for (int w = 1; w < (int)blockDim.x / 32; w++) {
            if (bv[w] > best || (bv[w] == best && bi[w] < idx)) {
                best = bv[w];
                idx = bi[w];
            }
        }
        out[blockIdx.x] = idx == 0x7fffffff ? 0 : idx;
    }
}

}  // namespace tandem
