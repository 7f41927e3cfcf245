#!/usr/bin/env bash
# apt-install.sh PACKAGE... installs the Debian packages that are not installed yet, without
# prompts. It runs `apt-get update` once, only when the package lists do not know a package
# or an install from the current lists fails (stale lists point at removed versions).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

missing=()
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

install() {
  apt-get install -y --no-install-recommends "${missing[@]}"
}

known=1
for pkg in "${missing[@]}"; do
  apt-cache show "$pkg" >/dev/null 2>&1 || known=0
done

echo "apt-install: installing ${missing[*]}"
if [ "$known" = 1 ] && install; then
  exit 0
fi
apt-get update
install
