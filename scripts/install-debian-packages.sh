#!/usr/bin/env bash
# Install the Debian packages that are missing: those listed in a file
# (scripts/debian-packages.txt), or named as arguments. Needs root (CI runs as
# root); otherwise prints the command to run and fails.
set -euo pipefail
if [ $# -eq 1 ] && [ -f "$1" ]; then
  mapfile -t wanted < <(grep -v '^\s*#' "$1" | grep -v '^\s*$')
else
  wanted=("$@")
fi
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  echo "run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
