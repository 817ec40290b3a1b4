#!/usr/bin/env bash
# Installs the Debian packages the stack needs, only those missing (apt-get update once, if any).
set -euo pipefail

# package -> a file that proves it is installed
declare -A WANTED=(
  [postgresql-15]=/usr/lib/postgresql/15/bin/initdb
  [redis-server]=/usr/bin/redis-server
  [libpq-dev]=/usr/bin/pg_config
  [libmagic1]=/usr/lib/x86_64-linux-gnu/libmagic.so.1
  [openjdk-17-jdk-headless]=/usr/bin/javac
  [maven]=/usr/bin/mvn
  [python3-venv]=/usr/lib/python3/dist-packages/pip
  [nodejs]=/usr/bin/node
  [npm]=/usr/bin/npm
  [gettext]=/usr/bin/msgfmt
  # the browser tests (tests/browser): headless Chromium and a font for its pages
  [chromium]=/usr/bin/chromium
  [fonts-dejavu-core]=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
)

missing=()
for package in "${!WANTED[@]}"; do
  # a tool already on PATH (a pyenv Python, a Node.js from elsewhere) counts as present
  tool=$(basename "${WANTED[$package]}")
  [ -e "${WANTED[$package]}" ] || command -v "$tool" >/dev/null 2>&1 || missing+=("$package")
done
# python3-venv only matters when the python3 in use cannot make a venv
if printf '%s\n' "${missing[@]}" | grep -qx python3-venv && python3 -m venv --help >/dev/null 2>&1; then
  missing=("${missing[@]/python3-venv}")
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | grep -v '^$' | sort)

if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: all present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: missing Debian packages: ${missing[*]}; install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "system-deps: apt-get update failed" >&2; exit 1; }
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || { echo "system-deps: apt-get install ${missing[*]} failed" >&2; exit 1; }
echo "system-deps: installed ${missing[*]}"
