#!/usr/bin/env bash
# Enforces the one-way module dependencies of docs/architecture.md by reading
# the project #include lines of every non-test source under src/, followed
# through the project headers they pull in: a module may not reach a header
# of a module it may not depend on, directly or through another header (so
# auth/iam, allowed only core json auth, cannot get HTTP types by way of an
# auth header).
# Implementation subfolders (storage/memory, storage/sqlite, storage/postgres) may be included
# only by server/, cli/ and tests. Exit 1 listing each violation.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root/src"
declare -A allowed=(
  [core]="core"
  [json]="core json"
  [guardrails]="core guardrails"
  [catalog]="core json catalog"
  [config]="core json catalog config guardrails"
  [planner]="core json catalog config planner"
  [http]="core http"
  [eventstream]="core eventstream"
  [auth]="core http auth"
  [auth/sigv4]="core http auth auth/sigv4"
  [auth/credentials]="core json http auth/credentials"
  [routing]="core routing"
  [backends]="core backends"
  [backends/simulated]="core json backends backends/simulated"
  [backends/openai]="core json backends backends/openai"
  [backends/bedrock]="core json eventstream backends backends/bedrock"
  [backends/upstream]="core json http eventstream auth auth/sigv4 auth/credentials backends backends/openai backends/bedrock backends/upstream"
  [auth/iam]="core json auth auth/iam"
  [storage]="core storage"
  [storage/memory]="core storage storage/memory"
  [metering]="core json metering"
  [storage/sqlite]="core json storage storage/sqlite metering"
  [storage/postgres]="core json storage storage/postgres metering"
  [api]="core json http auth metering api"
  [api/client]="core json catalog planner http auth auth/sigv4 auth/credentials api/client"
  [api/control]="core json http auth api api/control storage catalog config"
  [api/runtime]="core json catalog http eventstream auth api api/runtime storage backends routing guardrails metering"
  [api/dashboard]="core json http auth auth/sigv4 auth/iam api api/dashboard storage routing metering"
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

# The project headers a file includes directly (those that exist under src/).
direct_includes() {
  local inc
  while IFS= read -r inc; do
    [[ -f $inc ]] && echo "$inc"
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$1")
}

# reach[h]: every project header `h` pulls in, itself included, one per line.
declare -A reach=()
closure() {
  local h=$1 out="$1" inc
  [[ -n ${reach[$h]+x} ]] && return
  reach[$h]=$h  # guards against include cycles while this one is computed
  while IFS= read -r inc; do
    closure "$inc"
    out+=$'\n'"${reach[$inc]}"
  done < <(direct_includes "$h")
  reach[$h]=$(sort -u <<<"$out")
}

status=0
while IFS= read -r file; do
  [[ $file == *_test.cc || $file == *_fuzz.cc || $file == *_test_fixture.h ]] && continue
  from=$(module_of "$file")
  [[ -z $from ]] && { echo "$file: not in a known module (add it to tools/check_includes.sh)"; status=1; continue; }
  [[ ${allowed[$from]} == "*" ]] && continue
  while IFS= read -r inc; do
    closure "$inc"
    while IFS= read -r reached; do
      to=$(module_of "$reached")
      [[ -z $to ]] && continue
      if [[ " ${allowed[$from]} " != *" $to "* ]]; then
        via=""
        [[ $reached != "$inc" ]] && via=" (through \"$inc\")"
        echo "src/$file: reaches \"$reached\"$via but $from may depend only on: ${allowed[$from]}"
        status=1
      fi
    done <<<"${reach[$inc]}"
  done < <(direct_includes "$file")
done < <(find . -name '*.h' -o -name '*.cc' | sed 's|^\./||' | sort)
[[ $status -eq 0 ]] && echo "include directions: OK"
exit $status
