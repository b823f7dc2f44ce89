# Shared by every tests/*.bats file: libraries, paths, fixtures.
# shellcheck shell=bash

bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${GC_BIN:=$TOP/build/bin}"
FIX=$TOP/tests/fixtures
PATH=$GC_BIN:$PATH
export GC_BIN TOP FIX PATH

# A time after every fixture reading, so `future` never fires by accident.
NOW=2026-11-02T00:00:00Z

# Fresh copies of the fixture keys with the modes a key must have (git keeps no modes).
setup_keys() {
    KEYS=$BATS_TEST_TMPDIR/keys
    copy_keys "$FIX/keys" "$KEYS"
}

# copy_keys FROM TO: the *.key files of FROM into TO, with a key's modes (TO 0700, keys 0600).
copy_keys() {
    mkdir -p "$2"
    chmod 700 "$2"
    cp "$1"/*.key "$2"/
    chmod 600 "$2"/*.key
}

# world_keys DIR: a key per device of the sample world in DIR (made 0700); prints the registry.
world_keys() {
    local dir=$1
    mkdir -p "$dir" && chmod 700 "$dir"
    grep -v '^#' "$TOP/examples/world/devices.tsv" |
        while IFS='	' read -r id class rated_w zone gpus eff geohash; do
            set -- --device "$id" --class "$class" --rated-w "$rated_w" --zone "$zone" \
                --geohash "$geohash" -k "$dir/$id.key"
            [ "$gpus" = 0 ] || set -- "$@" --gpus "$gpus"
            [ "$eff" = 0 ] || set -- "$@" --efficiency-bps "$eff"
            gc-attest keygen "$@"
        done
}

# sign FILE... : the fixture keys sign FILE into stdout with a fresh state file.
sign() {
    gc-attest sign -q --keydir "$KEYS" --state "$BATS_TEST_TMPDIR/sign-heads.ndjson" "$@"
}

# verify ARGS... : gc-verify against the fixture registry at $NOW.
verify() {
    gc-verify -q --registry "$FIX/registry.ndjson" --now "$NOW" "$@"
}

# reasons FILE: the reason codes of a rejects file, one per line, in order.
reasons() {
    jq -r .reason "$1"
}

# The summary line "PROG: N in, M out, K rejected" must balance: in = out + rejected.
assert_balanced() {
    local line in out rej
    line=$(grep -E ': [0-9]+ in, [0-9]+ out, [0-9]+ rejected$' <<<"$1" | tail -n 1)
    [ -n "$line" ] || fail "no summary line in: $1"
    read -r in out rej < <(sed -E 's/.*: ([0-9]+) in, ([0-9]+) out, ([0-9]+) rejected$/\1 \2 \3/' <<<"$line")
    [ "$in" -eq $((out + rej)) ] || fail "unbalanced summary: $line"
}

# start_http_server ARGS...: tests/http_server.py on a free loopback port, for the whole file
# (call from setup_file; stop_http_server in teardown_file). Sets and exports PORT.
start_http_server() {
    python3 "$TOP/tests/http_server.py" "$@" >"$BATS_FILE_TMPDIR/http.port" &
    echo $! >"$BATS_FILE_TMPDIR/http.pid"
    for _ in $(seq 50); do
        [ -s "$BATS_FILE_TMPDIR/http.port" ] && break
        sleep 0.1
    done
    PORT=$(head -n 1 "$BATS_FILE_TMPDIR/http.port")
    export PORT
}

stop_http_server() {
    kill "$(cat "$BATS_FILE_TMPDIR/http.pid")" 2>/dev/null || true
}
