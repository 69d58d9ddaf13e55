#!/usr/bin/env bash
# Installs calltop under a prefix (what `make install` runs):
#   $PREFIX/bin/calltop                              the release binary
#   $PREFIX/lib/calltop/speech/                      the speech worker (worker.py, calltop_stt/)
#   $PREFIX/lib/calltop/.venv/                       its venv, models in .venv/models/
#   $PREFIX/share/calltop/themes/*.toml              themes (the dashboard looks here too)
#   $PREFIX/share/man/man1/calltop.1                 man page (swift-argument-parser's generate-manual)
#   $PREFIX/share/bash-completion/completions/calltop
#   $PREFIX/share/zsh/site-functions/_calltop
#   $PREFIX/share/fish/vendor_completions.d/calltop.fish
# The binary finds lib/calltop from its own path (<prefix>/bin/../lib/calltop),
# from any working directory.
#
# The venv is the checkout's (made by scripts/setup-speech.sh), copied with
# hard links when the prefix is on the same file system (fast, no second
# 850 MB), then made to work at its new path: `bin/python` of a venv finds its
# packages relative to itself, so only the scripts' #! lines, pyvenv.cfg and
# the tiny.en model link name the old path; they are rewritten. No network.
#
# Usage: scripts/install.sh [--prefix DIR] [--destdir DIR] [--binary FILE] [--no-speech]
#   --destdir stages the files under DIR (packaging); paths inside them name --prefix.
#   --binary  installs this binary instead of building .build/release/calltop.
#   --no-speech  leaves the speech engine out (doctor then says transcription is unavailable).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX=/usr/local
DESTDIR=""
BINARY=""
SPEECH=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --destdir) DESTDIR="$2"; shift 2 ;;
    --binary) BINARY="$2"; shift 2 ;;
    --no-speech) SPEECH=0; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "install: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$PREFIX" in /*) ;; *) echo "install: --prefix must be an absolute path (got $PREFIX)" >&2; exit 2 ;; esac

say() { echo "install: $*"; }
die() { echo "install: ERROR: $*" >&2; exit 1; }

ROOT="$DESTDIR$PREFIX"
LIB="$ROOT/lib/calltop"
SHARE="$ROOT/share"

# --- the binary ---------------------------------------------------------------
if [ -z "$BINARY" ]; then
  say "building the release binary (swift build -c release --product calltop)"
  (cd "$REPO" && swift build -c release --product calltop)
  BINARY="$REPO/.build/release/calltop"
fi
[ -x "$BINARY" ] || die "no binary at $BINARY"
BINARY="$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")"
install -d -m 0755 "$ROOT/bin" "$SHARE/calltop/themes" "$SHARE/man/man1" \
  "$SHARE/bash-completion/completions" "$SHARE/zsh/site-functions" "$SHARE/fish/vendor_completions.d"
install -m 0755 "$BINARY" "$ROOT/bin/calltop.tmp.$$"
mv -f "$ROOT/bin/calltop.tmp.$$" "$ROOT/bin/calltop"
say "binary: $ROOT/bin/calltop"

# --- themes ------------------------------------------------------------------
install -m 0644 "$REPO"/themes/*.toml "$SHARE/calltop/themes/"
say "themes: $SHARE/calltop/themes"

# --- man page and completions -------------------------------------------------
# The plugin builds the package in the binary's configuration (debug for a .build/debug binary).
case "$BINARY" in */.build/debug/*) configuration=debug ;; *) configuration=release ;; esac
"$REPO/scripts/generate-manual.sh" "$configuration" "$SHARE/man/man1/calltop.1"
"$ROOT/bin/calltop" --generate-completion-script bash > "$SHARE/bash-completion/completions/calltop"
"$ROOT/bin/calltop" --generate-completion-script zsh > "$SHARE/zsh/site-functions/_calltop"
"$ROOT/bin/calltop" --generate-completion-script fish > "$SHARE/fish/vendor_completions.d/calltop.fish"
chmod 0644 "$SHARE/man/man1/calltop.1" "$SHARE/bash-completion/completions/calltop" \
  "$SHARE/zsh/site-functions/_calltop" "$SHARE/fish/vendor_completions.d/calltop.fish"
say "man page and completions (bash, zsh, fish)"

[ "$SPEECH" = 1 ] || { say "done (without the speech engine)"; exit 0; }

# --- the speech worker --------------------------------------------------------
SRC_VENV="$REPO/.venv"
[ -x "$SRC_VENV/bin/python" ] && [ -f "$SRC_VENV/models/manifest.json" ] \
  || die "no speech venv at $SRC_VENV: run \`make setup\` first (scripts/setup-speech.sh)"
install -d -m 0755 "$LIB/speech"
tmp_speech="$(mktemp -d "$LIB/.speech.tmp.XXXXXX")"
trap 'rm -rf "$tmp_speech" "${tmp_venv:-}"' EXIT
cp "$REPO/speech/worker.py" "$REPO/speech/requirements.txt" "$tmp_speech/"
cp -r "$REPO/speech/calltop_stt" "$tmp_speech/"
find "$tmp_speech" -name __pycache__ -prune -exec rm -rf {} +
chmod -R u=rwX,go=rX "$tmp_speech"
rm -rf "$LIB/speech.old"; [ -e "$LIB/speech" ] && mv "$LIB/speech" "$LIB/speech.old"
mv "$tmp_speech" "$LIB/speech"; rm -rf "$LIB/speech.old"
say "speech worker: $LIB/speech/worker.py"

# The venv: copied beside its final place, fixed, then swapped in.
tmp_venv="$(mktemp -d "$LIB/.venv.tmp.XXXXXX")"
rmdir "$tmp_venv"
if cp -al "$SRC_VENV" "$tmp_venv" 2>/dev/null; then how="hard links"; else rm -rf "$tmp_venv"; cp -a "$SRC_VENV" "$tmp_venv"; how="a copy"; fi
FINAL_VENV="$PREFIX/lib/calltop/.venv"
# #! lines of the console scripts, and pyvenv.cfg: the old path -> the final one
# (sed -i writes a new file, so a hard-linked original is never touched).
grep -lIs "^#!$SRC_VENV/bin/python" "$tmp_venv"/bin/* | while read -r f; do
  sed -i "1s|^#!$SRC_VENV/bin/python|#!$FINAL_VENV/bin/python|" "$f"
done
sed -i "s|$SRC_VENV|$FINAL_VENV|g" "$tmp_venv/pyvenv.cfg"
for f in "$tmp_venv"/bin/activate*; do [ -f "$f" ] && sed -i "s|$SRC_VENV|$FINAL_VENV|g" "$f"; done
# Model links that point into the old venv become relative, so they hold wherever the venv sits.
find "$tmp_venv/models" -maxdepth 1 -type l | while read -r link; do
  target="$(readlink "$link")"
  case "$target" in
    "$SRC_VENV"/*) ln -sfn "../${target#"$SRC_VENV"/}" "$link" ;;
  esac
done
# Readable by the service user: directories only (files are hard links shared with the checkout).
find "$tmp_venv" -type d -exec chmod go+rx {} +
find "$tmp_venv" -type f ! -perm -o=r -exec chmod go+r {} +
"$tmp_venv/bin/python" -c 'import faster_whisper, ctranslate2' \
  || die "the copied venv cannot import faster_whisper; nothing was replaced"
for m in whisper-base whisper-tiny.en; do
  [ -f "$tmp_venv/models/$m/model.bin" ] || die "model $m missing from the copied venv"
done
rm -rf "$LIB/.venv.old"; [ -e "$LIB/.venv" ] && mv "$LIB/.venv" "$LIB/.venv.old"
mv "$tmp_venv" "$LIB/.venv"; rm -rf "$LIB/.venv.old"
trap - EXIT
say "speech venv: $LIB/.venv ($how of $SRC_VENV; models in .venv/models)"
say "done: $PREFIX/bin/calltop doctor checks it"
