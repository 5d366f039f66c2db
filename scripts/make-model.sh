#!/usr/bin/env bash
# Writes a random-weight Llama GGUF (v3) for benchmarks and tests, no download needed:
#   scripts/make-model.sh --shape tinyllama|llama3-1b|llama3-8b|tiny --type f32|f16|bf16|q8_0|q4_0 --seed N [--layers N] OUT.gguf
# Shapes: tinyllama (TinyLlama-1.1B: dim 2048, 22 layers, 32/4 heads, ff 5632, vocab 32000), llama3-1b
# (Llama-3.2-1B: dim 2048, 16 layers, 32/8 heads, ff 8192, vocab 128256, tied embeddings), llama3-8b
# (Llama-3.1-8B: dim 4096, 32 layers, 32/8 heads, ff 14336, vocab 128256; 16 GB in bf16), tiny (dim 256,
# 2 layers, 8/4 heads, ff 768, vocab 512). Weights N(0,1)/sqrt(row length), norms near 1, a byte-level
# SentencePiece vocabulary; Q8_0/Q4_0 blocks are those of llama.cpp's reference quantization. The same
# seed gives the same file. --layers overrides the layer count. Builds the tools module on first use.
set -euo pipefail
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
case "${1:-}" in -h|--help) usage; exit 0 ;; "") usage >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/java.sh"
select_jdk25
source "$root/scripts/lib/tools.sh"
run_tool "$root" dev.tandem.tools.MakeModel "$@"
