#!/usr/bin/env bash
# Finds the system packages the project runs (nats-server, git, PowerDNS, the blackbox exporter,
# ...) and, as root on Debian, installs the missing ones; otherwise says exactly what to install.
set -euo pipefail

PACKAGES=(nats-server git pdns-server pdns-backend-sqlite3 sqlite3 prometheus-blackbox-exporter ansible-core nginx-light)

# How each package shows that it is there, installed by dpkg or not (a binary on PATH or in sbin,
# or for the PowerDNS sqlite backend its module).
probe() {
  case "$1" in
    pdns-server) have pdns_server ;;
    pdns-backend-sqlite3) compgen -G '/usr/lib*/pdns/libgsqlite3backend.so' >/dev/null || compgen -G '/usr/lib/*/pdns/libgsqlite3backend.so' >/dev/null ;;
    ansible-core) have ansible-playbook ;;
    nginx-light) have nginx ;;
    *) have "$1" ;;
  esac
}
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }

missing=()
for p in "${PACKAGES[@]}"; do
  if command -v dpkg-query >/dev/null 2>&1 && dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then continue; fi
  probe "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${missing[*]}" >&2
  apt-get update -q >&2
  # Services must not start at install time: the project starts its own on free ports.
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  if [ "$made_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
else
  echo "missing: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
