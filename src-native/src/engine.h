// Host side of the device engine: device setup, memory, the model's forward step (kernel launch
// sequence, captured as CUDA graphs for decode steps) and the paged KV cache's transfers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace tandem {

// A failed CUDA call: code is the cudaError_t, what() names the call and the error.
struct CudaError : std::runtime_error {
    int code;
    CudaError(int code, const std::string& what) : std::runtime_error(what), code(code) {}
};

struct Weight {
    const void* data;  // device pointer
    int type;          // WeightType
};

struct LayerDesc {
    const float* attn_norm;
    const float* ffn_norm;
    const float* bq;  // null for llama
    const float* bk;
    const float* bv;
    Weight wq, wk, wv, wo, gate, up, down;
};

struct ModelDesc {
    int dim, layers, heads, kv_heads, head_dim, ff, vocab;
    int neox, half_kv;
    int block_size, num_blocks, table_stride;
    int max_tokens;  // entries per forward call
    int graphs;      // capture decode steps as CUDA graphs
    float eps, theta_scale, freq_scale;
    const float* freq_factors;  // device, or null
    Weight embedding, output;
    const float* output_norm;
    const LayerDesc* layer;  // host array of `layers`
};

int runtime_version();
const char* architectures();
void set_device(int device);
void* device_alloc(size_t bytes);
void device_free(void* p);
void upload(void* dst, const void* host, size_t bytes);
// Best bandwidth of a device-to-device copy of `bytes`, in bytes per second, counting the read and the write.
double copy_bandwidth(size_t bytes, int repeats);

struct Model;

Model* model_create(const ModelDesc& desc);
void model_destroy(Model* m);

// One forward pass over n entries (token, position, block table row; tables: n rows of `stride` block
// ids). Logits are computed for the `wanted` entries listed in want[0..wanted): with `logits` they are
// copied to model_logits (wanted x vocab floats), with greedy != null their argmax is written there.
void model_forward(Model* m, int n, const int* tokens, const int* positions, const int* tables, int stride,
                   const int* want, int wanted, bool prompt, bool logits, int* greedy);
const float* model_logits(Model* m);
int model_vocab(const Model* m);

// Pinned host staging of one KV block transfer: K then V, each layers x tokens x kv_dim floats.
float* model_kv_staging(Model* m);
void model_kv_read(Model* m, int block, int tokens);   // device block -> staging
void model_kv_write(Model* m, int block, int tokens);  // staging -> device block

}  // namespace tandem
