#!/usr/bin/env bash
# Compares Tandem's engine with llama.cpp on the same GGUF files, in one session, runs alternating so that both
# meet the same load:
#   scripts/bench-vs-llamacpp.sh --llama-bench /path/to/llama-bench [--threads 2] [--runs 3] MODEL.gguf...
# Each run: llama-bench -p 128 -n 64 (one repetition), then scripts/bench-engine.sh --runs 1 on the same file.
# Prints, per model, the medians of prefill (128-token prompt) and batch-1 decode tokens/s of both, their ratio,
# and Tandem's batch-8 aggregate; the last line is JSON. Needs python3 (to read both tools' JSON).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
llama_bench=""
threads=2
runs=3
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --llama-bench) llama_bench=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) models+=("$1"); shift ;;
  esac
done
if [ -z "$llama_bench" ] || [ ! -x "$llama_bench" ] || [ ${#models[@]} -eq 0 ]; then
  echo "usage: $0 --llama-bench PATH [--threads N] [--runs R] MODEL.gguf..." >&2
  exit 1
fi
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for model in "${models[@]}"; do
  for run in $(seq 1 "$runs"); do
    echo "[$(basename "$model")] run $run/$runs: llama.cpp, then Tandem (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    "$llama_bench" -m "$model" -p 128 -n 64 -t "$threads" -r 1 -o jsonl 2>/dev/null \
      | sed "s|^|llama $model |" >> "$results"
    "$root/scripts/bench-engine.sh" "$model" --threads "$threads" --runs 1 2>/dev/null | tail -1 \
      | sed "s|^|tandem $model |" >> "$results"
  done
done
python3 - "$results" <<'EOF'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    tool, model, payload = line.split(" ", 2)
    data = json.loads(payload)
    r = rows.setdefault(model, {"llama_prefill": [], "llama_decode": [], "prefill": [], "decode": [], "batch8": []})
    if tool == "llama":
        (r["llama_prefill"] if data["n_prompt"] > 0 else r["llama_decode"]).append(data["avg_ts"])
    else:
        r["prefill"].append(data["prefill_tps"])
        r["decode"].append(data["decode_tps"])
        if data.get("decode_batch8_tps"):
            r["batch8"].append(data["decode_batch8_tps"])
med = lambda xs: statistics.median(xs) if xs else float("nan")
summary = []
print(f"{'model':<40} {'prefill tandem/llama.cpp':>28} {'decode b1 tandem/llama.cpp':>30} {'tandem b8 (x b1)':>18}")
for model, r in rows.items():
    p, lp, d, ld, b8 = (med(r[k]) for k in ("prefill", "llama_prefill", "decode", "llama_decode", "batch8"))
    print(f"{model.split('/')[-1]:<40} {p:8.2f} / {lp:7.2f} ({p / lp:4.2f}x) {d:9.2f} / {ld:7.2f} ({d / ld:4.2f}x)"
          f" {b8:8.2f} ({b8 / d:3.1f}x)")
    summary.append({"model": model, "prefill_tps": p, "llamacpp_prefill_tps": lp, "decode_tps": d,
                    "llamacpp_decode_tps": ld, "decode_batch8_tps": b8, "runs": len(r["prefill"])})
print(json.dumps(summary))
EOF
