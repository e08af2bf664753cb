#!/usr/bin/env bash
# The repository stands alone: nothing in it reads or links the steering
# folder beside the checkout, and the data-driven suites pass from a copy of
# the tracked files with nothing beside it.
#   check_standalone.sh SOURCE_DIR TEST_BINARY...
set -euo pipefail
root=$1
shift
cd "$root"

# 1. No tracked file refers to a folder outside the repository.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files --cached --others --exclude-standard | while IFS= read -r f; do [ -f "$f" ] && printf "%s\n" "$f"; done)
else
  files=$(find . -type f -not -path './build*' -not -path '*/node_modules/*' | sed 's|^\./||')
fi
hits=$(printf '%s\n' "$files" | grep -v '^tools/check_standalone.sh$' |
  { xargs -d '\n' grep -lE '\.\./shared|/work/shared|BP_SHARED_DIR' 2>/dev/null || true; })
if [ -n "$hits" ]; then
  echo "these files refer to a folder outside the repository:"
  printf '  %s\n' $hits
  exit 1
fi

# 2. The suites that read golden data pass from a lone copy of the tree.
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
mkdir -p "$copy/repo"
printf '%s\n' "$files" | tar -cf - -T - | tar -xf - -C "$copy/repo"
status=0
for bin in "$@"; do
  if ! BP_SOURCE_DIR="$copy/repo" "$bin" --gtest_brief=1 >"$copy/out.txt" 2>&1; then
    echo "FAILED from a lone copy of the tree: $bin"
    tail -n 30 "$copy/out.txt"
    status=1
  fi
done
[ $status -eq 0 ] && echo "standalone: OK ($# suites from $copy/repo)"
exit $status
