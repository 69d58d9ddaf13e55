#!/usr/bin/env bash
# `make bench` runs this after `swift build -c release`. It builds nothing.
# Every figure is one line: BENCH <name> <value> <unit> (goal <goal>|info).
# Exit status is non-zero only when a bench itself failed (crashed, could not
# run); a missed goal is printed, not fatal.
#   CALLTOP_BENCH_STT_ARGS      extra arguments for Benchmarks/stt/bench.py (e.g. "--long-seconds 120")
#   CALLTOP_BENCH_DAMAGE_ARGS   extra arguments for Benchmarks/stt/damage_eval.py (e.g. "--per-call 6")
#   CALLTOP_BENCH_WEBHOOK_ARGS  extra arguments for Benchmarks/webhooks/bench.py
set -uo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1

failed=()
started=$SECONDS

section() {  # section NAME COMMAND...: runs one bench, notes its time and whether it failed
    local name=$1; shift
    local t0=$SECONDS
    echo "== $name"
    "$@"
    local rc=$?
    echo "  # $name took $((SECONDS - t0)) s (exit $rc)"
    [ "$rc" -eq 0 ] || failed+=("$name")
}

bench=.build/release/calltop-bench
if [ -x "$bench" ]; then
    # download, e2e, dashboard and sync, each in its own child process.
    section calltop-bench "$bench"
else
    echo "  # calltop-bench: $bench is missing (run: swift build -c release)"
    failed+=(calltop-bench)
fi

if [ -x .venv/bin/python ]; then
    # shellcheck disable=SC2086
    section stt .venv/bin/python Benchmarks/stt/bench.py ${CALLTOP_BENCH_STT_ARGS:-}
    # Phone-line damage (issue #16): WER per condition against faster-whisper
    # direct, three runs identical, RTF on noisy calls. 2 calls per condition (the
    # docstring says why): 5-8 min on 2 nearly free cores, more under a build.
    # shellcheck disable=SC2086
    section stt-damage .venv/bin/python Benchmarks/stt/damage_eval.py ${CALLTOP_BENCH_DAMAGE_ARGS:-}
else
    echo "  # stt: SKIPPED, no .venv (make setup-speech creates it)"
fi

if [ -x .build/release/calltop ]; then
    # shellcheck disable=SC2086
    section webhooks python3 Benchmarks/webhooks/bench.py --binary .build/release/calltop ${CALLTOP_BENCH_WEBHOOK_ARGS:-}
else
    echo "  # webhooks: SKIPPED, .build/release/calltop is missing"
fi

echo "  # make bench: $((SECONDS - started)) s in all"
if [ ${#failed[@]} -gt 0 ]; then
    echo "  # benches that failed to run: ${failed[*]}"
    exit 1
fi
exit 0
