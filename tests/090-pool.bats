#!/usr/bin/env bats
# gc-pool match: hand-computed scenarios, conservation, zones that must not mix.

load helpers
bats_require_minimum_version 1.5.0

# The scenario of tests/fixtures/pool: keys made here (matching never reads signatures, and
# record hashes do not cover them, so the golden output does not depend on the keys).
setup_file() {
    W=$BATS_FILE_TMPDIR
    mkdir -m 700 "$W/keys"
    while read -r id class rated zone eff; do
        gc-attest keygen --device "$id" --class "$class" --rated-w "$rated" --zone "$zone" \
            ${eff:+--efficiency-bps "$eff"} -k "$W/keys/$id.key"
    done <"$FIX/pool/devices.txt" >"$W/registry.ndjson"
    gc-attest sign -q --keydir "$W/keys" --state "$W/heads.ndjson" "$FIX/pool/readings.ndjson" |
        gc-verify -q --registry "$W/registry.ndjson" --now 2026-11-02T00:00:00Z >"$W/verified.ndjson"
    export W
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
    gc-pool match -q --registry "$W/registry.ndjson" "$W/verified.ndjson" >out.ndjson
}

# pick TYPE DEVICE HOUR FIELD
pick() {
    jq -r --arg t "$1" --arg d "$2" --arg h "2026-11-01T$3:00:00Z" \
        "select(.type == \$t and .device == \$d and .hour == \$h) | .$4" out.ndjson
}

@test "the scenario matches its golden output" {
    cmp out.ndjson "$FIX/pool/match.golden.ndjson"
}

@test "shortage: 1000 Wh over three GPUs of 700 Wh is 334/333/333, the odd Wh to the lowest id" {
    assert_equal "$(pick allocation gpu-1 10 green_wh) $(pick allocation gpu-2 10 green_wh) $(pick allocation gpu-3 10 green_wh)" "334 333 333"
    # green GPU-seconds: floor(gpu_s x green / energy)
    assert_equal "$(pick allocation gpu-1 10 green_gpu_s)" 1717
    assert_equal "$(pick allocation gpu-3 10 green_gpu_s)" 856
    # the fill: pv-a (700) serves gpu-1, gpu-2 and 33 Wh of gpu-3; wind-b the rest of gpu-3
    assert_equal "$(pick allocation gpu-3 10 'sources | map("\(.device)=\(.wh)") | join(" ")')" "pv-a=33 wind-b=300"
    run jq -c 'select(.type == "match" and .zone == "z1" and .hour == "2026-11-01T10:00:00Z") | [.supply_wh, .demand_wh, .matched_wh, .cfe_bps]' out.ndjson
    assert_output "[1000,2100,1000,4761]"
}

@test "surplus: every consumer fully green, the rest unclaimed; zones do not mix" {
    assert_equal "$(pick allocation gpu-1 11 green_bps)" 10000
    assert_equal "$(pick certificate pv-a 11 unclaimed_wh)" 1500
    # z2 has a surplus in the hour z1 is short: none of it crosses
    assert_equal "$(pick allocation gpu-c 10 green_bps)" 10000
    assert_equal "$(pick certificate pv-c 10 unclaimed_wh)" 400
    run jq -r 'select(.type == "allocation" and .zone == "z1") | .sources[].device' out.ndjson
    refute_output --partial "pv-c"
}

@test "a battery charged green at noon gives green energy at night, less its losses" {
    assert_equal "$(pick allocation bat-1 11 green_wh) $(pick allocation bat-1 11 stored_wh) $(pick allocation bat-1 11 loss_wh)" "1000 900 100"
    assert_equal "$(pick certificate bat-1 20 energy_wh)" 600
    assert_equal "$(pick allocation gpu-1 20 green_bps) $(pick allocation gpu-1 20 green_gpu_s)" "7500 2700"
}

@test "a grid-charged battery never gives green energy; a GPU with no energy gets no green time" {
    assert_equal "$(pick allocation bat-2 20 green_wh) $(pick allocation bat-2 20 stored_wh)" "0 0"
    assert_equal "$(pick certificate bat-2 21 energy_wh) $(pick certificate bat-2 21 discharge_wh)" "0 300"
    assert_equal "$(pick allocation gpu-1 21 green_wh)" 0
    assert_equal "$(pick allocation gpu-0 11 green_gpu_s) $(pick allocation gpu-0 11 green_bps)" "0 0"
}

@test "conservation: claims within energy, sources equal green, per zone-hour green equals claimed" {
    run jq -e 'select(.type == "certificate") | select((.claims | map(.wh) | add // 0) != .claimed_wh or .claimed_wh > .energy_wh or .claimed_wh + .unclaimed_wh != .energy_wh)' out.ndjson
    assert_failure
    run jq -e 'select(.type == "allocation") | select((.sources | map(.wh) | add // 0) != .green_wh or .green_wh > .energy_wh)' out.ndjson
    assert_failure
    run jq -s '[group_by(.zone + .hour)[] | [(map(select(.type == "allocation") | .green_wh) | add // 0), (map(select(.type == "certificate") | .claimed_wh) | add // 0), (map(select(.type == "match") | .matched_wh) | add)] | select(.[0] != .[1] or .[1] != .[2])] | length' out.ndjson
    assert_output 0
    # storage: in = out + losses + held (bat-1 holds 300 Wh at the end)
    run jq -s '[(map(select(.type == "allocation" and .device == "bat-1") | .green_wh) | add),
        (map(select(.type == "certificate" and .device == "bat-1") | .energy_wh) | add),
        (map(select(.type == "allocation" and .device == "bat-1") | .loss_wh) | add)] | .[0] - .[1] - .[2]' out.ndjson
    assert_output 300
}

@test "input order does not matter; inputs are the attestations' record hashes" {
    tac "$W/verified.ndjson" >rev.ndjson
    gc-pool match -q --registry "$W/registry.ndjson" rev.ndjson | cmp - out.ndjson
    h=$(head -n 1 "$W/verified.ndjson" | jq -cj 'del(.sig)' | sha256sum | cut -d' ' -f1)
    run jq -r 'select(.type == "certificate" and .device == "pv-a" and .hour == "2026-11-01T10:00:00Z") | .inputs[]' out.ndjson
    assert_output "$h"
}

@test "the same attestation twice is rejected, not counted twice" {
    { cat "$W/verified.ndjson"; head -n 1 "$W/verified.ndjson"; } >dup.ndjson
    run gc-pool match --registry "$W/registry.ndjson" --rejects rej.ndjson -o o.ndjson dup.ndjson
    assert_failure 65
    assert_equal "$(jq -r .reason rej.ndjson)" duplicate
    cmp o.ndjson out.ndjson
}

@test "energy adding up past 2^63 - 1 is bad_number in match, merge and build, not an internal error" {
    # Attestations of pv-a and wind-b at 10:00 of 2^63 - 1 Wh each (match reads no signature).
    z=0000000000000000000000000000000000000000000000000000000000000000
    att() {
        printf '{"device":"%s","energy_wh":9223372036854775807,"period_s":1800,"prev":"%s","seq":%s,"sig":"%s%s","ts":"2026-11-01T10:%s:00Z","type":"attestation","v":1}\n' \
            "$1" "$z" "$2" "$z" "$z" "$3"
    }
    # one device-hour, then one zone-hour, past 2^63 - 1: the second reading is refused
    for pair in "pv-a pv-a" "pv-a wind-b"; do
        read -r one two <<<"$pair"
        { att "$one" 1 00; att "$two" 2 30; } >big.ndjson
        run gc-pool match --registry "$W/registry.ndjson" --rejects rej.ndjson -o o.ndjson big.ndjson
        assert_failure 65
        assert_equal "$(jq -r .reason rej.ndjson)" bad_number
        # (grep: jq reads numbers as doubles)
        grep -q '"supply_wh":9223372036854775807,"type":"match"' o.ndjson
    done
    # merge: the partials of two shards, each one attestation
    att pv-a 1 00 | gc-pool match -q --partial --registry "$W/registry.ndjson" >p1.ndjson
    att pv-a 2 30 | gc-pool match -q --partial --registry "$W/registry.ndjson" >p2.ndjson
    run gc-pool merge --registry "$W/registry.ndjson" --rejects rej.ndjson -o o.ndjson p1.ndjson p2.ndjson
    assert_failure 65
    assert_equal "$(jq -r .reason rej.ndjson)" bad_number
    # build: allocations of one hour whose energy the snapshots' totals would add up
    grep '"hour":"2026-11-01T10:00:00Z",.*"type":"allocation",.*"zone":"z1"' out.ndjson |
        sed 's/"energy_wh":[0-9]*/"energy_wh":9223372036854775807/' >allocs.ndjson
    run gc-pool build --pools "$FIX/pool/pools.ndjson" --registry "$W/registry.ndjson" --rejects rej.ndjson -o o.ndjson allocs.ndjson
    assert_failure 65
    assert_equal "$(jq -r .reason rej.ndjson | sort -u)" bad_number
    grep -q '"energy_wh":9223372036854775807,.*"pool":"gpu-z1"' o.ndjson
}

@test "a stop at a bad line writes no matches, on standard output either" {
    { cat "$W/verified.ndjson"; echo '{'; } >bad.ndjson
    run --separate-stderr gc-pool match --registry "$W/registry.ndjson" bad.ndjson
    assert_failure 65
    assert_output ""
}

@test "bad input: unknown devices and readings that are not attestations are rejected" {
    { head -n 2 "$W/verified.ndjson"; head -n 1 "$FIX/pool/readings.ndjson"; sed 's/"pv-a"/"pv-zz"/' <(head -n 1 "$W/verified.ndjson"); } >bad.ndjson
    run gc-pool match --registry "$W/registry.ndjson" --rejects rej.ndjson -o o.ndjson bad.ndjson
    assert_failure 65
    assert_output --partial "4 in, 2 used, 2 rejected"
    assert_equal "$(jq -r .reason rej.ndjson | tr '\n' ' ')" "bad_field unknown_device "
    run gc-pool match
    assert_failure 64
    run gc-pool frob --registry x
    assert_failure 64
}

@test "audit: one run passes; the same certificates twice are a double claim naming both records" {
    run gc-pool audit out.ndjson
    assert_success
    assert_output --partial "6 certificates, 10 allocations, 0 problems"
    cp out.ndjson run2.ndjson
    run gc-pool audit out.ndjson run2.ndjson
    assert_failure 65
    assert_output --partial "out.ndjson:4 and run2.ndjson:4: double_claim: producer 'pv-a' at 2026-11-01T10:00:00Z"
}

@test "audit: claims beyond a certificate's energy, and allocations drawing more than it has" {
    sed '/"type":"certificate"/s/"claimed_wh":100,/"claimed_wh":600,/' out.ndjson >over.ndjson
    run gc-pool audit over.ndjson
    assert_failure 65
    assert_output --partial "over_claim: producer 'pv-c' at 2026-11-01T10:00:00Z: 600 Wh claimed of 500"
    # an allocation from another run drawing on pv-c at 10:00 again: 100 + 450 > 500
    jq -c 'select(.type == "allocation" and .device == "gpu-c") | .sources[0].wh = 450' out.ndjson >more.ndjson
    run gc-pool audit out.ndjson more.ndjson
    assert_failure 65
    assert_output --partial "over_claim: allocations draw 550 Wh on 'pv-c@2026-11-01T10:00:00Z', whose certificate has 500"
}

@test "--sorted streams hour by hour with the same output; out-of-order input is rejected" {
    jq -sc 'sort_by(.ts)[]' "$W/verified.ndjson" >sorted.ndjson
    gc-pool match -q --registry "$W/registry.ndjson" --sorted sorted.ndjson | cmp - out.ndjson
    # an hour-10 record after later hours were matched
    { cat sorted.ndjson; head -n 1 sorted.ndjson; } >late.ndjson
    run gc-pool match --registry "$W/registry.ndjson" --sorted --rejects rej.ndjson -o o.ndjson late.ndjson
    assert_failure 65
    assert_equal "$(jq -r .reason rej.ndjson | sort -u)" not_sorted
    run jq -r .detail rej.ndjson
    assert_line --index 0 --partial "was already matched: the input is not in hour order"
}

@test "scale-out: shards matched with --partial under GNU parallel merge to the single-run output" {
    for jobs in 2 4; do
        parallel --will-cite --pipe -N 3 -j "$jobs" \
            gc-pool match -q --partial --registry "$W/registry.ndjson" <"$W/verified.ndjson" >parts.ndjson
        [ "$(grep -c '"type":"partial"' parts.ndjson)" -gt 0 ]
        gc-pool merge -q --registry "$W/registry.ndjson" parts.ndjson | cmp - out.ndjson
    done
    # partials from overlapping shards would count an attestation twice: refused
    gc-pool match -q --partial --registry "$W/registry.ndjson" "$W/verified.ndjson" >all.ndjson
    run gc-pool merge --registry "$W/registry.ndjson" --rejects rej.ndjson -o o.ndjson all.ndjson all.ndjson
    assert_failure 65
    assert_equal "$(jq -r .reason rej.ndjson | sort -u)" duplicate
    # so would one partial naming an attestation twice: refused, and the rest merges
    jq -c 'if .type == "partial" and (.inputs | length) > 1 then .inputs[1] = .inputs[0] else . end' \
        all.ndjson >twice.ndjson
    n=$(jq -c 'select(.type == "partial" and (.inputs | length) > 1)' all.ndjson | wc -l)
    [ "$n" -gt 0 ]
    run gc-pool merge --registry "$W/registry.ndjson" --rejects rej.ndjson -o o.ndjson twice.ndjson
    assert_failure 65
    assert_equal "$(jq -r .reason rej.ndjson | sort -u)" duplicate
    assert_equal "$(wc -l <rej.ndjson)" "$n"
    grep -q "names an attestation of '.*' twice" rej.ndjson
}

@test "report: hourly against volumetric CFE per zone and day, computed by hand" {
    run gc-pool report -q out.ndjson
    assert_success
    # z1: generation 700+300+3000 = 4000 Wh (bat-1's discharge is not new generation);
    # demand 2100+1500+1200+300 = 5100 Wh; matched 1000+1500+600+0 = 3100 Wh
    assert_equal "$(jq -c 'select(.zone == "z1") | [.supply_wh, .demand_wh, .matched_wh, .hourly_cfe_bps, .volumetric_cfe_bps]' <<<"$output")" \
        "[4000,5100,3100,6078,7843]"
    assert_equal "$(jq -c 'select(.zone == "z2") | [.hourly_cfe_bps, .volumetric_cfe_bps]' <<<"$output")" "[10000,10000]"
    refute_output --partial location_gco2
}

@test "report --intensity: location- and market-based grams, SCI per GPU-hour, rounded up" {
    run gc-pool report -q --intensity "$FIX/pool/intensity.ndjson" out.ndjson
    assert_success
    # location: 2100*.4 + 1500*.35 + 1200*.5 + 300*.52 = 840 + 525 + 600 + 156
    # market: (2100-1000)*.4 + 0 + (1200-600)*.5 + 300*.52 = 440 + 300 + 156
    # SCI: GPU energy 2100*.4 + 500*.35 + 800*.5 + 300*.52 = 1571 g over 23400 GPU-s: 241.7 -> 242
    assert_equal "$(jq -c 'select(.zone == "z1") | [.location_gco2, .market_gco2, .sci_gco2_per_gpu_h, .intensity_missing_h]' <<<"$output")" \
        "[2121,896,242,0]"
    head -n 2 "$FIX/pool/intensity.ndjson" >partial.ndjson
    run gc-pool report -q --intensity partial.ndjson out.ndjson
    assert_equal "$(jq -r 'select(.zone == "z1") | .intensity_missing_h' <<<"$output")" 2
    echo '{"type":"intensity","v":1,"zone":"z1","hour":"2026-11-01T10:30:00Z","gco2_per_kwh":1}' >bad.ndjson
    run gc-pool report --intensity bad.ndjson out.ndjson
    assert_failure 65
    assert_output --partial "bad.ndjson:1: bad_field: field 'hour' must be the start of an hour"
}

# An independent RFC 9162 check in Python: the roots of the snapshots from their members, the
# lottery from its definition, and the proofs against their roots.
pycheck() {
    python3 - "$@" <<'PY'
import hashlib, json, sys

def leaf(h): return hashlib.sha256(b"\0" + bytes.fromhex(h)).digest()
def node(a, b): return hashlib.sha256(b"\1" + a + b).digest()
def root(hs):
    if len(hs) == 1: return hs[0]
    k = 1
    while k * 2 < len(hs): k *= 2
    return node(root(hs[:k]), root(hs[k:]))

what, path = sys.argv[1], sys.argv[2]
recs = [json.loads(l) for l in open(path) if l.strip()] if what != "lottery" else []
if what == "roots":
    for r in recs:
        assert root([leaf(m["record"]) for m in r["members"]]).hex() == r["root"], r["pool"]
        assert [m["device"] for m in r["members"]] == sorted(m["device"] for m in r["members"])
    print("roots ok", len(recs))
elif what == "proof":
    for p in recs:   # RFC 9162 2.1.3.2
        fn, sn, r = p["index"], p["size"] - 1, leaf(p["record"])
        for h in map(bytes.fromhex, p["path"]):
            if fn % 2 == 1 or fn == sn:
                r = node(h, r)
                while fn % 2 == 0 and fn != 0: fn >>= 1; sn >>= 1
            else:
                r = node(r, h)
            fn >>= 1; sn >>= 1
        assert sn == 0 and r.hex() == p["root"], p
    print("proofs ok", len(recs))
elif what == "lottery":
    seed = bytes.fromhex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
    for dev in sys.argv[3:]:
        h = hashlib.sha256(seed + b"lucky\0" + dev.encode() + b"\0" + (1793527200 // 86400).to_bytes(8, "big")).digest()
        print(dev, int.from_bytes(h, "big") * 10000 < 5000 * 2**256)
PY
}

@test "build: snapshots per pool and hour with members, totals and Merkle roots" {
    run gc-pool build -q --pools "$FIX/pool/pools.ndjson" --registry "$W/registry.ndjson" \
        out.ndjson "$FIX/pool/stakes.ndjson"
    assert_success
    echo "$output" >snaps.ndjson
    run pycheck roots snaps.ndjson
    assert_output "roots ok 17"
    members() { jq -r --arg p "$1" --arg h "2026-11-01T$2:00:00Z" 'select(.pool == $p and .hour == $h) | [.members[].device] | join(" ")' snaps.ndjson; }
    # compute pool of zone z1: every GPU allocation there, the one with no energy included
    assert_equal "$(members gpu-z1 10)" "gpu-1 gpu-2 gpu-3"
    assert_equal "$(members gpu-z1 11)" "gpu-0 gpu-1"
    # green-compute: only GPUs with some green energy, in every zone; none at 21:00
    assert_equal "$(members green-gpu 10)" "gpu-1 gpu-2 gpu-3 gpu-c"
    assert_equal "$(members green-gpu 21)" ""
    # stake: gpu-1 holds 0.6 + 0.4 = 1.0 (the minimum), gpu-2 0.999999: out
    assert_equal "$(members staked 10)" "gpu-1"
    # energy pool: producers by their certificates
    assert_equal "$(members solar 10)" "pv-a pv-c wind-b"
    assert_equal "$(jq -c 'select(.pool == "gpu-z1" and .hour == "2026-11-01T10:00:00Z") | [.count, .energy_wh, .green_wh, .gpu_s, .green_gpu_s]' snaps.ndjson)" \
        "[3,2100,1000,9000,4285]"
    # a member's record hash is its allocation's SHA-256
    h=$(jq -c 'select(.type == "allocation" and .device == "gpu-2" and .hour == "2026-11-01T10:00:00Z")' out.ndjson | tr -d '\n' | sha256sum | cut -d' ' -f1)
    assert_equal "$(jq -r 'select(.pool == "gpu-z1" and .hour == "2026-11-01T10:00:00Z") | .members[1].record' snaps.ndjson)" "$h"
}

@test "build: a second allocation or certificate of one device-hour is a duplicate, never counted twice" {
    run gc-pool build -q --pools "$FIX/pool/pools.ndjson" --registry "$W/registry.ndjson" \
        out.ndjson "$FIX/pool/stakes.ndjson"
    assert_success
    echo "$output" >want.ndjson
    # The same allocation again, and another certificate of a producer-hour already certified.
    { cat out.ndjson; grep -m 1 '"type":"allocation"' out.ndjson
      grep -m 1 '"type":"certificate"' out.ndjson | jq -c '.claimed_wh = 1'; } >twice.ndjson
    run gc-pool build -q --pools "$FIX/pool/pools.ndjson" --registry "$W/registry.ndjson" \
        --rejects rej.ndjson twice.ndjson "$FIX/pool/stakes.ndjson"
    [ "$status" -eq 65 ]
    echo "$output" >got.ndjson
    cmp want.ndjson got.ndjson
    assert_equal "$(jq -r .reason rej.ndjson | tr '\n' ' ')" "duplicate duplicate "
}

@test "build: the lottery admits exactly the devices an independent recomputation admits" {
    gc-pool build -q --pools "$FIX/pool/pools.ndjson" --registry "$W/registry.ndjson" out.ndjson >snaps.ndjson
    admitted=$(jq -r 'select(.pool == "lucky" and .hour == "2026-11-01T10:00:00Z") | [.members[].device] | join(" ")' snaps.ndjson)
    run pycheck lottery /dev/null gpu-1 gpu-2 gpu-3 gpu-c
    assert_equal "$admitted" "$(awk '$2 == "True" { printf "%s%s", sep, $1; sep = " " }' <<<"$output")"
    [ -n "$admitted" ] && [ "$admitted" != "gpu-1 gpu-2 gpu-3 gpu-c" ]
}

@test "prove: inclusion proofs that an RFC 9162 verifier accepts; a non-member is refused" {
    gc-pool build -q --pools "$FIX/pool/pools.ndjson" --registry "$W/registry.ndjson" out.ndjson >snaps.ndjson
    for d in gpu-1 gpu-2 gpu-3 gpu-c; do
        gc-pool prove -q --pool green-gpu --hour 2026-11-01T10:00:00Z --device "$d" snaps.ndjson
    done >proofs.ndjson
    run pycheck proof proofs.ndjson
    assert_output "proofs ok 4"
    # a tampered snapshot (one member's record changed) no longer matches its root
    sed '0,/"record":"e/s/"record":"e/"record":"f/' snaps.ndjson >bad.ndjson
    run gc-pool prove --pool gpu-z1 --hour 2026-11-01T10:00:00Z --device gpu-1 bad.ndjson
    assert_failure 65
    run gc-pool prove --pool gpu-z1 --hour 2026-11-01T10:00:00Z --device gpu-c snaps.ndjson
    assert_failure 65
    assert_output --partial "not a member"
    run gc-pool prove --pool gpu-z1 --hour 2026-11-01T12:00:00Z --device gpu-1 snaps.ndjson
    assert_failure 65
    assert_output --partial "no snapshot of pool 'gpu-z1'"
}

@test "cosign and quorum: snapshots count with K signatures of distinct listed validators" {
    setup_keys
    gc-pool build -q --pools "$FIX/pool/pools.ndjson" --registry "$W/registry.ndjson" out.ndjson >snaps.ndjson
    # three validators: the RFC 8032 test keys of the fixtures
    for k in pv-001 gpu-001 bat-001; do
        printf '{"type":"validator","v":1,"validator":"val-%s","pubkey":"%s"}\n' "$k" \
            "$(sed -n 's/^pubkey //p' "$KEYS/$k.key")"
    done >validators.ndjson
    gc-pool cosign -q -k "$KEYS/pv-001.key" snaps.ndjson | gc-pool cosign -q -k "$KEYS/gpu-001.key" >two.ndjson
    [ "$(jq '.sigs | length' two.ndjson | sort -u)" = 2 ]
    run gc-verify -q --validators validators.ndjson --quorum 2 two.ndjson
    assert_success
    assert_equal "$output" "$(cat two.ndjson)"
    run gc-verify -q --validators validators.ndjson --quorum 3 --rejects rej.ndjson two.ndjson
    assert_failure 65
    assert_equal "$(jq -r .reason rej.ndjson | sort -u)" no_quorum
    # signing again with the same key replaces its signature: still two
    gc-pool cosign -q -k "$KEYS/gpu-001.key" two.ndjson >again.ndjson
    [ "$(jq '.sigs | length' again.ndjson | sort -u)" = 2 ]
    # a changed total breaks every signature on that snapshot
    sed '1s/"count":3/"count":4/' two.ndjson >tampered.ndjson
    run gc-verify -q --validators validators.ndjson --quorum 1 --rejects rej.ndjson tampered.ndjson
    assert_failure 65
    assert_equal "$(jq -r .line rej.ndjson)" 1
    # a key that is not listed does not count
    gc-attest keygen --device stranger --class gpu --rated-w 1 --zone z -k stranger.key >/dev/null
    gc-pool cosign -q -k stranger.key snaps.ndjson >odd.ndjson
    run gc-verify -q --validators validators.ndjson --quorum 1 --rejects rej.ndjson odd.ndjson
    assert_failure 65
    run jq -r .detail rej.ndjson
    assert_line --index 0 "0 valid signatures of listed validators, 1 needed"
}

@test "gc-verify --snapshots checks inclusion proofs against their snapshot's root" {
    gc-pool build -q --pools "$FIX/pool/pools.ndjson" --registry "$W/registry.ndjson" out.ndjson >snaps.ndjson
    for d in gpu-1 gpu-2 gpu-3; do
        gc-pool prove -q --pool gpu-z1 --hour 2026-11-01T10:00:00Z --device "$d" snaps.ndjson
    done >proofs.ndjson
    run gc-verify -q --snapshots snaps.ndjson proofs.ndjson
    assert_success
    assert_equal "$output" "$(cat proofs.ndjson)"
    # a proof for another member's record, a wrong index, a root the snapshot does not have
    first=$(sed -n 1p proofs.ndjson)
    {
        jq -c --arg r "$(sed -n 3p proofs.ndjson | jq -r .record)" '.record = $r' <<<"$first"
        jq -c '.index = 2' <<<"$first"
        jq -c --arg r "$(printf '0%.0s' $(seq 64))" '.root = $r' <<<"$first"
        jq -c '.hour = "2026-11-01T12:00:00Z"' <<<"$first"
    } >bad.ndjson
    run gc-verify -q --snapshots snaps.ndjson --rejects rej.ndjson bad.ndjson
    assert_failure 65
    assert_equal "$(jq -r .reason rej.ndjson | sort -u)" bad_proof
    [ "$(grep -c . rej.ndjson)" -eq 4 ]
}

@test "build: trailing-window rules, green share over 24 hours and uptime" {
    run gc-pool build -q --pools "$FIX/pool/pools-window.ndjson" --registry "$W/registry.ndjson" out.ndjson
    assert_success
    echo "$output" >snaps.ndjson
    members() { jq -r --arg p "$1" --arg h "2026-11-01T$2:00:00Z" 'select(.pool == $p and .hour == $h) | [.members[].device] | join(" ")' snaps.ndjson; }
    # gpu-1 over the window: 334/700 at 10:00 (4771 bps, out), then 834/1200, 1434/2000, 1434/2300
    assert_equal "$(jq -r 'select(.pool == "steady-green") | .hour' snaps.ndjson | tr '\n' ' ')" \
        "2026-11-01T11:00:00Z 2026-11-01T20:00:00Z 2026-11-01T21:00:00Z "
    assert_equal "$(members steady-green 21)" "gpu-1"
    # uptime: gpu-3 ran 1800 of 3600 GPU-seconds at 10:00, under 60 %
    assert_equal "$(members busy 10)" "gpu-1 gpu-2"
}
