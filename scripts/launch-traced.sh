#!/usr/bin/env bash
# Starts Tandem like scripts/launch.sh (same modes and options), with tracing on, like Dynamo's tracing launch
# scripts: JSONL logs, and spans and log records exported over OTLP/gRPC to the observability stack's collector.
#   scripts/launch-traced.sh agg
#   scripts/launch-traced.sh disagg [--prefill N] [--decode M]
# Start the stack first: docker compose -f docker/observability/docker-compose.yml up -d
# Sets DYN_LOGGING_JSONL=true, OTEL_EXPORT_ENABLED=true and OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (default
# http://localhost:4317; a value already set wins, as does OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, which defaults to it).
set -euo pipefail

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit "$1"
}
case "${1:-}" in
  "") usage 1 ;;
  -h|--help) usage 0 ;;
esac

export DYN_LOGGING_JSONL=true
export OTEL_EXPORT_ENABLED=true
export OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:-http://localhost:4317}

# A missing collector costs nothing but the traces: say so rather than fail.
authority=${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT#*://}
authority=${authority%%/*}
host=${authority%:*}
port=${authority##*:}
[ "$port" != "$authority" ] || port=4317
if ! timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
  echo "warning: nothing listens on $host:$port (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): traces and logs will not" \
    "be exported. Start the stack: docker compose -f docker/observability/docker-compose.yml up -d" >&2
fi

exec "$(dirname "$0")/launch.sh" "$@"
