#!/usr/bin/env bats
# gc-verify: every reject reason from a crafted input, state across runs, byte-identical pass-through.

load helpers

setup() {
    setup_keys
    cd "$BATS_TEST_TMPDIR" || return 1
}

# one_reading JSON-MEMBERS: sign a single pv-001 reading at 10:00 with a fresh chain.
sign_one() {
    printf '{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":300,%s}\n' "$1" |
        gc-attest sign -q --keydir "$KEYS" --state "one-$RANDOM.ndjson"
}

# expect_reject REASON FILE: verify FILE with --rejects; exactly one reject with REASON.
expect_reject() {
    run verify --rejects rej.ndjson "${@:2}"
    assert_failure 65
    assert_equal "$(reasons rej.ndjson)" "$1"
}

@test "valid attestations pass through byte for byte" {
    run verify "$FIX/attestations.ndjson"
    assert_success
    assert_equal "$output" "$(cat "$FIX/attestations.ndjson")"
}

@test "sign | verify round trip over the sample readings, every reject reason named" {
    mkdir -m 700 k
    for spec in "pv-001 pv 5000 1" "wind-001 wind 20000 1" "bat-001 battery 10000 1" "gpu-001 gpu 1400 2"; do
        read -r dev class rated gpus <<<"$spec"
        gc-attest keygen --device "$dev" --class "$class" --rated-w "$rated" --gpus "$gpus" \
            --zone de-tennet -k "k/$dev.key" >>reg.ndjson
    done
    run gc-attest sign --keydir k --state h.ndjson --rejects srej.ndjson -o att.ndjson "$FIX/sample-readings.ndjson"
    assert_failure 65
    assert_balanced "$output"
    assert_equal "$(reasons srej.ndjson | sort | tr '\n' ' ')" "bad_field bad_json stale unknown_device "
    # nothing lost: every line is either signed or rejected
    [ $(($(grep -c . att.ndjson) + $(grep -c . srej.ndjson))) -eq "$(grep -c . "$FIX/sample-readings.ndjson")" ]
    run gc-verify --registry reg.ndjson --now "$NOW" --rejects vrej.ndjson -o ok.ndjson att.ndjson
    assert_failure 65
    assert_balanced "$output"
    assert_equal "$(reasons vrej.ndjson | sort | tr '\n' ' ')" "crosses_hour over_capacity zone_mismatch "
    # everything that passed is byte-identical to what was signed
    grep -Fxf ok.ndjson att.ndjson | cmp - ok.ndjson
    [ $(($(grep -c . ok.ndjson) + $(grep -c . vrej.ndjson))) -eq "$(grep -c . att.ndjson)" ]
}

@test "one flipped digit of energy_wh gives bad_signature" {
    sed '1s/"energy_wh":310/"energy_wh":311/' "$FIX/attestations.ndjson" >bad.ndjson
    run verify --rejects rej.ndjson bad.ndjson
    assert_failure 65
    assert_equal "$(reasons rej.ndjson | head -n 1)" bad_signature
    assert_equal "$(jq -r .input rej.ndjson | head -n 1)" "$(head -n 1 bad.ndjson)"
}

@test "a changed signature or an unknown field added after signing gives bad_signature" {
    sed '1s/"sig":"\(.\)/"sig":"f/' "$FIX/attestations.ndjson" | head -n 1 >bad1.ndjson
    head -n 1 "$FIX/attestations.ndjson" | sed 's/^{/{"extra":1,/' >bad2.ndjson
    expect_reject bad_signature bad1.ndjson
    expect_reject bad_signature bad2.ndjson
}

@test "bad_utf8, line_too_long and bad_json are kept with the original bytes" {
    printf '{"type":"attestation","device":"\xff"}\n' >u.ndjson
    expect_reject bad_utf8 u.ndjson
    run jq -r .input_b64 rej.ndjson
    assert_equal "$(base64 -d <<<"$output" | od -An -tx1 | tr -d ' \n')" "$(head -c -1 u.ndjson | od -An -tx1 | tr -d ' \n')"

    head -n 1 "$FIX/attestations.ndjson" >long.ndjson
    run verify --max-line-bytes 100 --rejects rej.ndjson long.ndjson
    assert_failure 65
    assert_equal "$(reasons rej.ndjson)" line_too_long
    assert_equal "$(jq -r .input_bytes rej.ndjson)" "$(head -n 1 long.ndjson | tr -d '\n' | wc -c)"
    assert_equal "$(jq -r .input rej.ndjson)" "$(head -c 100 long.ndjson)"

    for bad in '{"type":' '[1,2]' '"text"' '{"a":1,"a":2}' '{"a":"\u0000"}' '{"a":1} x'; do
        printf '%s\n' "$bad" >j.ndjson
        expect_reject bad_json j.ndjson
        assert_equal "$(jq -r .input rej.ndjson)" "$bad"
    done
    printf '{"a":"x\0y"}\n' >nul.ndjson
    expect_reject bad_json nul.ndjson
    run jq -r .detail rej.ndjson
    assert_output --partial "NUL byte"
}

@test "bad_field: fractions, exponents, strings for integers, bad hex, missing sig" {
    head -n 1 "$FIX/attestations.ndjson" >a.ndjson
    for edit in 's/"energy_wh":310/"energy_wh":310.0/' 's/"energy_wh":310/"energy_wh":3.1e2/' \
        's/"seq":1/"seq":"1"/' 's/"seq":1/"seq":0/' 's/"sig":"[0-9a-f]*"/"sig":"AB"/' \
        's/,"sig":"[0-9a-f]*"//' 's/"prev":"0/"prev":"O/' 's/"type":"attestation"/"type":"reading"/'; do
        sed "$edit" a.ndjson >b.ndjson
        ! cmp -s a.ndjson b.ndjson
        expect_reject bad_field b.ndjson
    done
}

@test "unknown_device: a signed record of a device not in the registry" {
    gc-attest keygen --device pv-404 --class pv --rated-w 1 --zone z -k "$KEYS/pv-404.key" >/dev/null
    printf '%s\n' '{"type":"reading","v":1,"device":"pv-404","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":1}' |
        gc-attest sign -q --keydir "$KEYS" --state h.ndjson >a.ndjson
    expect_reject unknown_device a.ndjson
}

@test "zone_mismatch: zone differs, or geohash outside the registered one" {
    sign_one '"energy_wh":1,"zone":"fr-rte"' >z.ndjson
    expect_reject zone_mismatch z.ndjson
    sign_one '"energy_wh":1,"geohash":"u1"' >g.ndjson
    expect_reject zone_mismatch g.ndjson
    # within the registered area, or coarser, is fine
    sign_one '"energy_wh":1,"geohash":"u0yjh2"' >g2.ndjson
    run verify g2.ndjson
    assert_success
    sign_one '"energy_wh":1,"geohash":"u0"' >g3.ndjson
    run verify g3.ndjson
    assert_success
}

@test "crosses_hour: period leaves its hour or is outside 1..3600" {
    printf '%s\n' '{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:58:00Z","period_s":300,"energy_wh":1}' |
        gc-attest sign -q --keydir "$KEYS" --state h1.ndjson >c.ndjson
    expect_reject crosses_hour c.ndjson
    printf '%s\n' '{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":0,"energy_wh":0}' |
        gc-attest sign -q --keydir "$KEYS" --state h2.ndjson >z.ndjson
    expect_reject crosses_hour z.ndjson
    printf '%s\n' '{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":3601,"energy_wh":0}' |
        gc-attest sign -q --keydir "$KEYS" --state h3.ndjson >l.ndjson
    expect_reject crosses_hour l.ndjson
}

@test "over_capacity: energy above rating x period plus slack, exactly at the boundary" {
    # pv-001 is rated 5000 W: 300 s is 416.67 Wh, plus 10 % slack 458.33 Wh
    sign_one '"energy_wh":458' >ok.ndjson
    run verify ok.ndjson
    assert_success
    sign_one '"energy_wh":459' >over.ndjson
    expect_reject over_capacity over.ndjson
    run verify --slack-bps 0 --rejects rej.ndjson ok.ndjson
    assert_failure 65
    assert_equal "$(reasons rej.ndjson)" over_capacity
    sign_one '"energy_wh":416' >ok0.ndjson
    run verify --slack-bps 0 ok0.ndjson
    assert_success
}

@test "over_capacity: GPU-seconds above GPUs x period" {
    printf '%s\n' '{"type":"reading","v":1,"device":"gpu-001","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":10,"gpu_s":601}' |
        gc-attest sign -q --keydir "$KEYS" --state h.ndjson >g.ndjson
    expect_reject over_capacity g.ndjson
}

@test "future: a period that ends after --now" {
    run verify --now 2026-11-01T10:04:59Z --rejects rej.ndjson "$FIX/attestations.ndjson"
    assert_failure 65
    assert_equal "$(reasons rej.ndjson | sort -u)" future
    run verify --now 2026-11-01T10:05:00Z --rejects rej.ndjson "$FIX/attestations.ndjson"
    assert_failure 65
    # the three 10:00 readings end at 10:05 and pass
    [ "$(grep -c . rej.ndjson)" -eq 7 ]
}

@test "duplicate: the same record again" {
    { cat "$FIX/attestations.ndjson"; sed -n 4p "$FIX/attestations.ndjson"; } >d.ndjson
    expect_reject duplicate d.ndjson
}

@test "chain_gap: a missing record costs one reject, the chain goes on after it" {
    sed 4d "$FIX/attestations.ndjson" >g.ndjson
    expect_reject chain_gap g.ndjson
    assert_equal "$(jq -r .detail rej.ndjson)" "seq 3 of 'pv-001' follows seq 1"
    # without a state file, a chain must start at seq 1
    tail -n +4 "$FIX/attestations.ndjson" | grep pv-001 | head -n 1 >mid.ndjson
    expect_reject chain_gap mid.ndjson
}

@test "equivocation: two different records with one seq are both kept as evidence" {
    sign_one '"energy_wh":100' >a.ndjson
    sign_one '"energy_wh":101' >b.ndjson
    cat a.ndjson b.ndjson >both.ndjson
    run verify --rejects rej.ndjson -o ok.ndjson both.ndjson
    assert_failure 65
    cmp ok.ndjson a.ndjson
    assert_equal "$(reasons rej.ndjson)" equivocation
    assert_equal "$(jq -r .input rej.ndjson)" "$(cat b.ndjson)"
    first_hash=$(jq -cj 'del(.sig)' a.ndjson | sha256sum | cut -d' ' -f1)
    run jq -r .detail rej.ndjson
    assert_output --partial "$first_hash"
}

@test "--state: tomorrow's file verifies against today's heads; stale and replays across runs" {
    head -n 5 "$FIX/attestations.ndjson" >day1.ndjson
    tail -n +6 "$FIX/attestations.ndjson" >day2.ndjson
    run verify --state v.ndjson day1.ndjson
    assert_success
    # without the state, day 2 does not start at seq 1
    run verify --rejects rej.ndjson day2.ndjson
    assert_failure 65
    run verify --state v.ndjson day2.ndjson
    assert_success
    assert_equal "$output" "$(cat day2.ndjson)"
    # replaying the head again is a duplicate; an older record is stale
    tail -n 1 day2.ndjson >again.ndjson
    expect_reject duplicate --state v.ndjson again.ndjson
    head -n 1 day1.ndjson >old.ndjson
    expect_reject stale --state v.ndjson old.ndjson
}

@test "stale: a later seq whose ts is not after the previous record's" {
    printf '%s\n' '{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":1}' |
        gc-attest sign -q --keydir "$KEYS" --state s.ndjson >a.ndjson
    # rewind the signer's head to an earlier time: it then signs seq 2 at the same ts
    sed -i 's/"ts":"2026-11-01T10:00:00Z"/"ts":"2026-11-01T09:00:00Z"/' s.ndjson
    printf '%s\n' '{"type":"reading","v":1,"device":"pv-001","ts":"2026-11-01T10:00:00Z","period_s":300,"energy_wh":2}' |
        gc-attest sign -q --keydir "$KEYS" --state s.ndjson >>a.ndjson
    expect_reject stale a.ndjson
}

@test "without --rejects the first bad line stops with file, line and reason" {
    sed '3s/"charge_wh":200/"charge_wh":201/' "$FIX/attestations.ndjson" >bad.ndjson
    run gc-verify --registry "$FIX/registry.ndjson" --now "$NOW" -o out.ndjson bad.ndjson
    assert_failure 65
    assert_output "gc-verify: bad.ndjson:3: bad_signature: signature does not verify with the key of 'bat-001'"
    assert_file_not_exists out.ndjson
}

@test "an invalid registry stops with exit 65 naming its line" {
    { head -n 1 "$FIX/registry.ndjson"; echo '{"type":"device","v":1}'; } >reg.ndjson
    run gc-verify --registry reg.ndjson "$FIX/attestations.ndjson"
    assert_failure 65
    assert_output --partial "reg.ndjson:2: bad_field"
    { cat "$FIX/registry.ndjson"; head -n 1 "$FIX/registry.ndjson"; } >dup.ndjson
    run gc-verify --registry dup.ndjson "$FIX/attestations.ndjson"
    assert_failure 65
    assert_output --partial "registered twice"
}

@test "the summary balances: in = out + rejected" {
    cat "$FIX/attestations.ndjson" "$FIX/attestations.ndjson" >twice.ndjson
    echo 'junk' >>twice.ndjson
    run gc-verify --registry "$FIX/registry.ndjson" --now "$NOW" --rejects rej.ndjson -o ok.ndjson twice.ndjson
    assert_failure 65
    assert_output "gc-verify: 21 in, 10 out, 11 rejected"
    assert_balanced "$output"
    [ "$(grep -c . ok.ndjson)" -eq 10 ]
    [ "$(grep -c . rej.ndjson)" -eq 11 ]
}

@test "two verify runs are byte-identical, rejects included" {
    { cat "$FIX/attestations.ndjson"; sed -n 2p "$FIX/attestations.ndjson"; echo '{'; } >in.ndjson
    verify --rejects r1.ndjson -o o1.ndjson in.ndjson || true
    verify --rejects r2.ndjson -o o2.ndjson in.ndjson || true
    cmp o1.ndjson o2.ndjson
    cmp r1.ndjson r2.ndjson
}
