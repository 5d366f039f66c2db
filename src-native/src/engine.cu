#include "engine.h"
#include "kernels.cuh"

#include <cmath>
#include <cstring>
#include <algorithm>
#include <unordered_map>
#include <vector>

#ifndef TANDEM_ARCHS
#define TANDEM_ARCHS "unknown"
#endif

namespace tandem {

namespace {

void check(cudaError_t e, const std::string& what) {
    if (e != cudaSuccess) {
        cudaGetLastError();  // clear a non-sticky error so later calls do not report it again
        throw CudaError((int)e, what + ": " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")");
    }
}

void launched(const char* kernel) { check(cudaGetLastError(), std::string("launching ") + kernel); }

std::string gib(size_t bytes) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.2f GiB", bytes / (double)(1ull << 30));
    return buf;
}

template <typename T>
T* alloc(std::vector<void*>& owned, size_t count, const char* what) {
    void* p = nullptr;
    check(cudaMalloc(&p, count * sizeof(T)), std::string("allocating ") + gib(count * sizeof(T)) + " of device memory for " + what);
    owned.push_back(p);
    return static_cast<T*>(p);
}

template <typename T>
T* alloc_host(std::vector<void*>& owned, size_t count, const char* what) {
    void* p = nullptr;
    check(cudaMallocHost(&p, count * sizeof(T)), std::string("allocating ") + gib(count * sizeof(T)) + " of pinned host memory for " + what);
    owned.push_back(p);
    return static_cast<T*>(p);
}

}  // namespace

struct Model {
    ModelDesc d{};
    int device = 0;  // the runtime's current device is per host thread: every entry point selects it
    std::vector<LayerDesc> layers;
    std::vector<void*> device_owned, host_owned;
    cudaStream_t stream = nullptr;    // forward passes
    cudaStream_t transfer = nullptr;  // KV block transfers, concurrent with forward passes of other sequences
    // Activations, max_tokens rows each.
    float *x, *xb, *q, *k, *v, *att, *gate, *up, *logits;
    int8_t* xq;
    float *xd, *xdq;
    // Step inputs on the device (fixed addresses, so that captured graphs stay valid) and their pinned staging.
    int *d_tokens, *d_pos, *d_want, *d_tables, *d_greedy;
    int *h_tokens, *h_pos, *h_want, *h_tables, *h_greedy;
    float* h_logits;
    // The paged KV cache: [layer][block][slot][kv_dim] floats.
    float *kc, *vc;
    float* h_kv;
    // Decode-step graphs by (batch size, greedy).
    std::unordered_map<int, cudaGraphExec_t> graphs;

    int q_dim() const { return d.heads * d.head_dim; }
    int kv_dim() const { return d.kv_heads * d.head_dim; }
    size_t layer_kv_floats() const { return (size_t)d.num_blocks * d.block_size * kv_dim(); }
};

namespace {

struct Mat {
    Weight w;
    int rows;
    float* out;
};

template <int T, int NB>
void gemv_launch(Model& m, const MatJobs& jobs, int units, const float* x, int n, int acc) {
    dim3 grid((units + GEMV_WARPS - 1) / GEMV_WARPS);
    if constexpr (is_quantized(T)) {
        gemv_quant<T, NB><<<grid, GEMV_WARPS * 32, 0, m.stream>>>(jobs, m.xq, m.xd, n, acc);
    } else {
        gemv_float<T, NB><<<grid, GEMV_WARPS * 32, 0, m.stream>>>(jobs, x, n, acc);
    }
}

template <int T>
void gemv_batch(Model& m, const MatJobs& jobs, int units, const float* x, int n, int acc) {
    if (n <= 1) gemv_launch<T, 1>(m, jobs, units, x, n, acc);
    else if (n <= 2) gemv_launch<T, 2>(m, jobs, units, x, n, acc);
    else if (n <= 4) gemv_launch<T, 4>(m, jobs, units, x, n, acc);
    else gemv_launch<T, 8>(m, jobs, units, x, n, acc);
}

template <int T>
void product(Model& m, bool gemv, const MatJobs& jobs, int units, const float* x, int n, int acc) {
    if (gemv) {
        gemv_batch<T>(m, jobs, units, x, n, acc);
    } else {
        dim3 grid(units, (n + BN - 1) / BN);
        gemm_float<T><<<grid, 256, 0, m.stream>>>(jobs, x, n, acc);
    }
}

void unsupported(int type) { throw CudaError(1, "weight type " + std::to_string(type) + " has no device kernels"); }

// out_k = W_k . in for matrices of one type: up to three in one launch.
void product_group(Model& m, int n, const float* in, int cols, const Mat* mats, int count, bool accumulate) {
    int type = mats[0].w.type;
    bool gemv = n <= GEMV_MAX_BATCH;
    MatJobs jobs{};
    jobs.count = count;
    jobs.cols = cols;
    int units = 0;
    for (int k = 0; k < count; k++) {
        jobs.m[k] = MatJob{static_cast<const uint8_t*>(mats[k].w.data), mats[k].out, mats[k].rows, mats[k].rows, units};
        units += gemv ? mats[k].rows : (mats[k].rows + BM - 1) / BM;
    }
    const float* x = in;
    if (is_quantized(type)) {
        int blocks = n * cols / QK;
        quantize_q8_0<<<(blocks + 7) / 8, 256, 0, m.stream>>>(in, blocks, m.xq, m.xd, m.xdq);
        launched("quantize_q8_0");
        x = m.xdq;
    }
    int acc = accumulate ? 1 : 0;
    switch (type) {
        case W_F32: product<W_F32>(m, gemv, jobs, units, x, n, acc); break;
        case W_F16: product<W_F16>(m, gemv, jobs, units, x, n, acc); break;
        case W_BF16: product<W_BF16>(m, gemv, jobs, units, x, n, acc); break;
        case W_Q8_0: product<W_Q8_0>(m, gemv, jobs, units, x, n, acc); break;
        case W_Q4_0: product<W_Q4_0>(m, gemv, jobs, units, x, n, acc); break;
        default: unsupported(type);
    }
    launched(gemv ? "gemv" : "gemm");
}

// Consecutive matrices of the same type share a launch.
void matmul(Model& m, int n, const float* in, int cols, const Mat* mats, int count, bool accumulate) {
    for (int s = 0; s < count;) {
        int e = s + 1;
        while (e < count && mats[e].w.type == mats[s].w.type) e++;
        product_group(m, n, in, cols, mats + s, e - s, accumulate);
        s = e;
    }
}

void embed_launch(Model& m, int n) {
    const ModelDesc& d = m.d;
    const uint8_t* t = static_cast<const uint8_t*>(d.embedding.data);
    switch (d.embedding.type) {
        case W_F32: embed<W_F32><<<n, 256, 0, m.stream>>>(t, d.dim, m.d_tokens, m.x); break;
        case W_F16: embed<W_F16><<<n, 256, 0, m.stream>>>(t, d.dim, m.d_tokens, m.x); break;
        case W_BF16: embed<W_BF16><<<n, 256, 0, m.stream>>>(t, d.dim, m.d_tokens, m.x); break;
        case W_Q8_0: embed<W_Q8_0><<<n, 256, 0, m.stream>>>(t, d.dim, m.d_tokens, m.x); break;
        case W_Q4_0: embed<W_Q4_0><<<n, 256, 0, m.stream>>>(t, d.dim, m.d_tokens, m.x); break;
        default: unsupported(d.embedding.type);
    }
    launched("embed");
}

int norm_threads(int dim) { return dim >= 1024 ? 1024 : ((dim + 31) / 32) * 32; }

// The whole step, all on m.stream: the launch sequence that decode graphs capture.
void run(Model& m, int n, int wanted, bool greedy) {
    const ModelDesc& d = m.d;
    int qd = m.q_dim(), kvd = m.kv_dim();
    float scale = (float)(1.0 / std::sqrt((double)d.head_dim));
    RopeArgs ra{d.heads, d.kv_heads, d.head_dim, d.neox, d.theta_scale, d.freq_scale, d.freq_factors};
    embed_launch(m, n);
    for (int l = 0; l < d.layers; l++) {
        const LayerDesc& L = m.layers[l];
        KvArgs kv{m.kc + l * m.layer_kv_floats(), m.vc + l * m.layer_kv_floats(), m.d_tables, d.table_stride,
                  d.block_size, d.half_kv};
        rmsnorm<<<n, norm_threads(d.dim), 0, m.stream>>>(m.x, nullptr, L.attn_norm, m.xb, d.dim, d.eps);
        launched("rmsnorm");
        Mat qkv[3] = {{L.wq, qd, m.q}, {L.wk, kvd, m.k}, {L.wv, kvd, m.v}};
        matmul(m, n, m.xb, d.dim, qkv, 3, false);
        rope_store<<<n, 128, 0, m.stream>>>(m.q, m.k, m.v, L.bq, L.bk, L.bv, m.d_pos, ra, kv);
        launched("rope_store");
        attention<<<dim3(n, d.heads), ATT_WARPS * 32, 0, m.stream>>>(m.q, m.att, m.d_pos, kv, d.heads, d.head_dim,
                                                                      d.heads / d.kv_heads, scale);
        launched("attention");
        Mat o{L.wo, d.dim, m.x};
        matmul(m, n, m.att, qd, &o, 1, true);
        rmsnorm<<<n, norm_threads(d.dim), 0, m.stream>>>(m.x, nullptr, L.ffn_norm, m.xb, d.dim, d.eps);
        launched("rmsnorm");
        Mat gu[2] = {{L.gate, d.ff, m.gate}, {L.up, d.ff, m.up}};
        matmul(m, n, m.xb, d.dim, gu, 2, false);
        size_t count = (size_t)n * d.ff;
        swiglu<<<(unsigned)((count + 255) / 256), 256, 0, m.stream>>>(m.gate, m.up, count);
        launched("swiglu");
        Mat down{L.down, d.dim, m.x};
        matmul(m, n, m.gate, d.ff, &down, 1, true);
    }
    if (wanted == 0) return;
    rmsnorm<<<wanted, norm_threads(d.dim), 0, m.stream>>>(m.x, m.d_want, d.output_norm, m.xb, d.dim, d.eps);
    launched("rmsnorm");
    Mat out{d.output, d.vocab, m.logits};
    matmul(m, wanted, m.xb, d.dim, &out, 1, false);
    if (greedy) {
        argmax_rows<<<wanted, 1024, 0, m.stream>>>(m.logits, d.vocab, m.d_greedy);
        launched("argmax_rows");
    }
}

void run_graph(Model& m, int n, bool greedy) {
    int key = n * 2 + (greedy ? 1 : 0);
    auto it = m.graphs.find(key);
    if (it == m.graphs.end()) {
        cudaGraph_t graph = nullptr;
        check(cudaStreamBeginCapture(m.stream, cudaStreamCaptureModeThreadLocal), "beginning graph capture");
        try {
            run(m, n, n, greedy);
        } catch (...) {
            cudaStreamEndCapture(m.stream, &graph);
            if (graph) cudaGraphDestroy(graph);
            throw;
        }
        check(cudaStreamEndCapture(m.stream, &graph), "ending graph capture");
        cudaGraphExec_t exec = nullptr;
        cudaError_t e = cudaGraphInstantiate(&exec, graph, 0);
        cudaGraphDestroy(graph);
        check(e, "instantiating the decode graph");
        it = m.graphs.emplace(key, exec).first;
    }
    check(cudaGraphLaunch(it->second, m.stream), "launching the decode graph");
}

}  // namespace

int runtime_version() {
    int v = 0;
    cudaRuntimeGetVersion(&v);
    return v;
}

const char* architectures() { return TANDEM_ARCHS; }

void set_device(int device) {
    check(cudaSetDevice(device), "selecting CUDA device " + std::to_string(device));
    check(cudaFree(nullptr), "creating a CUDA context on device " + std::to_string(device));
}

void* device_alloc(size_t bytes) {
    void* p = nullptr;
    check(cudaMalloc(&p, bytes), "allocating " + gib(bytes) + " of device memory");
    return p;
}

void device_free(void* p) { cudaFree(p); }

void upload(void* dst, const void* host, size_t bytes) {
    check(cudaMemcpy(dst, host, bytes, cudaMemcpyHostToDevice), "uploading " + gib(bytes) + " to the device");
}

double copy_bandwidth(size_t bytes, int repeats) {
    std::vector<void*> owned;
    cudaEvent_t start = nullptr, stop = nullptr;
    double best = 0;
    try {
        char* a = alloc<char>(owned, bytes, "the bandwidth test");
        char* b = alloc<char>(owned, bytes, "the bandwidth test");
        check(cudaMemset(a, 1, bytes), "cudaMemset");
        check(cudaEventCreate(&start), "cudaEventCreate");
        check(cudaEventCreate(&stop), "cudaEventCreate");
        check(cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice), "cudaMemcpy");
        for (int r = 0; r < repeats; r++) {
            check(cudaEventRecord(start), "cudaEventRecord");
            check(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice), "cudaMemcpyAsync");
            check(cudaEventRecord(stop), "cudaEventRecord");
            check(cudaEventSynchronize(stop), "cudaEventSynchronize");
            float ms = 0;
            check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
            best = std::max(best, 2.0 * bytes / (ms / 1e3));
        }
    } catch (...) {
        for (void* p : owned) cudaFree(p);
        if (start) cudaEventDestroy(start);
        if (stop) cudaEventDestroy(stop);
        throw;
    }
    for (void* p : owned) cudaFree(p);
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    return best;
}

Model* model_create(const ModelDesc& desc) {
    Model* m = new Model();
    m->d = desc;
    m->layers.assign(desc.layer, desc.layer + desc.layers);
    try {
        check(cudaGetDevice(&m->device), "cudaGetDevice");
        const ModelDesc& d = m->d;
        check(cudaStreamCreateWithFlags(&m->stream, cudaStreamNonBlocking), "creating a CUDA stream");
        check(cudaStreamCreateWithFlags(&m->transfer, cudaStreamNonBlocking), "creating a CUDA stream");
        size_t t = d.max_tokens;
        size_t max_cols = std::max({d.dim, m->q_dim(), d.ff});
        auto& dv = m->device_owned;
        m->x = alloc<float>(dv, t * d.dim, "activations");
        m->xb = alloc<float>(dv, t * d.dim, "activations");
        m->q = alloc<float>(dv, t * m->q_dim(), "activations");
        m->att = alloc<float>(dv, t * m->q_dim(), "activations");
        m->k = alloc<float>(dv, t * m->kv_dim(), "activations");
        m->v = alloc<float>(dv, t * m->kv_dim(), "activations");
        m->gate = alloc<float>(dv, t * d.ff, "activations");
        m->up = alloc<float>(dv, t * d.ff, "activations");
        m->logits = alloc<float>(dv, t * d.vocab, "logits");
        m->xq = alloc<int8_t>(dv, t * max_cols, "quantized activations");
        m->xd = alloc<float>(dv, t * max_cols / QK, "quantized activations");
        m->xdq = alloc<float>(dv, t * max_cols, "quantized activations");
        m->d_tokens = alloc<int>(dv, t, "step inputs");
        m->d_pos = alloc<int>(dv, t, "step inputs");
        m->d_want = alloc<int>(dv, t, "step inputs");
        m->d_greedy = alloc<int>(dv, t, "step outputs");
        m->d_tables = alloc<int>(dv, t * d.table_stride, "block tables");
        m->kc = alloc<float>(dv, d.layers * m->layer_kv_floats(), "the KV cache (keys)");
        m->vc = alloc<float>(dv, d.layers * m->layer_kv_floats(), "the KV cache (values)");
        auto& hv = m->host_owned;
        m->h_tokens = alloc_host<int>(hv, t, "step inputs");
        m->h_pos = alloc_host<int>(hv, t, "step inputs");
        m->h_want = alloc_host<int>(hv, t, "step inputs");
        m->h_greedy = alloc_host<int>(hv, t, "step outputs");
        m->h_tables = alloc_host<int>(hv, t * d.table_stride, "block tables");
        m->h_logits = alloc_host<float>(hv, t * d.vocab, "logits");
        m->h_kv = alloc_host<float>(hv, 2 * (size_t)d.layers * d.block_size * m->kv_dim(), "KV transfers");
        // Never-written blocks read as zeros rather than NaN garbage.
        check(cudaMemset(m->kc, 0, d.layers * m->layer_kv_floats() * sizeof(float)), "clearing the KV cache");
        check(cudaMemset(m->vc, 0, d.layers * m->layer_kv_floats() * sizeof(float)), "clearing the KV cache");
    } catch (...) {
        model_destroy(m);
        throw;
    }
    return m;
}

void model_destroy(Model* m) {
    if (!m) return;
    cudaSetDevice(m->device);
    if (m->stream) cudaStreamSynchronize(m->stream);
    for (auto& g : m->graphs) cudaGraphExecDestroy(g.second);
    for (void* p : m->device_owned) cudaFree(p);
    for (void* p : m->host_owned) cudaFreeHost(p);
    if (m->stream) cudaStreamDestroy(m->stream);
    if (m->transfer) cudaStreamDestroy(m->transfer);
    delete m;
}

void model_forward(Model* mp, int n, const int* tokens, const int* positions, const int* tables, int stride,
                   const int* want, int wanted, bool prompt, bool logits, int* greedy) {
    Model& m = *mp;
    const ModelDesc& d = m.d;
    check(cudaSetDevice(m.device), "selecting the model's device");
    if (n < 1 || n > d.max_tokens || wanted < 0 || wanted > n || stride < 1 || stride > d.table_stride) {
        throw CudaError(1, "forward of " + std::to_string(n) + " entries (" + std::to_string(wanted) +
                               " with logits, block tables of " + std::to_string(stride) + ") exceeds the device buffers (" +
                               std::to_string(d.max_tokens) + " entries, " + std::to_string(d.table_stride) + " blocks)");
    }
    memcpy(m.h_tokens, tokens, n * sizeof(int));
    memcpy(m.h_pos, positions, n * sizeof(int));
    memcpy(m.h_want, want, wanted * sizeof(int));
    memcpy(m.h_tables, tables, (size_t)n * stride * sizeof(int));
    check(cudaMemcpyAsync(m.d_tokens, m.h_tokens, n * sizeof(int), cudaMemcpyHostToDevice, m.stream), "copying step inputs");
    check(cudaMemcpyAsync(m.d_pos, m.h_pos, n * sizeof(int), cudaMemcpyHostToDevice, m.stream), "copying step inputs");
    if (wanted > 0) {
        check(cudaMemcpyAsync(m.d_want, m.h_want, wanted * sizeof(int), cudaMemcpyHostToDevice, m.stream), "copying step inputs");
    }
    check(cudaMemcpy2DAsync(m.d_tables, d.table_stride * sizeof(int), m.h_tables, stride * sizeof(int), stride * sizeof(int), n,
                            cudaMemcpyHostToDevice, m.stream),
          "copying block tables");
    bool want_greedy = greedy != nullptr && wanted > 0;
    if (!prompt && wanted == n && d.graphs) {
        run_graph(m, n, want_greedy);
    } else {
        run(m, n, wanted, want_greedy);
    }
    if (logits && wanted > 0) {
        check(cudaMemcpyAsync(m.h_logits, m.logits, (size_t)wanted * d.vocab * sizeof(float), cudaMemcpyDeviceToHost, m.stream),
              "copying logits");
    }
    if (want_greedy) {
        check(cudaMemcpyAsync(m.h_greedy, m.d_greedy, wanted * sizeof(int), cudaMemcpyDeviceToHost, m.stream), "copying tokens");
    }
    check(cudaStreamSynchronize(m.stream), "running the forward pass");
    if (want_greedy) memcpy(greedy, m.h_greedy, wanted * sizeof(int));
}

const float* model_logits(Model* m) { return m->h_logits; }

int model_vocab(const Model* m) { return m->d.vocab; }

float* model_kv_staging(Model* m) { return m->h_kv; }

namespace {

// Per layer, the block's first `tokens` positions are contiguous: one copy per layer and K/V.
void kv_copy(Model& m, int block, int tokens, bool to_device) {
    const ModelDesc& d = m.d;
    if (block < 0 || block >= d.num_blocks || tokens < 0 || tokens > d.block_size) {
        throw CudaError(1, "KV block " + std::to_string(block) + " with " + std::to_string(tokens) + " positions is out of range");
    }
    if (tokens == 0) return;
    check(cudaSetDevice(m.device), "selecting the model's device");
    size_t bytes = (size_t)tokens * m.kv_dim() * sizeof(float);
    size_t block_floats = (size_t)block * d.block_size * m.kv_dim();
    for (int kind = 0; kind < 2; kind++) {
        float* cache = kind == 0 ? m.kc : m.vc;
        char* host = reinterpret_cast<char*>(m.h_kv) + (size_t)kind * d.layers * bytes;
        for (int l = 0; l < d.layers; l++) {
            float* dev = cache + l * m.layer_kv_floats() + block_floats;
            char* h = host + (size_t)l * bytes;
            cudaError_t e = to_device ? cudaMemcpyAsync(dev, h, bytes, cudaMemcpyHostToDevice, m.transfer)
                                      : cudaMemcpyAsync(h, dev, bytes, cudaMemcpyDeviceToHost, m.transfer);
            check(e, "copying a KV block");
        }
    }
    check(cudaStreamSynchronize(m.transfer), "copying a KV block");
}

}  // namespace

void model_kv_read(Model* m, int block, int tokens) { kv_copy(*m, block, tokens, false); }

void model_kv_write(Model* m, int block, int tokens) { kv_copy(*m, block, tokens, true); }

}  // namespace tandem
