#!/usr/bin/env bash
# `make install` into a temporary prefix (staged with DESTDIR, as a package
# build does), then what a user does with it, from `/`: doctor, demo --help,
# a transcription against the simulator; the man page, completions, themes;
# the systemd units checked with systemd-analyze against the installed binary;
# then `make uninstall` leaves nothing behind. Run by `make test`.
#
# Usage: scripts/test-install.sh [BINARY]   (default: .build/debug/calltop, already built)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BINARY="${1:-$REPO/.build/debug/calltop}"
work="$(mktemp -d /tmp/calltop-install-test.XXXXXX)"
sim_pid=""
cleanup() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "test-install: FAIL: $*" >&2; exit 1; }
pass() { echo "test-install: ok   $*"; }

PREFIX="$work/opt/calltop"   # where it will live
STAGE="$work/stage"          # DESTDIR: where make install writes
start=$(date +%s)
make -C "$REPO" --no-print-directory install PREFIX="$PREFIX" DESTDIR="$STAGE" INSTALL_BINARY="$BINARY" >"$work/install.log" 2>&1 \
  || { cat "$work/install.log" >&2; fail "make install"; }
pass "make install PREFIX=$PREFIX DESTDIR=$STAGE ($(( $(date +%s) - start )) s)"
# A package manager would now unpack the staged tree at /: move it into place.
mkdir -p "$(dirname "$PREFIX")"
mv "$STAGE$PREFIX" "$PREFIX"
BIN="$PREFIX/bin/calltop"

for f in bin/calltop lib/calltop/speech/worker.py lib/calltop/.venv/bin/python \
         lib/calltop/.venv/models/whisper-base/model.bin lib/calltop/.venv/models/whisper-tiny.en/model.bin \
         share/calltop/themes/default.toml share/calltop/themes/light.toml share/calltop/themes/high-contrast.toml \
         share/man/man1/calltop.1 share/bash-completion/completions/calltop share/zsh/site-functions/_calltop \
         share/fish/vendor_completions.d/calltop.fish; do
  [ -e "$PREFIX/$f" ] || fail "missing $PREFIX/$f"
done
pass "layout: bin, lib/calltop (worker, venv, models), share (themes, man, completions)"

grep -q '^\.Dt CALLTOP 1' "$PREFIX/share/man/man1/calltop.1" || fail "calltop.1 is not an mdoc page for CALLTOP(1)"
grep -q 'export' "$PREFIX/share/man/man1/calltop.1" || fail "calltop.1 does not list the export command"
if command -v man >/dev/null; then
  MANPATH="$PREFIX/share/man" man -P cat calltop 2>/dev/null | grep -q "calltop" || fail "man calltop does not render"
fi
grep -q '_calltop' "$PREFIX/share/bash-completion/completions/calltop" || fail "bash completion"
grep -q '#compdef calltop' "$PREFIX/share/zsh/site-functions/_calltop" || fail "zsh completion"
grep -q '^complete -c .calltop' "$PREFIX/share/fish/vendor_completions.d/calltop.fish" || fail "fish completion"
bash -c "source '$PREFIX/share/bash-completion/completions/calltop'; complete -p calltop" >/dev/null || fail "bash completion does not load"
pass "man page (mdoc) and completions for bash, zsh, fish"

# Nothing may point back into the checkout: the installed venv stands alone.
if grep -rIl --exclude-dir=__pycache__ "$REPO/.venv" "$PREFIX/lib/calltop/.venv/bin" "$PREFIX/lib/calltop/.venv/pyvenv.cfg" >/dev/null 2>&1; then
  fail "the installed venv still names $REPO/.venv"
fi
case "$(readlink "$PREFIX/lib/calltop/.venv/models/whisper-tiny.en")" in /*) fail "the tiny.en model link is absolute" ;; esac
pass "the installed venv names only its own path"

# From /, with a clean environment and no checkout in sight.
export HOME="$work/home" CALLTOP_HOME="$work/data" HF_HUB_OFFLINE=1
unset CALLTOP_SPEECH_HOME CALLTOP_THEMES_DIR TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN TWILIO_API_KEY TWILIO_API_SECRET CALLTOP_API_BASE_URL
mkdir -p "$HOME"
cd /
doctor="$("$BIN" doctor 2>&1 || true)"
echo "$doctor" | grep -q "ok   speech worker        $PREFIX/lib/calltop/speech/worker.py" || { echo "$doctor"; fail "doctor does not find the installed worker"; }
echo "$doctor" | grep -q "ok   speech venv          $PREFIX/lib/calltop/.venv" || { echo "$doctor"; fail "doctor does not find the installed venv"; }
echo "$doctor" | grep -q "ok   speech model base" || { echo "$doctor"; fail "doctor does not find the models"; }
pass "doctor from / finds the installed speech engine"
"$BIN" demo --help | grep -q "simulator" || fail "demo --help"
pass "demo --help"

# A transcription, from /, against the simulator.
"$BIN" simulator --calls 3 >"$work/sim.out" 2>/dev/null &
sim_pid=$!
for _ in $(seq 100); do grep -q TWILIO_AUTH_TOKEN "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
eval "$(grep '^export ' "$work/sim.out")"
"$BIN" sync >/dev/null || fail "sync against the simulator"
call="$("$BIN" list --json | /usr/bin/python3 -c 'import json,sys; print(next(r["call_sid"] for r in json.load(sys.stdin) if r["recording_sid"] and r["download_state"] == "pending"))')"
out="$("$BIN" transcribe "$call" --model tiny.en 2>&1)" || { echo "$out"; fail "transcribe $call from /"; }
"$BIN" transcript "$call" | grep -q "^source: offline" || fail "the transcript of $call is not offline"
pass "transcribe from / with the installed worker (tiny.en): $("$BIN" transcript "$call" --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["text"]))') chars"
kill "$sim_pid"; sim_pid=""

# Themes: the installed directory is the one searched (a theme dropped there is found by name).
cp "$PREFIX/share/calltop/themes/light.toml" "$PREFIX/share/calltop/themes/corp.toml"
echo "$doctor" | grep -q "ok   themes               $PREFIX/share/calltop/themes" || { echo "$doctor"; fail "doctor does not name the installed themes"; }
doctor="$("$BIN" doctor 2>&1 || true)"   # FAIL lines (no credentials here) exit 1
echo "$doctor" | grep -q "themes .*corp" || fail "a theme added to $PREFIX/share/calltop/themes is not found"
pass "themes in $PREFIX/share/calltop/themes"

# systemd units, pointed at the installed binary.
if command -v systemd-analyze >/dev/null; then
  for unit in calltop-serve.service calltop-worker@.service; do
    sed "s|/usr/local/bin/calltop|$BIN|" "$REPO/contrib/systemd/$unit" > "$work/$unit"
  done
  cp "$work/calltop-worker@.service" "$work/calltop-worker@1.service"
  MANPATH="$PREFIX/share/man" systemd-analyze verify "$work/calltop-serve.service" "$work/calltop-worker@1.service" \
    >"$work/verify.log" 2>&1 || { cat "$work/verify.log" >&2; fail "systemd-analyze verify"; }
  ! grep -v "^$" "$work/verify.log" | grep -q . || { cat "$work/verify.log" >&2; fail "systemd-analyze verify printed warnings"; }
  for want in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes ReadWritePaths=/var/lib/calltop Restart=on-failure EnvironmentFile=/etc/calltop/calltop.env User=calltop; do
    for unit in calltop-serve.service calltop-worker@.service; do
      grep -qx "$want" "$REPO/contrib/systemd/$unit" || fail "$unit lacks $want"
    done
  done
  "$BIN" worker --name "$(hostname)-1" --help >/dev/null || fail "calltop worker refuses the unit's command line"
  pass "systemd-analyze verify: calltop-serve.service, calltop-worker@.service"
else
  echo "test-install: skip systemd-analyze (not installed; scripts/setup-system.sh installs systemd)"
fi

make -C "$REPO" --no-print-directory uninstall PREFIX="$PREFIX" >/dev/null
left="$(find "$PREFIX" -type f -o -type l | head -5)"
[ -z "$left" ] || fail "uninstall left: $left"
pass "make uninstall removes every installed file"
echo "test-install: all passed in $(( $(date +%s) - start )) s"
