#!/usr/bin/env bash
# Fails listing every C++ source that clang-format (pinned: 14, see
# .clang-format) would change. Fix with: clang-format -i FILE...
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
command -v clang-format >/dev/null || { echo "clang-format not installed (scripts/setup)"; exit 1; }
bad=()
while IFS= read -r f; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(find src tests apps bench -name '*.h' -o -name '*.cc' 2>/dev/null | grep -v node_modules | sort)
if [ ${#bad[@]} -gt 0 ]; then
  printf 'not clang-formatted: %s\n' "${bad[@]}"
  exit 1
fi
echo "format: OK"
