#!/usr/bin/env bash
# make demo-team: a throwaway PostgreSQL cluster, the simulator, three workers (each with its own data dir, as
# on three machines) and the dashboard on a fourth data dir (a laptop). Quitting the dashboard stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
calltop=${CALLTOP_BINARY:-.build/debug/calltop}
dir=$(mktemp -d /tmp/calltop-demo-team.XXXXXX)
chmod 711 "$dir"  # the server runs as the postgres user and must reach its own folder inside
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  bash scripts/pg-throwaway.sh stop "$dir/pg" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

echo "demo-team: starting PostgreSQL…"
url=$(bash scripts/pg-throwaway.sh start "$dir/pg" --watch $$ | sed -n 's/^URL //p')
export CALLTOP_DATABASE_URL=$url

"$calltop" simulator --port 0 --calls 40 --latency-ms 30 --scenario not_ready=1 --scenario rate_limited=2 > "$dir/simulator.out" 2>"$dir/simulator.err" &
pids+=($!)
for _ in $(seq 1 100); do grep -q '^LISTENING' "$dir/simulator.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^LISTENING' "$dir/simulator.out" || { cat "$dir/simulator.err" >&2; exit 1; }
eval "$(grep '^export ' "$dir/simulator.out")"

for n in 1 2 3; do
  # One transcriber is enough on a laptop's cores; the other two download.
  transcriptions=$([ "$n" -eq 1 ] && echo 1 || echo 0)
  CALLTOP_HOME="$dir/machine-$n" "$calltop" worker --name "demo-worker-$n" --downloads 2 --transcriptions "$transcriptions" \
    --sync-interval 5s > "$dir/worker-$n.log" 2>&1 &
  pids+=($!)
done
echo "demo-team: 3 workers on $dir/machine-{1,2,3}; their logs: $dir/worker-*.log"
CALLTOP_HOME="$dir/laptop" "$calltop" ui "$@"
