#!/usr/bin/env bash
# Removes what scripts/install.sh put under the prefix (what `make uninstall` runs).
# The data directories (~/.local/share/calltop, /var/lib/calltop) are left alone.
# Usage: scripts/uninstall.sh [--prefix DIR] [--destdir DIR]
set -euo pipefail
PREFIX=/usr/local
DESTDIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --destdir) DESTDIR="$2"; shift 2 ;;
    *) echo "uninstall: unknown option $1" >&2; exit 2 ;;
  esac
done
ROOT="$DESTDIR$PREFIX"
rm -f "$ROOT/bin/calltop" "$ROOT/share/man/man1/calltop.1" \
  "$ROOT/share/bash-completion/completions/calltop" "$ROOT/share/zsh/site-functions/_calltop" \
  "$ROOT/share/fish/vendor_completions.d/calltop.fish"
rm -rf "$ROOT/lib/calltop" "$ROOT/share/calltop"
echo "uninstall: removed calltop from $ROOT (data directories are kept)"
