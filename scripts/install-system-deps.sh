#!/usr/bin/env bash
# Finds the system programs the project runs (nats-server, git, ...) and, as root on Debian,
# installs the missing ones from Debian's packages; otherwise says exactly what to install.
set -euo pipefail

declare -A PACKAGE_OF=(
  [nats-server]=nats-server
  [git]=git
)
missing=()
for bin in "${!PACKAGE_OF[@]}"; do
  if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$bin" ] && [ ! -x "/usr/bin/$bin" ]; then
    missing+=("${PACKAGE_OF[$bin]}")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${missing[*]}" >&2
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
else
  echo "missing programs; install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
