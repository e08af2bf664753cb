#!/usr/bin/env bash
# Installs the build as a user would (`make install` into a DESTDIR, then the
# Debian package into a temporary root) and checks what lands where.
#   check_packaging.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
need() { [ -e "$1" ] || fail "missing after install: ${1#"$work"}"; }

# 1. make install's step: PREFIX=/usr/local into a DESTDIR.
stage="$work/stage"
DESTDIR="$stage" cmake --install "$build" --prefix /usr/local --strip >"$work/install.log" ||
  { cat "$work/install.log"; fail "cmake --install"; }
p="$stage/usr/local"
for f in bin/bedrock-profiles etc/bedrock-profiles/bedrock-profiles.hcl \
  lib/systemd/system/bedrock-profiles.service share/bash-completion/completions/bedrock-profiles \
  share/zsh/vendor-completions/_bedrock-profiles share/doc/bedrock-profiles/deploy.md \
  lib/systemd/system/bedrock-profiles@.service share/doc/bedrock-profiles/examples/postgres.hcl; do
  need "$p/$f"
done
grep -qx 'ExecStart=/usr/local/bin/bedrock-profiles serve --config /usr/local/etc/bedrock-profiles/bedrock-profiles.hcl --state /var/lib/bedrock-profiles --listen ${BP_LISTEN}' \
  "$p/lib/systemd/system/bedrock-profiles.service" || fail "unit ExecStart does not name the installed paths"
grep -qx 'ExecStart=/usr/local/bin/bedrock-profiles serve --config /usr/local/etc/bedrock-profiles/postgres.hcl --state /var/lib/bedrock-profiles/%i --listen ${BP_LISTEN}' \
  "$p/lib/systemd/system/bedrock-profiles@.service" || fail "template unit ExecStart does not name the installed paths"
if grep -n '@[A-Z_]*@' "$p"/lib/systemd/system/*.service; then fail "a unit kept a @VAR@ placeholder"; fi
[ "$(stat -c %a "$p/etc/bedrock-profiles/bedrock-profiles.hcl")" = 640 ] || fail "config mode is not 0640"
"$p/bin/bedrock-profiles" validate --config "$p/etc/bedrock-profiles/bedrock-profiles.hcl" >/dev/null ||
  fail "the installed binary does not validate the installed config"
# A second install keeps an edited config.
echo '# edited by the operator' >>"$p/etc/bedrock-profiles/bedrock-profiles.hcl"
DESTDIR="$stage" cmake --install "$build" --prefix /usr/local >"$work/install2.log"
grep -q 'Keeping: ' "$work/install2.log" || fail "second install did not say it kept the config"
grep -q '# edited by the operator' "$p/etc/bedrock-profiles/bedrock-profiles.hcl" ||
  fail "second install overwrote the edited config"

# 2. The Debian package, extracted into a temporary root.
(cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/pkg/bedrock-profiles_*.deb)
info=$(dpkg-deb --info "$deb")
grep -q '^ Package: bedrock-profiles$' <<<"$info" || fail "package name"
grep -q '^ Version: ' <<<"$info" || fail "package version"
grep -Eq '^ Depends: .*adduser' <<<"$info" || fail "Depends lacks adduser"
grep -Eq '^ Depends: .*libc6' <<<"$info" || fail "Depends lacks libc6 (shlibdeps)"
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = /etc/bedrock-profiles/bedrock-profiles.hcl ] ||
  fail "the config is not a conffile"
mkdir -p "$work/scripts"
dpkg-deb --ctrl-tarfile "$deb" | tar -x -C "$work/scripts"
for s in postinst prerm postrm; do
  [ -x "$work/scripts/$s" ] || fail "maintainer script $s missing or not executable"
  sh -n "$work/scripts/$s" || fail "maintainer script $s does not parse"
done
root="$work/root"
dpkg -x "$deb" "$root"
for f in usr/bin/bedrock-profiles etc/bedrock-profiles/bedrock-profiles.hcl \
  lib/systemd/system/bedrock-profiles.service usr/share/bash-completion/completions/bedrock-profiles \
  usr/share/doc/bedrock-profiles/deploy.md lib/systemd/system/bedrock-profiles@.service \
  usr/share/doc/bedrock-profiles/examples/postgres.hcl usr/share/doc/bedrock-profiles/examples/nginx.conf; do
  need "$root/$f"
done
if dpkg-deb --contents "$deb" | awk '{print $6}' | grep -q '^\./usr/local/'; then
  fail "the package installs under /usr/local"
fi
unit="$root/lib/systemd/system/bedrock-profiles.service"
grep -q '^User=bedrock-profiles$' "$unit" || fail "unit does not run as the service user"
grep -q '^StateDirectory=bedrock-profiles$' "$unit" || fail "unit has no StateDirectory"
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$unit" || fail "unit does not reload with SIGHUP"
grep -q -- '--config /etc/bedrock-profiles/bedrock-profiles.hcl --state /var/lib/bedrock-profiles' "$unit" ||
  fail "unit does not use /etc and /var/lib"
"$root/usr/bin/bedrock-profiles" validate --config "$root/etc/bedrock-profiles/bedrock-profiles.hcl" >/dev/null ||
  fail "the packaged binary does not validate the packaged config"
template="$root/lib/systemd/system/bedrock-profiles@.service"
grep -q -- '--config /etc/bedrock-profiles/postgres.hcl --state /var/lib/bedrock-profiles/%i' "$template" ||
  fail "template unit does not use /etc and /var/lib"
grep -q '^EnvironmentFile=/etc/bedrock-profiles/instance-%i.env$' "$template" ||
  fail "template unit does not read its instance's environment file"
if command -v systemd-analyze >/dev/null; then
  # Verify copies whose commands point into the extracted root (verify checks
  # that they exist); any warning counts as a failure. A template is verified
  # as such (systemd-analyze instantiates it).
  for u in "$unit" "$template"; do
    copy="$work/$(basename "$u")"
    sed "s|/usr/bin/bedrock-profiles|$root/usr/bin/bedrock-profiles|g" "$u" >"$copy"
    out=$(systemd-analyze verify "$copy" 2>&1) || fail "systemd-analyze $(basename "$u"): $out"
    [ -z "$out" ] || fail "systemd-analyze $(basename "$u"): $out"
  done
fi
echo "packaging: OK ($(basename "$deb"))"
