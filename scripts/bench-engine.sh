#!/usr/bin/env bash
# Measures the inference engine in-process (no HTTP, no gRPC) on a GGUF model:
#   scripts/bench-engine.sh MODEL.gguf [--backend cpu|cuda|auto] [--threads N] [--runs R] [--prompt 128] [--decode 64]
#                           [--batch 8[,64…]] [--warmup 3] [--no-bandwidth]
# Prefill tokens/s of a 128-token prompt, decode tokens/s of 64 greedy tokens at batch 1, and aggregate
# decode tokens/s of 8 (or each listed number of) sequences decoded together; medians of R runs (default 3)
# after warm-up runs (>= 3 s). Threads (CPU) default to the number of cores. Also prints the weight bytes
# read per token, the measured bandwidth (host memory reads; on cuda a device-to-device copy) and batch-1
# decoding as a fraction of it. --backend cuda builds src-native first (needs nvcc). The last line is JSON:
#   {"backend":…,"prefill_tps":…,"decode_tps":…,"decode_batch8_tps":…,"bandwidth_fraction":…,"threads":…}
# Make a model with scripts/make-model.sh. Builds the tools module on first use.
set -euo pipefail
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
case "${1:-}" in -h|--help) usage; exit 0 ;; "") usage >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/java.sh"
select_jdk25
source "$root/scripts/lib/tools.sh"
if [[ " $* " == *" cuda "* || " $* " == *" auto "* ]]; then
  # Exit 3: no nvcc here; a library built elsewhere may still be in src-native/build.
  "$root/src-native/build.sh" >&2 || [ $? -eq 3 ]
fi
export TANDEM_TOOL_JAVA_OPTS="-Djava.library.path=$root/src-native/build ${TANDEM_TOOL_JAVA_OPTS:-}"
run_tool "$root" dev.tandem.tools.BenchEngine "$@"
