#!/usr/bin/env bats
# gc-attest fetch against a real HTTP server on loopback (tests/http_server.py).

load helpers

setup_file() {
    DATA=$BATS_FILE_TMPDIR/data.ndjson
    grep '"pv-001"' "$FIX/readings.ndjson" >"$DATA"
    start_http_server --lifetime 900 --token s3cr3t-t0ken --data "$DATA" --root "$FIX/import"
    export DATA
}

teardown_file() {
    stop_http_server
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
    BASE=http://127.0.0.1:$PORT
}

@test "fetch writes the served readings in canonical form" {
    run gc-attest fetch -q "$BASE/readings"
    assert_success
    assert_equal "$output" "$(jq -cS . "$DATA")"
}

@test "a cursor advances: the next run asks only for what is newer, and a re-run gets nothing" {
    run gc-attest fetch -q --cursor cur.ndjson "$BASE/readings?limit=2"
    assert_success
    assert_equal "$(jq -r .ts <<<"$output" | tr '\n' ' ')" "2026-11-01T10:00:00Z 2026-11-01T10:05:00Z "
    assert_equal "$(jq -r .since cur.ndjson)" 2026-11-01T10:05:00Z
    # URLs may carry credentials: the cursor file is the owner's alone
    [ "$(stat -c %a cur.ndjson)" = 600 ]
    run gc-attest fetch -q --cursor cur.ndjson "$BASE/readings?limit=2"
    assert_success
    assert_equal "$(jq -r .ts <<<"$output" | tr '\n' ' ')" "2026-11-01T10:10:00Z 2026-11-01T10:55:00Z "
    run gc-attest fetch -q --cursor cur.ndjson -o last.ndjson "$BASE/readings?limit=2"
    assert_success
    run gc-attest fetch -q --cursor cur.ndjson "$BASE/readings?limit=2"
    assert_output ""
    assert_equal "$(jq -r .since cur.ndjson)" 2026-11-01T11:00:00Z
    # a different name for the parameter
    run gc-attest fetch -q --since-param from "$BASE/readings"
    assert_success
}

@test "the cursor moves only when the readings were written" {
    run gc-attest fetch -q --cursor cur.ndjson -o /nonexistent/dir/out.ndjson "$BASE/readings"
    assert_failure 74
    assert_file_not_exists cur.ndjson
}

@test "500 then 200 is retried and succeeds" {
    run gc-attest fetch -q --retries 2 "$BASE/flaky?n=1&key=t1"
    assert_success
    # the server counted two requests: the 500 and the 200
    run python3 -c "import urllib.request as u; print(u.urlopen('$BASE/count?key=t1').read().decode())"
    assert_output 2
}

@test "a source that stays unavailable or too slow exits 75, so cron retries later" {
    run gc-attest fetch -q --retries 0 "$BASE/status?code=503"
    assert_failure 75
    assert_output --partial "unavailable"
    run gc-attest fetch -q --retries 0 --timeout-s 1 "$BASE/slow?ms=3000"
    assert_failure 75
}

@test "permanent failures: 404, an oversized body, a redirect to another scheme" {
    run gc-attest fetch -q "$BASE/status?code=404"
    assert_failure 76
    run gc-attest fetch -q --max-bytes 1000 "$BASE/big?bytes=5000"
    assert_failure 76
    assert_output --partial "too_large"
    run gc-attest fetch -q "$BASE/redirect?to=file:///etc/passwd"
    assert_failure 64
    assert_output --partial "bad_url"
    run gc-attest fetch -q "ftp://127.0.0.1:$PORT/readings"
    assert_failure 64
}

@test "bad JSON in the response is rejected line by line, with the URL as source" {
    run gc-attest fetch --rejects rej.ndjson "$BASE/big?bytes=20"
    assert_failure 65
    assert_equal "$(jq -r .reason rej.ndjson)" bad_json
    assert_equal "$(jq -r .source rej.ndjson)" "$BASE/big"
}

@test "a bearer token comes from a private file and never shows in messages" {
    printf 's3cr3t-t0ken\n' >tok
    chmod 600 tok
    run gc-attest fetch -q --token-file tok "$BASE/auth"
    assert_success
    printf 'wrong-token\n' >bad
    chmod 600 bad
    run gc-attest fetch -q --token-file bad "$BASE/auth"
    assert_failure 76
    refute_output --partial "wrong-token"
    chmod 644 tok
    run gc-attest fetch -q --token-file tok "$BASE/auth"
    assert_failure 77
    refute_output --partial "s3cr3t"
}

@test "fetch --format imports what the source serves, as import would" {
    run gc-attest fetch -q --format nvidia-smi --device node7 --period-s 60 \
        "$BASE/file?name=nvidia-smi-nounits.csv"
    assert_success
    assert_equal "$output" "$(cat "$FIX/import/nvidia-smi-nounits.golden.ndjson")"
}

@test "a JSON array of readings is read element by element" {
    run gc-attest fetch -q "$BASE/file?name=readings-array.json"
    assert_success
    assert_equal "$output" "$(jq -cS . "$DATA")"
    run gc-attest fetch -q "$BASE/file?name=no-such.json"
    assert_failure 76
}
