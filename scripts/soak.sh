#!/usr/bin/env bash
# Soak test (not run in CI): a disaggregated cluster (1 prefill + 2 decode workers + frontend, the built-in synthetic
# model unless TANDEM_MODEL is set) under mixed traffic for MINUTES (default 20): streamed and non-streamed,
# greedy and seeded requests, clients that disconnect at random, and one decode worker killed (SIGKILL) and
# restarted half-way. Reports every service's RSS over time, the requests' outcomes, ERROR lines in the logs and
# the KV blocks still in use at the end (expected: 0).
#   scripts/soak.sh [MINUTES] [CLIENTS]
# Output: target/soak/ (rss.csv, outcomes.log, the services' logs, summary.txt).
set -euo pipefail

minutes=${1:-20}
clients=${2:-6}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/java.sh
select_jdk25

jar() { echo "$root/$1/target/quarkus-app/quarkus-run.jar"; }
for module in frontend-service prefill-service decode-service; do
  [ -f "$(jar $module)" ] || { echo "$(jar $module) is missing: build first (./mvnw -DskipTests package)" >&2; exit 1; }
done

out=$root/target/soak
rm -rf "$out"
mkdir -p "$out"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

declare -A pid port grpc
start() { # NAME MODULE [ENV=VALUE...]
  local name=$1 module=$2
  shift 2
  env "$@" "$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx512m \
    -jar "$(jar "$module")" >> "$out/$name.log" 2>&1 &
  pid[$name]=$!
}
start_worker() { # NAME MODULE
  start "$1" "$2" TANDEM_WORKER_ID="$1" DYN_SYSTEM_PORT="${port[$1]}" TANDEM_GRPC_PORT="${grpc[$1]}" TANDEM_KV_BUDGET_MB=64
}
await_healthy() { # NAME
  local deadline=$((SECONDS + 180))
  until curl -fsS -o /dev/null "http://127.0.0.1:${port[$1]}/health" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "$1 did not become healthy: see $out/$1.log" >&2; exit 1; }
    sleep 0.5
  done
}
stop_all() {
  trap - INT TERM EXIT
  # the frontend first, so that it does not wait on workers that are going away
  if [ -n "${pid[frontend]:-}" ]; then kill -TERM "${pid[frontend]}" 2>/dev/null || true; wait "${pid[frontend]}" 2>/dev/null || true; fi
  for name in "${!pid[@]}"; do kill -TERM "${pid[$name]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop_all; exit 130' INT TERM
trap stop_all EXIT

for name in prefill-1 decode-1 decode-2 frontend; do port[$name]=$(free_port); grpc[$name]=$(free_port); done
start_worker prefill-1 prefill-service
start_worker decode-1 decode-service
start_worker decode-2 decode-service
for name in prefill-1 decode-1 decode-2; do await_healthy "$name"; done
start frontend frontend-service DYN_HTTP_PORT="${port[frontend]}" \
  TANDEM_PREFILL_WORKERS="127.0.0.1:${grpc[prefill-1]}" \
  TANDEM_DECODE_WORKERS="127.0.0.1:${grpc[decode-1]},127.0.0.1:${grpc[decode-2]}"
await_healthy frontend
api="http://127.0.0.1:${port[frontend]}"
model=$(curl -fsS "$api/v1/models" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
echo "Soak: $minutes min, $clients clients, model $model; output in $out"

end=$((SECONDS + minutes * 60))
restart_at=$((SECONDS + minutes * 30))

# one client: requests until the end, each one of a random kind; "outcome kind status seconds" per request
client() {
  local id=$1 n=0
  while [ $SECONDS -lt $end ]; do
    n=$((n + 1))
    local max=$((16 + RANDOM % 240)) stream=false sampling='"temperature":0' kind
    [ $((RANDOM % 2)) -eq 0 ] && stream=true
    [ $((RANDOM % 3)) -eq 0 ] && sampling='"temperature":0.8,"seed":'$RANDOM
    local body='{"model":"'"$model"'","prompt":"soak client '"$id"' request '"$n"': once upon a time","max_tokens":'"$max"',"stream":'"$stream"','"$sampling"'}'
    local started=$(date +%s.%N) status
    if [ $((RANDOM % 5)) -eq 0 ]; then
      kind=disconnect
      # a client that leaves part-way
      status=$(curl -s -o /dev/null -w '%{http_code}' --max-time "0.$((1 + RANDOM % 9))" -H 'Content-Type: application/json' \
        -d "$body" "$api/v1/completions" || true)
    else
      kind=$([ "$stream" = true ] && echo stream || echo unary)
      local response
      response=$(curl -s -w '\n%{http_code}' --max-time 120 -H 'Content-Type: application/json' -d "$body" "$api/v1/completions" || true)
      status=${response##*$'\n'}
      if [ "$status" = 200 ] && grep -q '"error"' <<< "${response%$'\n'*}"; then
        status=stream-error
      elif [ "$stream" = true ] && [ "$status" = 200 ] && ! grep -q 'data: \[DONE\]' <<< "$response"; then
        status=no-done
      fi
    fi
    echo "$kind $status $(echo "$(date +%s.%N) - $started" | bc)" >> "$out/outcomes.log"
  done
}

rss() { ps -o rss= -p "$1" 2>/dev/null | tr -d ' ' || echo 0; }
echo "seconds,frontend_kib,prefill-1_kib,decode-1_kib,decode-2_kib" > "$out/rss.csv"
started=$SECONDS
client_pids=()
for i in $(seq 1 "$clients"); do client "$i" & client_pids+=($!); done
restarted=false
while [ $SECONDS -lt $end ]; do
  echo "$((SECONDS - started)),$(rss "${pid[frontend]}"),$(rss "${pid[prefill-1]}"),$(rss "${pid[decode-1]}"),$(rss "${pid[decode-2]}")" >> "$out/rss.csv"
  if [ "$restarted" = false ] && [ $SECONDS -ge $restart_at ]; then
    echo "$((SECONDS - started)) s: killing decode-1 (SIGKILL) and restarting it"
    kill -KILL "${pid[decode-1]}"
    wait "${pid[decode-1]}" 2>/dev/null || true
    start_worker decode-1 decode-service
    await_healthy decode-1
    echo "$((SECONDS - started)) s: decode-1 is back"
    restarted=true
  fi
  sleep 10
done
wait "${client_pids[@]}" 2>/dev/null || true
sleep 3 # cancellations reach the workers

kv_in_use() { curl -fsS "http://127.0.0.1:${port[$1]}/metrics" | awk '/^dynamo_component_kvstats_active_blocks/ {s += $2} END {print s + 0}'; }
{
  echo "Soak of $minutes min with $clients clients, decode-1 killed and restarted half-way"
  echo "Requests by kind and status:"
  awk '{print "  " $1 " " $2}' "$out/outcomes.log" | sort | uniq -c
  echo "Mean seconds per completed request: $(awk '$2 == 200 && $1 != "disconnect" {s += $3; n++} END {printf "%.2f", n ? s / n : 0}' "$out/outcomes.log")"
  echo "Failed (not 200, not a deliberate disconnect): $(awk '$1 != "disconnect" && $2 != 200' "$out/outcomes.log" | wc -l)"
  echo "Migrations: $(curl -fsS "$api/metrics" | awk '/^dynamo_frontend_model_migration_total/ {print $0}' | tr '\n' ' ')"
  echo "KV blocks in use at the end: prefill-1 $(kv_in_use prefill-1), decode-1 $(kv_in_use decode-1), decode-2 $(kv_in_use decode-2)"
  echo "ERROR lines: $(cat "$out"/*.log | grep -c ' ERROR ' || true) (stack trace lines: $(cat "$out"/*.log | grep -c $'^\tat ' || true))"
  echo "RSS (KiB) first and last sample:"
  sed -n '2p;$p' "$out/rss.csv" | sed 's/^/  /'
} | tee "$out/summary.txt"
