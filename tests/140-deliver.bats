#!/usr/bin/env bats
# gc-settle deliver: ledger records POSTed to a real HTTP server on loopback
# (tests/http_server.py) that fails at random, before and after taking a record.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
    start_http_server --lifetime 900
    # A ledger to deliver: the settlement of the fixture package's first two days.
    W=$BATS_FILE_TMPDIR
    PKG=$FIX/issue/package.golden.ndjson
    for p in 2026-11-02T00:00:00Z/2026-11-03T00:00:00Z 2026-11-03T00:00:00Z/2026-11-04T00:00:00Z; do
        gc-settle period -q --ledger "$W/ledger.ndjson" --package "$PKG" --positions "$PKG" \
            --period "$p" "$FIX/settle/income.ndjson" >/dev/null
    done
    export W PKG
}

teardown_file() {
    stop_http_server
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
    BASE=http://127.0.0.1:$PORT
    cp "$W/ledger.ndjson" "$W/ledger.ndjson.head" .
}

# keyed FILE: each line of FILE as the server should hold it, "SHA256(line) line".
keyed() {
    local line
    while IFS= read -r line; do
        printf '%s %s\n' "$(printf %s "$line" | sha256sum | cut -c1-64)" "$line"
    done <"$1"
}

@test "deliver: every record arrives, once, under its record hash, though the server fails at random" {
    run -0 gc-settle deliver --ledger ledger.ndjson --retries 30 --backoff-ms 1 "$BASE/ingest?fail=40&seed=7"
    assert_output --partial "12 record(s) delivered to '$BASE/ingest'; the cursor is at seq 12 of 12"
    curl -s "$BASE/received" >received.txt
    keyed ledger.ndjson | cmp - received.txt
    # The failures happened: more POSTs than records, some after the server had taken one.
    [ "$(curl -s "$BASE/count?key=/ingest")" -gt 12 ]
    [ "$(jq -r .seq ledger.ndjson.cursor)" = 12 ]
    [ "$(stat -c %a ledger.ndjson.cursor)" = 600 ]
    # Nothing new: nothing sent.
    before=$(curl -s "$BASE/count?key=/ingest")
    run -0 gc-settle deliver --ledger ledger.ndjson "$BASE/ingest"
    assert_output --partial "0 record(s) delivered"
    [ "$(curl -s "$BASE/count?key=/ingest")" = "$before" ]
}

@test "deliver: a server that stays down stops delivery at the record, exit 75; the next run goes on" {
    run -75 gc-settle deliver --ledger ledger.ndjson --cursor c.ndjson --retries 1 --backoff-ms 1 \
        "$BASE/ingest?key=down&fail=100"
    assert_output --partial "record seq 1 not delivered: unavailable"
    [ ! -e c.ndjson ]
    # A permanent refusal is exit 76 and leaves the cursor where it was.
    run -76 gc-settle deliver --ledger ledger.ndjson --cursor c.ndjson "$BASE/status?code=403"
    assert_output --partial "http_error"
}

@test "deliver: the cursor must match the ledger and its endpoint" {
    gc-settle deliver -q --ledger ledger.ndjson --cursor c.ndjson --backoff-ms 1 "$BASE/ingest?key=cur"
    run -65 gc-settle deliver --ledger ledger.ndjson --cursor c.ndjson "http://127.0.0.1:1/other"
    assert_output --partial "the cursor is for '$BASE/ingest'"
    jq -c '.seq = 99' c.ndjson >c2.ndjson
    run -65 gc-settle deliver --ledger ledger.ndjson --cursor c2.ndjson "$BASE/ingest"
    assert_output --partial "past the ledger's 12"
    jq -c '.seq = 3' c.ndjson >c3.ndjson
    run -65 gc-settle deliver --ledger ledger.ndjson --cursor c3.ndjson "$BASE/ingest"
    assert_output --partial "the cursor's record seq 3 is not the ledger's"
    run -64 gc-settle deliver --ledger ledger.ndjson -o out.ndjson "$BASE/ingest"
    assert_output --partial "no -o or --rejects"
    run -64 gc-settle deliver --ledger ledger.ndjson
    assert_output --partial "deliver needs one URL"
}
