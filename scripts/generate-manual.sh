#!/usr/bin/env bash
# Writes calltop.1 with swift-argument-parser's generate-manual plugin
# (`swift package plugin generate-manual`): the plugin builds the package in
# the given configuration, runs `calltop --experimental-dump-help` and renders
# mdoc. Works offline: the plugin and its tool come from the resolved
# swift-argument-parser checkout.
#
# Usage: scripts/generate-manual.sh debug|release OUTPUT_FILE
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
configuration="${1:?usage: generate-manual.sh debug|release OUTPUT_FILE}"
output="${2:?usage: generate-manual.sh debug|release OUTPUT_FILE}"
cd "$REPO"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! swift package plugin generate-manual --configuration "$configuration" >"$log" 2>&1; then
  cat "$log" >&2
  echo "generate-manual: the plugin failed (output above)" >&2
  exit 1
fi
page="$(find .build/plugins/GenerateManual -name calltop.1 -newer "$log" -print -quit 2>/dev/null || true)"
[ -n "$page" ] || page="$(find .build/plugins/GenerateManual -name calltop.1 -print -quit)"
[ -s "$page" ] || { echo "generate-manual: the plugin wrote no calltop.1" >&2; exit 1; }
install -m 0644 "$page" "$output"
