#!/usr/bin/env bash
# Runs a libFuzzer binary briefly over its checked-in corpus (read-only: new
# inputs go to a temporary directory). Usage: run_fuzzer.sh BIN CORPUS SECONDS
set -euo pipefail
bin=$1; corpus=$2; secs=${BP_FUZZ_SECONDS:-$3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exec "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work" "$corpus"
