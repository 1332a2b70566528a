#!/usr/bin/env bash
# changed-pools.sh [--all] [--repo DIR] < changed-files
#
# Reads changed file paths (one per line, relative to the repository root, as `git diff
# --name-only` prints them) and prints the node pools CI must plan or apply, as a JSON array for
# a GitHub Actions matrix: [{"pool":"jp","cloud":"aws"},...], sorted by pool.
#
#  - infra/node-pool/<pool>.tfvars changed           -> that pool
#  - infra/modules/**, infra/stacks/**, infra/cloud-init/** changed
#                                                   -> every pool (they all use that code)
#  - --all                                          -> every pool
#
# A pool file that no longer exists (deleted in the change) is left out: a pool is taken down by
# setting node_count = 0 first, then its file is removed. The cloud comes from the pool file's
# `cloud = "..."` line and must have a stack in infra/stacks/<cloud>.
set -euo pipefail

repo=.
all=false
while [ $# -gt 0 ]; do
  case "$1" in
    --all) all=true ;;
    --repo) repo="$2"; shift ;;
    *) echo "changed-pools.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

pool_dir="$repo/infra/node-pool"
declare -A pools=()

add_all_pools() {
  local f
  for f in "$pool_dir"/*.tfvars; do
    [ -e "$f" ] || continue
    pools["$(basename "$f" .tfvars)"]=1
  done
}

if [ "$all" = true ]; then
  add_all_pools
fi

while IFS= read -r path || [ -n "$path" ]; do
  case "$path" in
    infra/node-pool/*.tfvars)
      name=$(basename "$path" .tfvars)
      if [ -e "$pool_dir/$name.tfvars" ]; then pools["$name"]=1; fi
      ;;
    infra/modules/* | infra/stacks/* | infra/cloud-init/*)
      add_all_pools
      ;;
  esac
done

entries=()
if [ "${#pools[@]}" -gt 0 ]; then
  while IFS= read -r name; do
    if ! [[ "$name" =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]]; then
      echo "changed-pools.sh: infra/node-pool/$name.tfvars: a pool name is [a-z0-9-]" >&2
      exit 1
    fi
    cloud=$(sed -n 's/^[[:space:]]*cloud[[:space:]]*=[[:space:]]*"\([a-z0-9]*\)".*/\1/p' "$pool_dir/$name.tfvars" | head -n 1)
    if [ -z "$cloud" ]; then
      echo "changed-pools.sh: infra/node-pool/$name.tfvars has no cloud = \"...\" line" >&2
      exit 1
    fi
    if [ ! -d "$repo/infra/stacks/$cloud" ]; then
      echo "changed-pools.sh: infra/node-pool/$name.tfvars: no stack infra/stacks/$cloud for cloud \"$cloud\"" >&2
      exit 1
    fi
    entries+=("{\"pool\":\"$name\",\"cloud\":\"$cloud\"}")
  done < <(printf '%s\n' "${!pools[@]}" | LC_ALL=C sort)
fi

(IFS=,; printf '[%s]\n' "${entries[*]-}")
