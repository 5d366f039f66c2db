#!/usr/bin/env bash
# Starts Tandem on this machine, like Dynamo's launch scripts:
#   scripts/launch.sh agg                        frontend + 1 decode worker that also prefills
#   scripts/launch.sh disagg [--prefill N] [--decode M]   frontend + N prefill + M decode workers (1 + 1 by default)
# Builds first if needed. Honours TANDEM_MODEL (a GGUF file; unset = the built-in synthetic model),
# DYN_HTTP_PORT (frontend, default 8000), DYN_SYSTEM_PORT (first worker port, default 8081) and the logging and
# tracing variables (DYN_LOGGING_JSONL, DYN_LOG, OTEL_*), which every service inherits. Each service's output
# is shown and kept in logs/<service>.log. Ctrl-C stops everything.
set -euo pipefail

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/java.sh
select_jdk25

mode=${1:-}
[ -n "$mode" ] || usage 1
shift
case "$mode" in
  agg) prefill=0; decode=1 ;;
  disagg) prefill=1; decode=1 ;;
  -h|--help) usage 0 ;;
  *) echo "unknown mode '$mode' (agg or disagg)" >&2; usage 1 ;;
esac
while [ $# -gt 0 ]; do
  case "$1" in
    --prefill) prefill=$2; shift 2 ;;
    --decode) decode=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option '$1'" >&2; usage 1 ;;
  esac
done
if [ "$mode" = agg ] && [ "$prefill" -gt 0 ]; then
  echo "agg mode runs no prefill workers; use disagg" >&2
  exit 1
fi
[ "$decode" -ge 1 ] || { echo "at least one decode worker is needed" >&2; exit 1; }

jar() { echo "$root/$1/target/quarkus-app/quarkus-run.jar"; }
if [ ! -f "$(jar frontend-service)" ] || [ ! -f "$(jar prefill-service)" ] || [ ! -f "$(jar decode-service)" ]; then
  echo "Building Tandem (first run)..."
  ./mvnw -q -DskipTests package
fi

if [ -n "${TANDEM_MODEL:-}" ]; then
  export TANDEM_MODEL=$(readlink -f "$TANDEM_MODEL")
  [ -f "$TANDEM_MODEL" ] || { echo "TANDEM_MODEL: no such file: $TANDEM_MODEL" >&2; exit 1; }
fi
http_port=${DYN_HTTP_PORT:-8000}
next_port=${DYN_SYSTEM_PORT:-8081}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Every worker gets its own port, never the frontend's nor one another process already listens on; the
# port is left in $port (not echoed: a subshell would lose the counter).
take_port() {
  while [ "$next_port" = "$http_port" ] || port_in_use "$next_port"; do
    next_port=$((next_port + 1))
  done
  port=$next_port
  next_port=$((next_port + 1))
}
port_in_use "$http_port" && { echo "port $http_port is in use: set DYN_HTTP_PORT" >&2; exit 1; }

mkdir -p logs
pids=()
names=()
stop_all() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo "Stopping Tandem..."
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap 'stop_all; exit 130' INT TERM
trap stop_all EXIT

# start NAME MODULE [ENV=VALUE...]: runs a service in the background, its output shown and kept in logs/NAME.log
start() {
  local name=$1 module=$2
  shift 2
  (
    exec env "$@" "$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
      -jar "$(jar "$module")" 2>&1
  ) > >(tee "logs/$name.log" | sed -u "s/^/[$name] /") &
  pids+=($!)
  names+=("$name")
}

wait_healthy() {
  local name=$1 url=$2 deadline=$((SECONDS + 120))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "$name did not become healthy at $url: see logs/$name.log" >&2
      exit 1
    fi
    sleep 0.5
  done
}

prefill_addrs=()
decode_addrs=()
worker_urls=()
for i in $(seq 1 "$prefill"); do
  take_port
  start "dynamo-worker-prefill-$i" prefill-service OTEL_SERVICE_NAME=dynamo-worker-prefill DYN_SYSTEM_PORT="$port" TANDEM_WORKER_ID="prefill-$i"
  prefill_addrs+=("127.0.0.1:$port")
  worker_urls+=("dynamo-worker-prefill-$i http://127.0.0.1:$port")
done
decode_name=dynamo-worker-decode
[ "$mode" = agg ] && decode_name=dynamo-worker-backend
for i in $(seq 1 "$decode"); do
  take_port
  start "$decode_name-$i" decode-service OTEL_SERVICE_NAME="$decode_name" DYN_SYSTEM_PORT="$port" TANDEM_WORKER_ID="decode-$i"
  decode_addrs+=("127.0.0.1:$port")
  worker_urls+=("$decode_name-$i http://127.0.0.1:$port")
done
for entry in "${worker_urls[@]}"; do
  wait_healthy "${entry%% *}" "${entry#* }/health"
done

start dynamo-frontend frontend-service OTEL_SERVICE_NAME=dynamo-frontend DYN_HTTP_PORT="$http_port" \
  TANDEM_PREFILL_WORKERS="$(IFS=,; echo "${prefill_addrs[*]:-}")" \
  TANDEM_DECODE_WORKERS="$(IFS=,; echo "${decode_addrs[*]}")"
wait_healthy dynamo-frontend "http://127.0.0.1:$http_port/health"

model=$(curl -fsS "http://127.0.0.1:$http_port/v1/models" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
cat <<INFO

Tandem is up ($mode: $prefill prefill, $decode decode), serving model "$model".
  OpenAI API:  http://127.0.0.1:$http_port/v1   (frontend metrics: http://127.0.0.1:$http_port/metrics)
INFO
for entry in "${worker_urls[@]}"; do
  printf '  %-28s metrics: %s/metrics   health: %s/health\n' "${entry%% *}" "${entry#* }" "${entry#* }"
done
cat <<INFO
  Logs: $root/logs/<service>.log

Try:
  curl -N http://127.0.0.1:$http_port/v1/chat/completions -H 'Content-Type: application/json' \\
    -d '{"model":"$model","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":32,"stream":true}'

Press Ctrl-C to stop.
INFO
wait -n "${pids[@]}" || true
echo "A service exited; stopping the others." >&2
