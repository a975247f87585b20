#!/bin/sh
# The OTA example: serve.py serves a new image; a host client fetches it (the
# same bytes, and they verify), and ota.lua, running under lfsimg run in the
# old image with host_stubs.lua (net through a real connection, SPIFFS as a
# folder), downloads and checks it and node.LFS.reload swaps it in; broken
# images and a missing server must leave the old LFS. Only 127.0.0.1 is used.
# usage: ota.sh LFSIMG LUAC_CROSS
set -u
. "$(dirname "$0")/../lib/tally.sh"
LFSIMG=$1 LUAC=$2
EX=$(cd "$(dirname "$0")/../../examples" && pwd)
T=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2> /dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
mkdir "$T/srv" "$T/spiffs"
"$LUAC" -f --timestamp 1700000001 -o "$T/old.img" "$EX"/lfs/*.lua "$EX/ota/ota.lua" > /dev/null &&
"$LUAC" -f --timestamp 1700000002 -o "$T/srv/lfs.img" "$EX"/lfs/*.lua "$EX/ota/ota.lua" \
  "$EX/project/lua/ring.lua" > /dev/null || { echo "cannot build the images"; exit 1; }
# broken ones: a wrong digest, no gzip, an image cut short (digest computed)
cp "$T/srv/lfs.img" "$T/srv/bad.img" && echo "0000000000000000000000000000000000000000000000000000000000000000" > "$T/srv/bad.img.sha256"
printf 'not an image' > "$T/srv/junk.img"
head -c 1000 "$T/srv/lfs.img" > "$T/srv/cut.img"

python3 "$EX/ota/serve.py" --dir "$T/srv" --bind 127.0.0.1 --port 0 > "$T/serve.out" 2> "$T/serve.log" &
PID=$!
i=0
while ! grep -q "^serving" "$T/serve.out" 2> /dev/null; do
  i=$((i + 1)); [ $i -gt 100 ] && { echo "serve.py did not start"; cat "$T/serve.log"; exit 1; }
  sleep 0.1
done
PORT=$(sed -n 's/.*:\([0-9]*\)\/$/\1/p' "$T/serve.out")

# the host side: fetch as any client does
python3 - "$PORT" "$T" <<'PY' && ok || bad "client fetch"
import sys, urllib.request
port, t = sys.argv[1], sys.argv[2]
for name in ("lfs.img", "lfs.img.sha256"):
    with urllib.request.urlopen("http://127.0.0.1:%s/%s" % (port, name), timeout=20) as r:
        open("%s/fetched.%s" % (t, name.split(".")[-1]), "wb").write(r.read())
PY
cmp -s "$T/srv/lfs.img" "$T/fetched.img" && ok || bad "fetched bytes = served image"
"$LFSIMG" verify "$T/fetched.img" > /dev/null && ok || bad "the fetched image verifies"
[ "$(cut -c1-64 "$T/fetched.sha256")" = "$(sha256sum "$T/srv/lfs.img" | cut -c1-64)" ] && ok ||
  bad "served .sha256 = sha256sum"

# the device side, simulated
cd "$T/spiffs" &&
if LUA_PATH="$EX/ota/?.lua;;" "$LFSIMG" run --host-path "$T/old.img" -l host_stubs "$EX/ota/test_ota.lua" \
     127.0.0.1 "$PORT" > "$T/dev.out" 2>&1; then ok; else bad "device side (test_ota.lua)"; fi
cat "$T/dev.out"
cmp -s "$T/spiffs/lfs.img" "$T/srv/lfs.img" && ok || bad "SPIFFS holds the served image"
tally_end 6
