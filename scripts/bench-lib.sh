# Shell helpers shared by scripts/bench-load and scripts/bench-proxy (sourced,
# not run). Each caller defines die() and $T (its temporary directory) first.

# A port nothing listens on now (the bind that follows tells for sure).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    grep -qi ":$(printf '%04X' "$p") 00000000:0000 0A" /proc/net/tcp 2>/dev/null || { echo "$p"; return; }
  done
}

# The PIDs whose parent is $1.
children() {
  local stat f
  for stat in /proc/[0-9]*/stat; do
    read -ra f <"$stat" 2>/dev/null || continue
    [ "${f[3]}" = "$1" ] && echo "${f[0]}"
  done
  return 0
}

# utime + stime, in clock ticks, of the given processes (all their threads).
cpu_ticks() {
  local sum=0 pid f
  for pid in "$@"; do
    read -ra f <"/proc/$pid/stat" || die "server process $pid is gone"
    # Fields after the "(comm)": the command name holds no space here.
    sum=$((sum + f[13] + f[14]))
  done
  echo "$sum"
}
CLK_TCK=$(getconf CLK_TCK)

# Latency as wrk prints it ("165.00us", "2.21ms", "1.05s") in µs.
to_us() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); print v + 0 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); print v * 1000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000000 }
    else print "nan" }'
}

# request_lua METHOD DIR: DIR/{target,headers,body} as wrk's request script
# DIR/req.lua (long brackets: no escaping needed).
request_lua() {
  local method=$1 dir=$2 line name
  {
    echo "wrk.method = \"$method\""
    echo "wrk.path = [==[$(cat "$dir/target")]==]"
    echo "wrk.body = [==[$(cat "$dir/body")]==]"
    while IFS= read -r line; do
      name=${line%%: *}
      [ "$name" = host ] && name=Host  # wrk adds its own Host unless this one is set
      echo "wrk.headers[ [==[$name]==] ] = [==[${line#*: }]==]"
    done <"$dir/headers"
  } >"$dir/req.lua"
}

# wrk_run PORT CONNS SECONDS DIR TAG: one wrk run of DIR/req.lua; sets R_REQS,
# R_SECS, R_P50, R_P99 (µs). Fails on any non-2xx answer or socket error.
wrk_run() {
  local port=$1 conns=$2 secs=$3 dir=$4 tag=$5 threads=${BP_LOAD_CLIENT_THREADS:-1}
  [ "$threads" -gt "$conns" ] && threads=$conns
  local out="$T/$tag.out"
  wrk -t"$threads" -c"$conns" -d"${secs}s" --latency -s "$dir/req.lua" \
    "http://127.0.0.1:$port" >"$out" 2>&1 || die "wrk failed: $(cat "$out")"
  if grep -q -e 'Non-2xx' -e 'Socket errors' "$out"; then
    die "bad answers under wrk ($tag): $(grep -e 'Non-2xx' -e 'Socket errors' "$out")"
  fi
  R_REQS=$(awk '/requests in/ {print $1}' "$out")
  R_SECS=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' "$out")
  R_P50=$(to_us "$(awk '$1 == "50%" {print $2}' "$out")")
  R_P99=$(to_us "$(awk '$1 == "99%" {print $2}' "$out")")
  [ -n "$R_REQS" ] && [ "$R_REQS" -gt 0 ] || die "no requests answered ($tag): $(cat "$out")"
}
