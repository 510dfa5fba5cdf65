#!/usr/bin/env bash
# Builds the Debian package and checks it as a hall's IT staff would use it, on this machine (as root):
# its contents and dependencies, the desktop entry, the AppStream metainfo, both systemd units; then
# install → set up the hall → the server unit's ExecStart as the jiancha user → /api/v1/health → SIGTERM
# → upgrade in place to a newer package (the data stays) → remove (the data stays) → purge (says what it
# leaves). Fails loudly when something is missing rather than skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "deb-test: needs root (dpkg -i, the jiancha user)" >&2; exit 1; }

say() { printf '\n== %s\n' "$*"; }
fail() { echo "deb-test: FAILED: $*" >&2; exit 1; }

if dpkg-query -W -f='${Status}' jiancha 2>/dev/null | grep -q "install ok"; then
  fail "a jiancha package is already installed here; remove it first (apt-get purge jiancha)"
fi

say "build"
started=$(date +%s)
# Arguments go to cargo deb: packaging/test.sh passes --no-build to package the binary its tests ran.
packaging/deb.sh "$@"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
arch=$(dpkg --print-architecture)
deb="target/debian/jiancha_${version}-1_${arch}.deb"
[ -f "$deb" ] || fail "$deb was not built"
echo "built $deb in $(( $(date +%s) - started )) s: $(du -k "$deb" | cut -f1) KiB"

say "contents"
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/jiancha ./usr/share/applications/cn.jiancha.Jiancha.desktop \
    ./usr/share/metainfo/cn.jiancha.Jiancha.metainfo.xml \
    ./usr/share/icons/hicolor/scalable/apps/cn.jiancha.Jiancha.svg \
    ./usr/share/icons/hicolor/16x16/apps/cn.jiancha.Jiancha.png \
    ./usr/share/icons/hicolor/512x512/apps/cn.jiancha.Jiancha.png \
    ./etc/jiancha/rules.toml ./etc/jiancha/server.toml ./etc/jiancha/workstation.toml \
    ./usr/share/doc/jiancha/README.md ./usr/share/doc/jiancha/copyright ./usr/share/doc/jiancha/holiday-cn.LICENSE \
    ./usr/share/jiancha/screenshots/wall.png ./usr/share/jiancha/screenshots/alerts.png; do
  grep -q " ${path}\$" <<<"$contents" || fail "$deb lacks $path"
done
grep -Eq '/(usr/)?lib/systemd/system/jiancha-server.service$' <<<"$contents" || fail "no jiancha-server.service"
grep -Eq '/(usr/)?lib/systemd/system/jiancha-recorder.service$' <<<"$contents" || fail "no jiancha-recorder.service"
echo "$(wc -l <<<"$contents") entries, all expected paths present"
control=$(dpkg-deb -f "$deb")
echo "$control" | grep -E '^(Package|Version|Installed-Size|Depends|Recommends):'
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libc6 libgstreamer1.0-0 libgstreamer-plugins-base1.0-0 libgstrtspserver-1.0-0 fonts-noto-cjk \
    gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav adduser; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
conffiles=$(dpkg-deb -I "$deb" conffiles)
for f in /etc/jiancha/rules.toml /etc/jiancha/server.toml /etc/jiancha/workstation.toml; do
  grep -qx "$f" <<<"$conffiles" || fail "$f is not a conffile"
done

say "desktop entry, metainfo"
x=$(mktemp -d)
server_pid=
# Whatever happens, this machine is left as it was: no server, no package, no jiancha user or data.
cleanup() {
  [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null || true
  if dpkg-query -W -f='${Status}' jiancha 2>/dev/null | grep -q "installed\|config-files"; then
    apt-get purge -y jiancha >/dev/null 2>&1 || dpkg --purge jiancha >/dev/null 2>&1 || true
  fi
  rm -rf /var/lib/jiancha "$x"
  deluser --system jiancha >/dev/null 2>&1 || true
}
trap cleanup EXIT
dpkg-deb -x "$deb" "$x"
desktop-file-validate "$x/usr/share/applications/cn.jiancha.Jiancha.desktop"
appstreamcli validate --no-net "$x/usr/share/metainfo/cn.jiancha.Jiancha.metainfo.xml"

say "install"
dpkg -i "$deb" || apt-get -f install -y
dpkg-query -W -f='${Status} ${Version}\n' jiancha | grep -q "install ok installed" || fail "not installed"
getent passwd jiancha >/dev/null || fail "no jiancha user"
[ "$(stat -c %U:%a /var/lib/jiancha)" = "jiancha:700" ] || fail "/var/lib/jiancha is $(stat -c %U:%a /var/lib/jiancha)"
jiancha --version | tee "$x/version.txt" | grep -Eq "^jiancha ${version} \(commit [0-9a-f]{12}\)$" \
  || fail "jiancha --version does not name the version and the commit: $(cat "$x/version.txt")"
cat "$x/version.txt"
unit_dir=$(dirname "$(dpkg -L jiancha | grep -E 'systemd/system/jiancha-server.service$')")
systemd-analyze verify "$unit_dir/jiancha-server.service" "$unit_dir/jiancha-recorder.service"
for key in ProtectSystem=strict ReadWritePaths=/var/lib/jiancha NoNewPrivileges=yes PrivateTmp=yes ProtectHome=yes \
    CapabilityBoundingSet= RestrictAddressFamilies= User=jiancha; do
  for unit in jiancha-server jiancha-recorder; do
    grep -q "^${key}" "$unit_dir/$unit.service" || fail "$unit.service lacks $key"
  done
done

say "set up the hall and start the server unit's ExecStart as jiancha"
runuser -u jiancha -- env JIANCHA_ADMIN_PASSWORD=deb-test-admin-2026 \
  jiancha --data-dir /var/lib/jiancha init --admin hall.admin --name 包测试管理员
exec_start=$(sed -n 's/^ExecStart=//p' "$unit_dir/jiancha-server.service")
echo "ExecStart: $exec_start"
start_server() {
  # setpriv execs the command itself (runuser would stay in between and kill it on SIGTERM), as the unit's
  # User=/Group= do; the unit's command line split as systemd splits it.
  # shellcheck disable=SC2086
  setpriv --reuid=jiancha --regid=jiancha --init-groups --no-new-privs -- $exec_start >"$x/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    if curl -fsS http://127.0.0.1:8730/api/v1/health -o "$x/health.json" 2>/dev/null; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || { cat "$x/server.log" >&2; fail "the server exited"; }
    sleep 0.2
  done
  cat "$x/server.log" >&2
  fail "the server did not answer /api/v1/health"
}
stop_server() {
  local t0; t0=$(date +%s%N)
  kill -TERM "$server_pid"
  local code=0; wait "$server_pid" || code=$?
  server_pid=
  [ "$code" = 0 ] || { cat "$x/server.log" >&2; fail "the server exited with $code on SIGTERM"; }
  echo "stopped on SIGTERM in $(( ($(date +%s%N) - t0) / 1000000 )) ms, exit 0"
}
check_health() {
  # Anonymous: only ok or failing. Logged in: the version, the commit and the schema.
  python3 -c 'import json,sys; h=json.load(open(sys.argv[1])); assert h == {"status": "ok"}, h' "$x/health.json" \
    || fail "an anonymous /api/v1/health says more than ok: $(cat "$x/health.json")"
  local token
  token=$(curl -fsS -H 'content-type: application/json' \
      -d '{"username":"hall.admin","password":"deb-test-admin-2026"}' http://127.0.0.1:8730/api/v1/login \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])') || fail "cannot log in to the server"
  curl -fsS -H "authorization: Bearer $token" http://127.0.0.1:8730/api/v1/health -o "$x/health.json" \
    || fail "the logged-in /api/v1/health failed"
  python3 - "$x/health.json" "$version" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
print("health:", json.dumps(h, ensure_ascii=False))
assert h["status"] == "ok" and h["database"] is True, h
assert h["version"] == sys.argv[2], h
assert isinstance(h["schema_version"], int) and h["schema_version"] >= 13, h
assert len(h["commit"]) == 12, h
PY
}
start_server
check_health
owner=$(stat -c %U /var/lib/jiancha/jiancha.db)
[ "$owner" = jiancha ] || fail "the database belongs to $owner"
stop_server

say "upgrade in place to a newer package"
packaging/deb.sh --no-build --deb-version "${version}-2" >/dev/null
newer="target/debian/jiancha_${version}-2_${arch}.deb"
dpkg -i "$newer"
dpkg-query -W -f='${Version}\n' jiancha | grep -qx "${version}-2" || fail "the newer package is not installed"
start_server
check_health
stop_server
runuser -u jiancha -- env JIANCHA_PASSWORD=deb-test-admin-2026 \
  jiancha --data-dir /var/lib/jiancha --user hall.admin users list | grep -q hall.admin \
  || fail "the hall's administrator is gone after the upgrade"

say "remove: the data stays"
apt-get remove -y jiancha >/dev/null
[ -f /var/lib/jiancha/jiancha.db ] || fail "remove deleted the database"
[ -f /etc/jiancha/server.toml ] || fail "remove deleted the settings (only purge does)"
echo "removed; /var/lib/jiancha/jiancha.db and /etc/jiancha kept"

say "purge: says what it leaves"
apt-get purge -y jiancha 2>&1 | tee "$x/purge.log"
grep -q "Left in place: /var/lib/jiancha" "$x/purge.log" || fail "purge did not say what it leaves"
[ ! -e /etc/jiancha/server.toml ] || fail "purge left /etc/jiancha/server.toml"
[ -f /var/lib/jiancha/jiancha.db ] || fail "purge deleted the hall's database"
echo "left after purge: $(find /var/lib/jiancha -maxdepth 1 | tr '\n' ' ')"

server_pid=
echo "deb-test: all checks passed"
