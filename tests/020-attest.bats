#!/usr/bin/env bats
# gc-attest: keygen and sign.

load helpers

setup() {
    setup_keys
    cd "$BATS_TEST_TMPDIR" || return 1
}

@test "keygen writes a 0600 key, never overwrites it, and prints the device record" {
    mkdir -m 700 k
    run gc-attest keygen --device pv-007 --class pv --rated-w 4000 --zone de-tennet \
        --geohash u0yj --owner acme -k k/pv-007.key
    assert_success
    [ "$(stat -c %a k/pv-007.key)" = 600 ]
    pub=$(sed -n 's/^pubkey //p' k/pv-007.key)
    assert_equal "$(jq -c . <<<"$output")" \
        "{\"class\":\"pv\",\"device\":\"pv-007\",\"geohash\":\"u0yj\",\"owner\":\"acme\",\"pubkey\":\"$pub\",\"rated_w\":4000,\"type\":\"device\",\"v\":1,\"zone\":\"de-tennet\"}"
    cp k/pv-007.key before
    run gc-attest keygen --device pv-007 --class pv --rated-w 4000 --zone de-tennet -k k/pv-007.key
    assert_failure 73
    assert_output --partial "already exists"
    cmp before k/pv-007.key
}

@test "keygen keys are 0600 whatever the umask" {
    umask 000
    gc-attest keygen --device gpu-9 --class gpu --rated-w 700 --zone z -k g.key >/dev/null
    [ "$(stat -c %a g.key)" = 600 ]
}

@test "sign matches the golden attestations byte for byte" {
    run sign "$FIX/readings.ndjson"
    assert_success
    assert_equal "$output" "$(cat "$FIX/attestations.ndjson")"
}

@test "signatures are the RFC 8032 keys' and verify with libsodium through gc-verify" {
    sign "$FIX/readings.ndjson" >att.ndjson
    run verify att.ndjson
    assert_success
    cmp att.ndjson "$FIX/attestations.ndjson"
}

@test "attestations carry every reading field, seq from 1 and prev linking to the previous hash" {
    sign "$FIX/readings.ndjson" >att.ndjson
    # seq per device counts 1, 2, 3 …
    run jq -r 'select(.device == "pv-001") | .seq' att.ndjson
    assert_output "$(printf '1\n2\n3\n4\n5')"
    # first prev is 64 zeros; unknown fields (note, source) are kept
    run jq -r 'select(.device == "pv-001" and .seq == 1) | .prev' att.ndjson
    assert_output "$(printf '0%.0s' $(seq 64))"
    run jq -r 'select(.seq == 3 and .device == "pv-001") | .note' att.ndjson
    assert_output "ünïcödé € 😂"
    # the state file holds each device's head: the hash of its last attestation
    run jq -c . sign-heads.ndjson
    assert_line --index 0 --regexp '^\{"device":"bat-001","hash":"[0-9a-f]{64}","seq":2,"ts":"2026-11-01T10:05:00Z","type":"chain.head","v":1\}$'
    assert_line --index 2 --partial '"device":"pv-001"'
}

@test "two runs give byte-identical output" {
    sign "$FIX/readings.ndjson" >one.ndjson
    rm sign-heads.ndjson
    sign "$FIX/readings.ndjson" >two.ndjson
    cmp one.ndjson two.ndjson
}

@test "the state file carries chains from one run to the next" {
    head -n 5 "$FIX/readings.ndjson" >first.ndjson
    tail -n +6 "$FIX/readings.ndjson" >second.ndjson
    sign first.ndjson >a.ndjson
    sign second.ndjson >b.ndjson
    cat a.ndjson b.ndjson | cmp - "$FIX/attestations.ndjson"
}

@test "a reading not newer than the chain head is rejected as stale" {
    sign "$FIX/readings.ndjson" >/dev/null
    run sign --rejects rej.ndjson "$FIX/readings.ndjson"
    assert_failure 65
    assert_output ""
    [ "$(reasons rej.ndjson | sort -u)" = stale ]
    [ "$(grep -c . rej.ndjson)" = 10 ]
    # within one run too
    rm sign-heads.ndjson
    sed -n '1p;1p' "$FIX/readings.ndjson" >twice.ndjson
    run sign --rejects rej2.ndjson twice.ndjson
    assert_failure 65
    assert_equal "$(reasons rej2.ndjson)" stale
}

@test "a reading without a key file is rejected as unknown_device" {
    printf '%s\n' '{"type":"reading","v":1,"device":"pv-404","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":1}' >r.ndjson
    run sign --rejects rej.ndjson r.ndjson
    assert_failure 65
    assert_equal "$(reasons rej.ndjson)" unknown_device
    run jq -r .detail rej.ndjson
    assert_output --partial "pv-404.key"
}

@test "malformed readings are rejected with bad_field" {
    cat >r.ndjson <<'R'
{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":1.0}
{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":1e3}
{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":"1"}
{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":-1}
{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":99999999999999999999}
{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00+01:00","period_s":300,"energy_wh":1}
{"type":"reading","v":1,"device":"pv-001","ts":"2026-02-30T10:00:00Z","period_s":300,"energy_wh":1}
{"type":"reading","v":1,"device":"PV-001","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":1}
{"type":"reading","v":2,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":1}
{"type":"attestation","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":1}
{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":1,"seq":1}
{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":300}
R
    run sign --rejects rej.ndjson r.ndjson
    assert_failure 65
    assert_equal "$(reasons rej.ndjson | sort -u)" bad_field
    [ "$(grep -c . rej.ndjson)" = 12 ]
    run jq -r 'select(.line == 6) | .detail' rej.ndjson
    assert_output --partial "use Z"
    run jq -r 'select(.line == 1) | .detail' rej.ndjson
    assert_output --partial "energy_wh"
}

@test "without --rejects the first bad line stops sign: file, line, reason; no state written" {
    { head -n 2 "$FIX/readings.ndjson"; echo '{"type":"reading"'; tail -n 1 "$FIX/readings.ndjson"; } >r.ndjson
    run gc-attest sign --keydir "$KEYS" --state heads.ndjson -o out.ndjson r.ndjson
    assert_failure 65
    assert_output --partial "r.ndjson:3: bad_json:"
    assert_file_not_exists out.ndjson
    assert_file_not_exists heads.ndjson
    run ls -A
    refute_output --partial ".tmp."
}

@test "a group- or world-readable key is refused with exit 77, as ssh does" {
    chmod 640 "$KEYS/pv-001.key"
    run sign "$FIX/readings.ndjson"
    assert_failure 77
    assert_output --partial "too open"
    chmod 604 "$KEYS/pv-001.key"
    run sign "$FIX/readings.ndjson"
    assert_failure 77
}

@test "a symlinked key is refused with exit 77" {
    mv "$KEYS/pv-001.key" real.key
    ln -s "$BATS_TEST_TMPDIR/real.key" "$KEYS/pv-001.key"
    run sign "$FIX/readings.ndjson"
    assert_failure 77
    assert_output --partial "symbolic link"
}

@test "a key file of another device or with a wrong pubkey is refused" {
    cp "$KEYS/gpu-001.key" "$KEYS/pv-001.key"
    run sign "$FIX/readings.ndjson"
    assert_failure 65
    assert_output --partial "holds the key of device 'gpu-001'"
    setup_keys
    sed -i 's/^pubkey d/pubkey e/' "$KEYS/pv-001.key"
    run sign "$FIX/readings.ndjson"
    assert_failure 65
    assert_output --partial "does not belong to the seed"
}

@test "-o FILE.zst writes compressed attestations" {
    run sign -o att.ndjson.zst "$FIX/readings.ndjson"
    assert_success
    zstd -dcq att.ndjson.zst | cmp - "$FIX/attestations.ndjson"
}

@test "a second run on a locked state file exits 75 and writes nothing" {
    touch sign-heads.ndjson.lock
    flock sign-heads.ndjson.lock sleep 30 &
    holder=$!
    sleep 0.3
    run sign -o out.ndjson "$FIX/readings.ndjson"
    kill "$holder"
    assert_failure 75
    assert_output --partial "in use by another run"
    assert_file_not_exists out.ndjson
}

# Many readings, so a run can be killed part-way.
make_readings() {
    awk -v n="$1" 'BEGIN {
        for (i = 0; i < n; i++) {
            s = int(i / 2) * 60
            printf "{\"type\":\"reading\",\"v\":1,\"device\":\"%s\",\"ts\":\"2026-11-%02dT%02d:%02d:00Z\",\"period_s\":60,\"energy_wh\":%d}\n",
                i % 2 ? "gpu-001" : "pv-001", 1 + int(s / 86400), int(s % 86400 / 3600), int(s % 3600 / 60), i % 20
        }
    }'
}

@test "killed part-way, a re-run signs the rest: every attestation once, no fork, nothing lost" {
    make_readings 30000 >r.ndjson
    gc-attest sign -q --keydir "$KEYS" --state ref-heads.ndjson -o ref.ndjson r.ndjson
    for delay in 0.05 0.2 0.4 0.8 1.6; do
        rm -f heads.ndjson* out.ndjson again.ndjson
        # to a file: nothing appears until the run commits, and then with its heads
        gc-attest sign -q --keydir "$KEYS" --state heads.ndjson -o out.ndjson r.ndjson &
        pid=$!
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" || true
        # the re-run finishes a commit the killed run began, then finds its readings stale
        gc-attest sign -q --keydir "$KEYS" --state heads.ndjson -o again.ndjson r.ndjson ||
            [ -e out.ndjson ]
        cat out.ndjson again.ndjson 2>/dev/null | cmp - ref.ndjson
        cmp heads.ndjson ref-heads.ndjson
    done
    # to a pipe: what was written before the kill is a prefix of the full output
    rm -f heads.ndjson
    { gc-attest sign -q --keydir "$KEYS" --state heads.ndjson r.ndjson >part.ndjson & pid=$!; }
    sleep 0.2
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" || true
    gc-attest sign -q --keydir "$KEYS" --state heads.ndjson r.ndjson >full.ndjson
    cmp full.ndjson ref.ndjson
    n=$(wc -c <part.ndjson)
    cmp -n "$n" part.ndjson ref.ndjson
}

@test "temporary files are never left next to outputs" {
    run sign -o out.ndjson --rejects rej.ndjson "$FIX/readings.ndjson"
    assert_success
    run ls -A
    refute_output --partial ".tmp."
}
