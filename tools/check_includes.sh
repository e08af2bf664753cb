#!/usr/bin/env bash
# Enforces the one-way module dependencies of docs/architecture.md by reading
# the project #include lines of every non-test source under src/.
# Implementation subfolders (storage/memory, storage/sqlite) may be included
# only by server/, cli/ and tests. Exit 1 listing each violation.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root/src"

declare -A allowed=(
  [core]="core"
  [json]="core json"
  [catalog]="core json catalog"
  [config]="core json catalog config"
  [planner]="core json catalog config planner"
  [http]="core http"
  [eventstream]="core eventstream"
  [auth]="core http auth"
  [auth/sigv4]="core http auth auth/sigv4"
  [auth/credentials]="core auth/credentials"
  [routing]="core routing"
  [backends]="core backends"
  [backends/simulated]="core json backends backends/simulated"
  [auth/iam]="core json auth auth/iam"
  [storage]="core storage"
  [storage/memory]="core storage storage/memory"
  [storage/sqlite]="core storage storage/sqlite"
  [api]="core json http auth api"
  [api/client]="core json planner http auth auth/sigv4 auth/credentials api/client"
  [api/control]="core json http auth api api/control storage catalog config"
  [api/runtime]="core json catalog http eventstream auth api api/runtime storage backends routing"
  [server]="*"
  [cli]="*"
)

# Longest module prefix of a path ("storage/sqlite/x.h" -> storage/sqlite).
module_of() {
  local p=$1 best=""
  for m in "${!allowed[@]}"; do
    if [[ $p == "$m/"* && ${#m} -gt ${#best} ]]; then best=$m; fi
  done
  echo "$best"
}

status=0
while IFS= read -r file; do
  [[ $file == *_test.cc || $file == *_fuzz.cc || $file == *_test_fixture.h ]] && continue
  from=$(module_of "$file")
  [[ -z $from ]] && { echo "$file: not in a known module (add it to tools/check_includes.sh)"; status=1; continue; }
  [[ ${allowed[$from]} == "*" ]] && continue
  while IFS= read -r inc; do
    to=$(module_of "$inc")
    [[ -z $to ]] && continue  # not a project header
    if [[ " ${allowed[$from]} " != *" $to "* ]]; then
      echo "src/$file: includes \"$inc\" but $from may depend only on: ${allowed[$from]}"
      status=1
    fi
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done < <(find . -name '*.h' -o -name '*.cc' | sed 's|^\./||' | sort)
[[ $status -eq 0 ]] && echo "include directions: OK"
exit $status
