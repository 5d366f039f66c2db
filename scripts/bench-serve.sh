#!/usr/bin/env bash
# Measures an OpenAI-compatible server (Tandem's frontend, vLLM, llama.cpp's server, ...) under load, like
# `vllm bench serve`: streamed /v1/completions (or --endpoint chat) with ignore_eos and a fixed --output-len,
#   scripts/bench-serve.sh [--base-url http://127.0.0.1:8000] [--concurrency 1,4,8 | --request-rate R]
#                          [--dataset random|fixed|shared-prefix] [--input-len 128] [--output-len 48]
#                          [--prefix-len 64] [--num-prompts 64] [--goodput ttft:200 tpot:50] [--output FILE]
# Closed-loop clients (one run per concurrency level) or Poisson arrivals; reports TTFT, TPOT, ITL and E2E
# latency (mean, median, p90, p99), request and output-token throughput and goodput, as a table and as one JSON
# object per run (vLLM's keys: mean_ttft_ms, p99_itl_ms, output_throughput, ...), the last lines of stdout.
# --help lists every option. Builds the tools module on first use.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/java.sh"
select_jdk25
source "$root/scripts/lib/tools.sh"
run_tool "$root" dev.tandem.tools.benchserve.BenchServe "$@"
