#!/usr/bin/env bash
# Installs the Debian packages calltop needs, only those missing. Idempotent.
# As root it calls apt-get directly; otherwise through sudo.
set -euo pipefail

packages=(
  libcurl4-openssl-dev   # the Twilio client (libcurl)
  libncursesw5-dev       # the dashboard (ncursesw)
  libsqlite3-dev         # the store (GRDB links the system SQLite)
  pkg-config
  espeak-ng lame sox     # the simulator's real audio, and speech for tests
  tmux                   # end-to-end tests drive the dashboard in tmux
  python3-venv           # the speech worker's venv
  curl                   # benchmarks compare against it
  openssl                # the corporate-network tests make a private CA at test time
  systemd                # systemd-analyze verify checks contrib/systemd/*.service
  postgresql             # team mode: tests run a throwaway cluster (initdb + pg_ctl), never the system service
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: system packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
$sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
