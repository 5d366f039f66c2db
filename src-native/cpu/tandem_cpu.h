/*
 * Tandem's native CPU kernels: matrix products of GGUF weight blocks (F32, F16, BF16, Q8_0, Q4_0, Q4_K,
 * Q5_K, Q6_K) with activation vectors, called from the engine through the FFM API (dev.tandem.engine.NativeKernels).
 *
 * Quantized weights multiply activations quantized the way the engine's Java kernels quantize them
 * (tandem_quantize: Q8_0 blocks of 32 for Q8_0/Q4_0, Q8_K blocks of 256 for the K-quants) with the Java kernels'
 * arithmetic, so results equal theirs bit for bit:
 *   Q8_0, Q4_0: per block, the exact integer sum Σ w·q, then out = fma(sum, d_w·d_x, out), block after block;
 *   K-quants: per-lane integer sums and one float FMA per super-block into eight lanes, summed in lane order.
 * Float weights use one accumulator of TANDEM lanes per output (8 with AVX2, 16 with AVX-512), as the Java
 * Vector API kernels do with their preferred species.
 *
 * Q8_0 and Q4_0 weights are multiplied in a repacked layout (tandem_repack), the same size as GGUF's: tiles of
 * TANDEM_TILE_ROWS rows, each tile its blocks in order, each block 32-bit groups (four weights) of all the tile's
 * rows side by side, then the rows' half scales:
 *   Q8_0: groups g = 0..7 (elements 4g..4g+3), 64 bytes each, then 32 bytes of scales (TANDEM_Q8_0_TILE_BLOCK);
 *   Q4_0: groups g = 0..3 (bytes 4g..4g+3 of the nibbles: elements 4g.. low, 16+4g.. high), then the scales.
 * Rows past the matrix's last are zeros.
 *
 * Activation buffer, one per vector, `stride` bytes apart (see tandem_act_bytes):
 *   float kinds (F32/F16/BF16): cols floats;
 *   Q8_0: cols int8, cols/32 float scales, the same cols values offset to unsigned (q + 128), and cols/32 int32:
 *         −8 × each block's sum;
 *   Q8_K: cols int8 (lane order), cols/256 float scales, cols/32 int32 sums of the values per 32.
 * Lane order of a block of 32: position 4l+j holds element 2l+j for j < 2 and 16+2l+j-2 otherwise, so that
 * four adjacent bytes make one of the Java kernels' eight integer lanes.
 */
#ifndef TANDEM_CPU_H
#define TANDEM_CPU_H

#include <stdint.h>

#define TANDEM_API __attribute__((visibility("default")))

#define TANDEM_ACT_FLOAT 0
#define TANDEM_ACT_Q8_0 1
#define TANDEM_ACT_Q8_K 2

/* Instruction sets (tandem_cpu_isa). */
#define TANDEM_ISA_GENERIC 0
#define TANDEM_ISA_AVX2 1
#define TANDEM_ISA_AVX512 2
#define TANDEM_ISA_NEON 3

/* The best instruction set this CPU runs (CPUID), whatever is selected. */
TANDEM_API int tandem_cpu_detected(void);
/* The kernels in use. */
TANDEM_API int tandem_cpu_isa(void);
/* Selects kernels for an instruction set up to the detected one; returns the one selected. */
TANDEM_API int tandem_cpu_select(int isa);
/* Lanes of the float kernels in use (8 or 16). */
TANDEM_API int tandem_cpu_float_lanes(void);
/* ABI version of this library, checked by the binding. */
TANDEM_API int tandem_cpu_version(void);

/* Bytes of one vector's activation buffer of kind `kind` for `cols` values (unpadded). */
TANDEM_API int64_t tandem_act_bytes(int kind, int64_t cols);

/* Fills act (batch buffers `stride` bytes apart) from x (batch vectors of cols floats, xstride floats apart). */
TANDEM_API void tandem_quantize(int kind, const float *x, int64_t xstride, int64_t cols, int64_t batch,
                     uint8_t *act, int64_t stride);

/* The repacked layout of Q8_0 and Q4_0 (above). */
#define TANDEM_TILE_ROWS 16
#define TANDEM_Q8_0_TILE_BLOCK (8 * 4 * TANDEM_TILE_ROWS + 2 * TANDEM_TILE_ROWS)
#define TANDEM_Q4_0_TILE_BLOCK (4 * 4 * TANDEM_TILE_ROWS + 2 * TANDEM_TILE_ROWS)
/* Type ids of repacked weights: the GGML type id plus this. */
#define TANDEM_REPACKED 0x100

/* Bytes of the repacked form of a rows × cols matrix of GGML type `type`, or -1 when the type is not repacked. */
TANDEM_API int64_t tandem_repacked_bytes(int type, int64_t rows, int64_t cols);
/* Writes that form of w to dst (tandem_repacked_bytes long); returns the type id to multiply it with, or -1. */
TANDEM_API int tandem_repack(int type, const uint8_t *w, int64_t rows, int64_t cols, uint8_t *dst);

/*
 * out[b * ostride + r] = row r of w · vector b, for rows [r0, r1) and b in [0, batch).
 * type: the GGML type id (0 F32, 1 F16, 12 Q4_K, 13 Q5_K, 14 Q6_K, 30 BF16) or a repacked one (TANDEM_REPACKED + 8
 * Q8_0, + 2 Q4_0). Returns 0, or -1 for an unknown type.
 */
TANDEM_API int tandem_matmul(int type, const uint8_t *w, int64_t cols, int64_t r0, int64_t r1,
                  const uint8_t *act, int64_t stride, int64_t batch, float *out, int64_t ostride);

/* Internal: one set of kernels. */
typedef void (*tandem_mm_fn)(const uint8_t *w, int64_t cols, int64_t r0, int64_t r1,
                             const uint8_t *act, int64_t stride, int64_t batch, float *out, int64_t ostride);
typedef void (*tandem_quantize_fn)(const float *x, int64_t cols, uint8_t *act);
typedef struct {
    tandem_mm_fn f32, f16, bf16, q8_0, q4_0, q4_k, q5_k, q6_k;
    tandem_quantize_fn quantize_q8_0;
    int float_lanes;
} tandem_kernels;

#endif
