#!/usr/bin/env bash
# Starts Tandem on this machine, like Dynamo's launch scripts:
#   scripts/launch.sh agg                        frontend + 1 decode worker that also prefills
#   scripts/launch.sh disagg [--prefill N] [--decode M]   frontend + N prefill + M decode workers (1 + 1 by default)
# Builds first if needed. Honours TANDEM_MODEL (a GGUF file; unset = the built-in synthetic model),
# DYN_HTTP_PORT (frontend, default 8000), DYN_SYSTEM_PORT (first worker's health/metrics port, default 8081),
# TANDEM_GRPC_PORT (first worker's gRPC port, default 9081) and the logging and tracing variables
# (DYN_LOGGING_JSONL, DYN_LOG, OTEL_*), which every service inherits. Each service's output is shown and kept
# in logs/<service>.log. A service that exits is reported and the others keep running; Ctrl-C stops everything.
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
next_system_port=${DYN_SYSTEM_PORT:-8081}
next_grpc_port=${TANDEM_GRPC_PORT:-9081}
taken=" $http_port "

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# take_port COUNTER: the next port from that counter that nobody listens on and this launch has not handed
# out, left in $port (not echoed: a subshell would lose the counter).
take_port() {
  local -n counter=$1
  while [[ "$taken" == *" $counter "* ]] || port_in_use "$counter"; do
    counter=$((counter + 1))
  done
  port=$counter
  taken+="$port "
  counter=$((counter + 1))
}
if port_in_use "$http_port"; then echo "port $http_port is in use: set DYN_HTTP_PORT" >&2; exit 1; fi

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
# start_worker NAME MODULE ROLE-ID OTEL-NAME: a worker on its own system and gRPC ports; its gRPC address is
# left in $grpc_address
start_worker() {
  take_port next_system_port
  local system_port=$port
  take_port next_grpc_port
  start "$1" "$2" OTEL_SERVICE_NAME="$4" TANDEM_WORKER_ID="$3" DYN_SYSTEM_PORT="$system_port" TANDEM_GRPC_PORT="$port"
  grpc_address="127.0.0.1:$port"
  worker_urls+=("$1 http://127.0.0.1:$system_port $grpc_address")
}

for i in $(seq 1 "$prefill"); do
  start_worker "dynamo-worker-prefill-$i" prefill-service "prefill-$i" dynamo-worker-prefill
  prefill_addrs+=("$grpc_address")
done
decode_name=dynamo-worker-decode
[ "$mode" = agg ] && decode_name=dynamo-worker-backend
for i in $(seq 1 "$decode"); do
  start_worker "$decode_name-$i" decode-service "decode-$i" "$decode_name"
  decode_addrs+=("$grpc_address")
done
for entry in "${worker_urls[@]}"; do
  read -r name url _ <<< "$entry"
  wait_healthy "$name" "$url/health"
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
  read -r name url grpc <<< "$entry"
  printf '  %-28s metrics: %s/metrics   health: %s/health   gRPC: %s\n' "$name" "$url" "$url" "$grpc"
done
cat <<INFO
  Logs: $root/logs/<service>.log

Try:
  curl -N http://127.0.0.1:$http_port/v1/chat/completions -H 'Content-Type: application/json' \\
    -d '{"model":"$model","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":32,"stream":true}'

Press Ctrl-C to stop.
INFO
# A service that exits is reported loudly and the others keep running (a failover can be watched: the frontend
# migrates the streams of a worker that died); Ctrl-C stops them all.
running=("${pids[@]}")
while [ ${#running[@]} -gt 0 ]; do
  exited=
  status=0
  wait -n -p exited "${running[@]}" || status=$?
  [ -n "$exited" ] || continue
  for i in "${!pids[@]}"; do
    if [ "${pids[$i]}" = "$exited" ]; then
      name=${names[$i]}
    fi
  done
  still=()
  for pid in "${running[@]}"; do
    [ "$pid" = "$exited" ] || still+=("$pid")
  done
  running=("${still[@]}")
  {
    echo
    echo "!!! ============================================================================="
    echo "!!! $name EXITED (status $status); see logs/$name.log"
    echo "!!! ${#running[@]} other service(s) keep running. Ctrl-C stops them all."
    echo "!!! ============================================================================="
    echo
  } >&2
done
echo "Every service has exited." >&2
