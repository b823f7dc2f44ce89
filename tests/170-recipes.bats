#!/usr/bin/env bats
# shellcheck disable=SC2016 # jq programs name their own $variables inside single quotes
# The README's recipes, run as written: the operator's cron job against a gateway on loopback
# (tests/http_server.py serving the sample world's readings), and the analyst's scenario sweep.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
    start_http_server --lifetime 900 --data "$TOP/examples/world/readings.ndjson"
    # The operator's directory: a key per device of the sample world and the registry.
    OP=$BATS_FILE_TMPDIR/operator
    mkdir -p "$OP"
    world_keys "$OP/keys" >"$OP/registry.ndjson"
    export OP
}

teardown_file() {
    stop_http_server
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
    cp -r "$OP"/. .
    CRON=$TOP/examples/cron-operator.sh
    # The gateway pages 340 readings at a time: 20 whole hours of the 17 devices.
    URL="http://127.0.0.1:$PORT/readings?limit=340"
}

# lines GLOB: the lines of the zstd files GLOB matches.
lines() { zstd -dcq "$@" | grep -c .; }

@test "cron recipe: hourly runs fetch, sign, verify and archive every reading once" {
    for want in 0 65 0 0 0; do
        run sh "$CRON" "$URL"
        [ "$status" -eq "$want" ] || fail "run $want: status $status: $output"
    done
    n=$(grep -c . "$TOP/examples/world/readings.ndjson")
    [ "$(lines archive/*/*.readings.ndjson.zst)" -eq "$n" ]
    [ "$(lines archive/*/*.att.ndjson.zst)" -eq "$n" ]
    [ "$(lines archive/*/*.verified.ndjson.zst)" -eq $((n - 1)) ]
    # nothing twice, and the one refusal is the meter above its rating, with its reason
    [ "$(zstd -dcq archive/*/*.verified.ndjson.zst | sort | uniq -d | wc -l)" -eq 0 ]
    assert_equal "$(cat archive/*/*rejects.ndjson | jq -r '"\(.reason) \(.input | fromjson | .device)"')" \
        "over_capacity pv-es-2"
    # the spool is empty, and the run that found nothing new wrote nothing
    [ -z "$(ls spool)" ]
    [ "$(find archive -name '*.readings.ndjson.zst' | wc -l)" -eq 4 ]
}

@test "cron recipe: a run while another holds the lock exits 75 and writes nothing" {
    exec 8>>run.lock
    flock -n 8
    run sh "$CRON" "$URL"
    exec 8>&-
    assert_failure 75
    assert_output --partial "an earlier run still holds run.lock"
    assert_file_not_exists fetch.cursor
    assert_file_not_exists spool
    assert_file_not_exists archive
}

@test "cron recipe: with the gateway down, the spool an earlier run left is still signed; exit 75" {
    # An earlier run fetched, then died before signing: its file is in the spool.
    mkdir spool
    head -n 34 "$TOP/examples/world/readings.ndjson" >spool/2026-11-26T000000Z-1.ndjson
    run sh "$CRON" "http://127.0.0.1:1/readings" --retries 0
    assert_failure 75
    [ -z "$(ls spool)" ]
    [ "$(lines archive/2026-11-26/*.verified.ndjson.zst)" -eq 34 ]
    # the gateway is back: the next run fetches everything, and the 34 are not signed twice
    run sh "$CRON" "http://127.0.0.1:$PORT/readings"
    assert_failure 65 # the meter above its rating
    [ "$(zstd -dcq archive/*/*.verified.ndjson.zst | sort | uniq -d | wc -l)" -eq 0 ]
    grep -q '"reason":"stale"' archive/*/*.sign-rejects.ndjson # the 34 seen again, refused
}

@test "analyst recipe: the same seeds give the same tables, and the totals add up" {
    run -0 sh "$TOP/examples/scenarios.sh" one
    assert_output one/scenarios.tsv
    sh "$TOP/examples/scenarios.sh" two >/dev/null
    cmp one/scenarios-hourly.tsv two/scenarios-hourly.tsv
    cmp one/scenarios.tsv two/scenarios.tsv
    # 2 curves x 3 demand levels x 5 seeds x 168 hours, and a header
    [ "$(wc -l <one/scenarios-hourly.tsv)" -eq $((2 * 3 * 5 * 168 + 1)) ]
    # per row: what is sold and what expires unsold never exceed the supply
    awk -F'\t' 'NR > 1 && $8 + $9 > $6 { bad++ } END { exit bad > 0 }' one/scenarios-hourly.tsv
    # the summary sums the hourly table exactly
    assert_equal "$(awk -F'\t' 'NR > 1 && $5 == "ys" && $2 == 20 { s += $11 } END { printf "%.2f", s / 1e6 }' one/scenarios-hourly.tsv)" \
        "$(awk -F'\t' '$1 == "ys" && $2 == 20 { print $7 }' one/scenarios.tsv)"
    [ "$(grep -c . one/scenarios.tsv)" -eq 7 ]
}
