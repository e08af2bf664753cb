#!/usr/bin/env bash
# Keeps docs/deploy.md's "Several instances on one PostgreSQL" honest:
#   1. every block the doc marks `<!-- file: PATH -->` is that file byte for
#      byte (a unit as the Debian package installs it), and every file in
#      config/examples/ is shown;
#   2. the example config validates with the example environment, and fails
#      without the database variable it names (so it really is on postgres);
#   3. systemd-analyze verify accepts the template unit (skipped without it);
#   4. nginx -t / haproxy -c accept the proxy examples, and calls signed for
#      the proxy's address reach two real instances through each proxy
#      (/readyz, Converse, ConverseStream; /metrics refused); with the Host
#      header rewritten, nginx's calls fail their signature. A proxy that is
#      not installed is skipped.
#   check_deploy_examples.sh SOURCE_DIR BINARY
set -euo pipefail
src=$(cd "$1" && pwd)
bin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}
skipped=()
doc="$src/docs/deploy.md"

# The Debian package's paths for a unit's @VAR@ placeholders.
debian_unit() {
  sed -e 's|@BP_BIN_DIR@|/usr/bin|g' -e 's|@BP_CONFIG_DIR@|/etc/bedrock-profiles|g' \
    -e 's|@BP_DOC_DIR@|/usr/share/doc/bedrock-profiles|g' "$1"
}

# 1. The doc's copies.
mkdir -p "$work/doc"
awk -v out="$work/doc" '
  match($0, /^<!-- file: [^ ]+ -->$/) { path = substr($0, 12, length($0) - 15); want = 1; next }
  want && /^```/ { want = 0; inside = 1; n++; name = path; gsub("/", "__", name); file = out "/" name; printf "" > file; next }
  inside && /^```$/ { inside = 0; close(file); next }
  inside { print > file }
' "$doc"
shown=0
for copy in "$work"/doc/*; do
  [ -e "$copy" ] || break
  path=$(basename "$copy" | sed 's|__|/|g')
  [ -f "$src/$path" ] || fail "docs/deploy.md shows $path, which does not exist"
  case $path in
    *.service) debian_unit "$src/$path" >"$work/expected" ;;
    *) cp "$src/$path" "$work/expected" ;;
  esac
  diff -u "$work/expected" "$copy" >"$work/diff" ||
    { cat "$work/diff"; fail "docs/deploy.md's copy of $path differs from the file (above: - file, + doc)"; }
  shown=$((shown + 1))
done
for f in "$src"/config/examples/* "$src/packaging/bedrock-profiles@.service"; do
  rel=${f#"$src/"}
  grep -qx "<!-- file: $rel -->" "$doc" || fail "docs/deploy.md does not show $rel"
done

# 2. The example config with the example environment.
example="$src/config/examples/postgres.hcl"
env_file="$src/config/examples/postgres.env"
url=$(sed -n 's/^BP_DATABASE_URL=//p' "$env_file")
[ -n "$url" ] || fail "postgres.env sets no BP_DATABASE_URL"
case $url in postgresql://*:*@* | *password=*) fail "postgres.env's URL holds a password: $url" ;; esac
# As systemd reads it: VAR=value lines, comments skipped.
mapfile -t vars < <(grep -v -e '^#' -e '^$' "$env_file")
if ! out=$(env "${vars[@]}" "$bin" validate --config "$example" 2>&1); then
  echo "$out"
  fail "the example config does not validate with postgres.env"
fi
mapfile -t without_url < <(printf '%s\n' "${vars[@]}" | grep -v '^BP_DATABASE_URL=')
if out=$(env -u BP_DATABASE_URL "${without_url[@]}" "$bin" validate --config "$example" 2>&1); then
  fail "the example config validates without BP_DATABASE_URL: is its storage on postgres?"
fi
grep -q 'BP_DATABASE_URL' <<<"$out" || { echo "$out"; fail "validate without BP_DATABASE_URL does not name it"; }

# 3. The template unit, with its commands pointing at this build.
if command -v systemd-analyze >/dev/null; then
  sed -e "s|@BP_BIN_DIR@|$(dirname "$bin")|g" -e "s|@BP_CONFIG_DIR@|$src/config/examples|g" \
    -e "s|@BP_DOC_DIR@|$src/docs|g" "$src/packaging/bedrock-profiles@.service" >"$work/bedrock-profiles@.service"
  out=$(systemd-analyze verify "$work/bedrock-profiles@.service" 2>&1) || fail "systemd-analyze: $out"
  [ -z "$out" ] || fail "systemd-analyze: $out"
else
  skipped+=("systemd-analyze")
fi

# 4. The proxies in front of two instances (SQLite each: the proxy is what is
# tested; the shipped config pins the profile ids, so both serve the same ARNs).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    grep -qi ":$(printf '%04X' "$p") 00000000:0000 0A" /proc/net/tcp 2>/dev/null || { echo "$p"; return; }
  done
}
shipped="$src/config/bedrock-profiles.hcl"
ports=()
start_instances() {
  local i
  for i in 1 2; do
    "$bin" serve --config "$shipped" --state "$work/state$i" --listen 127.0.0.1:0 --log-format json \
      >"$work/serve$i.out" 2>"$work/serve$i.err" &
    pids+=($!)
  done
  for i in 1 2; do
    for _ in $(seq 100); do
      port=$(sed -n 's|^bedrock-profiles listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$work/serve$i.out")
      [ -n "$port" ] && break
      sleep 0.1
    done
    [ -n "$port" ] || { cat "$work/serve$i.err"; fail "instance $i did not start"; }
    ports+=("$port")
  done
}
# Waits until GET /readyz through the proxy answers 200.
wait_ready() {
  for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}
# Requests whose signature instance $1 accepted (its access log names the
# principal; invoke's GetInferenceProfile, denied by policy, counts too).
calls_of() { grep -c '"principal":"rd-e2e"' "$work/serve$1.err" || true; }
# Signed calls for the proxy's address, through it; both instances take some.
check_through() {
  local name=$1 port=$2 i before1 before2
  wait_ready "$port" || fail "$name: /readyz through the proxy never answered 200"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics")" = 404 ] ||
    fail "$name: GET /metrics through the proxy is not refused"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ports[0]}/metrics")" = 200 ] ||
    fail "$name: GET /metrics on the instance itself should answer (loopback), else the 404 proves nothing"
  before1=$(calls_of 1)
  before2=$(calls_of 2)
  for i in 1 2 3 4; do
    for stream in "" --stream; do
      out=$("$bin" invoke rd-haiku-45 "Say hello" $stream --max-tokens 16 --endpoint "http://127.0.0.1:$port" \
        --config "$shipped" --principal rd-e2e 2>&1) || { echo "$out"; fail "$name: invoke $stream through the proxy"; }
      [ -n "$out" ] || fail "$name: invoke $stream printed nothing"
    done
  done
  [ "$(calls_of 1)" -gt "$before1" ] && [ "$(calls_of 2)" -gt "$before2" ] ||
    fail "$name: the signed calls did not reach both instances"
}
proxied_config() {
  sed -e "s|127\.0\.0\.1:8701|127.0.0.1:${ports[0]}|" -e "s|127\.0\.0\.1:8702|127.0.0.1:${ports[1]}|" \
    -e '/127\.0\.0\.1:8703/d' -e "s|^\( *\)listen 8700;|\1listen 127.0.0.1:$2;|" \
    -e "s|^\( *\)bind :8700$|\1bind 127.0.0.1:$2|" "$1"
}

nginx=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
haproxy=$(command -v haproxy || { [ -x /usr/sbin/haproxy ] && echo /usr/sbin/haproxy; } || true)
if [ -n "$nginx$haproxy" ]; then start_instances; fi

# nginx with the example as its http {} snippet; $3: a sed on the snippet.
start_nginx() {
  local dir="$work/nginx-$1" port=$2 user=""
  mkdir -p "$dir/tmp"
  proxied_config "$src/config/examples/nginx.conf" "$port" | sed -e "${3:-}" >"$dir/snippet.conf"
  grep -q "listen 127.0.0.1:$port;" "$dir/snippet.conf" && grep -q "127.0.0.1:${ports[1]} " "$dir/snippet.conf" ||
    fail "nginx.conf's listen or server lines are not where this test expects them"
  [ "$(id -u)" -eq 0 ] && user="user root;"
  cat >"$dir/nginx.conf" <<NGINX
$user
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {}
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  include $dir/snippet.conf;
}
NGINX
  "$nginx" -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" || fail "nginx -t refuses nginx.conf"
  "$nginx" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g 'daemon off;' 2>>"$dir/start.log" &
  pids+=($!)
}
# Starts nginx ($1, $2 as start_nginx's) on a free port until its /readyz
# answers: another test running beside this one may take the port between
# free_port and nginx's bind. Sets $port.
start_nginx_ready() {
  local attempt
  for attempt in 1 2 3; do
    port=$(free_port)
    start_nginx "$1" "$port" "${2:-}"
    wait_ready "$port" && return 0
    kill "${pids[-1]}" 2>/dev/null || true
    wait "${pids[-1]}" 2>/dev/null || true
    echo "nginx ($1) on port $port: not ready (attempt $attempt):" >&2
    tail -5 "$work/nginx-$1/error.log" "$work/nginx-$1/start.log" >&2 2>/dev/null || true
    rm -f "$work/nginx-$1/nginx.pid"
  done
  return 1
}
if [ -n "$nginx" ]; then
  start_nginx_ready good || fail "nginx did not start"
  check_through nginx "$port"
  # The reason for `proxy_set_header Host $http_host`: with nginx's default
  # (the upstream's name) the signature no longer matches.
  start_nginx_ready rewritten 's|proxy_set_header Host \$http_host;|proxy_set_header Host $proxy_host;|' ||
    fail "nginx (Host rewritten) did not start"
  if out=$("$bin" invoke rd-haiku-45 "Say hello" --max-tokens 16 --endpoint "http://127.0.0.1:$port" \
    --config "$shipped" --principal rd-e2e 2>&1); then
    fail "a call through nginx with the Host header rewritten succeeded: the doc's reason is wrong"
  fi
  grep -qi 'signature' <<<"$out" || { echo "$out"; fail "with Host rewritten the call failed, but not on its signature"; }
else
  skipped+=("nginx")
fi

if [ -n "$haproxy" ]; then
  port=$(free_port)
  dir="$work/haproxy"
  mkdir -p "$dir"
  printf 'global\n    log stderr format raw local0\n' >"$dir/global.cfg"
  proxied_config "$src/config/examples/haproxy.cfg" "$port" >"$dir/haproxy.cfg"
  grep -q "bind 127.0.0.1:$port$" "$dir/haproxy.cfg" || fail "haproxy.cfg's bind line is not where this test expects it"
  out=$("$haproxy" -c -f "$dir/global.cfg" -f "$dir/haproxy.cfg" 2>&1) || { echo "$out"; fail "haproxy -c refuses haproxy.cfg"; }
  grep -qi 'warning' <<<"$out" && { echo "$out"; fail "haproxy -c warns about haproxy.cfg"; }
  "$haproxy" -db -f "$dir/global.cfg" -f "$dir/haproxy.cfg" >"$dir/out.log" 2>&1 &
  pids+=($!)
  check_through haproxy "$port"
else
  skipped+=("haproxy")
fi

note=""
[ ${#skipped[@]} -eq 0 ] || note="; skipped, not installed: ${skipped[*]}"
echo "deploy examples: OK ($shown file(s) shown in docs/deploy.md$note)"
