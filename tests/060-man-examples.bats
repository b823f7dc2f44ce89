#!/usr/bin/env bats
# The examples in gc-records(5) are real: the RFC 8032 key signs the readings shown there
# into exactly the attestations, state file and reject record shown there.

load helpers

# literal_blocks: every .Bd -literal block of a man page, escapes undone and continued lines
# (ending in a backslash) joined, blocks separated by a line "--".
literal_blocks() {
    awk '/^\.Bd -literal/ { inblock = 1; next }
         /^\.Ed/ { if (inblock) print "--"; inblock = 0; next }
         inblock { gsub(/\\e/, "\\"); print }' "$1" |
        awk '{ if (sub(/\\$/, "")) { buf = buf $0 } else { print buf $0; buf = "" } }'
}

# block_with TEXT [PAGE]: the lines of the first block of PAGE (gc-records(5)) that contains TEXT.
block_with() {
    literal_blocks "${2:-$TOP/man/gc-records.5}" |
        awk -v t="$1" '$0 == "--" { if (found) exit; n = 0; delete b; next }
                       { b[n++] = $0; if (index($0, t)) found = 1 }
                       END { if (found) for (i = 0; i < n; i++) print b[i] }'
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
    mkdir -m 700 keys
    block_with "seed 9d61b19d" >keys/pv-001.key
    chmod 600 keys/pv-001.key
}

@test "gc-records(5): the secret key file is RFC 8032 test 1 and keygen's record format" {
    run jq -r 'select(.id == "rfc8032-test1") | .public_key' "$TOP/tests/vectors/rfc8032-ed25519.ndjson"
    assert_output "$(sed -n 's/^pubkey //p' keys/pv-001.key)"
    block_with '"type":"device"' >device.ndjson
    assert_equal "$(jq -r .pubkey device.ndjson)" "$(sed -n 's/^pubkey //p' keys/pv-001.key)"
    jq -cS . device.ndjson | cmp - device.ndjson
}

@test "gc-records(5): signing the example readings gives the example attestations and state" {
    block_with '"energy_wh":812}' >readings.ndjson
    block_with '"energy_wh":1.5}' | head -n 1 >>readings.ndjson
    [ "$(grep -c . readings.ndjson)" -eq 3 ]
    run gc-attest sign --keydir keys --state state.ndjson --rejects rejects.ndjson \
        -o att.ndjson readings.ndjson
    assert_failure 65
    block_with '"seq":1,"sig"' | cmp - att.ndjson
    block_with '"type":"chain.head"' | cmp - state.ndjson
    block_with '"reason":"bad_field","source"' | tail -n 1 | cmp - rejects.ndjson
    # the canonical bytes and the hash shown there
    block_with '"seq":1,"ts"' >canon.txt
    head -n 1 att.ndjson | jq -cj 'del(.sig)' | cmp - <(tr -d '\n' <canon.txt)
    assert_equal "$(tr -d '\n' <canon.txt | sha256sum | cut -d' ' -f1)" \
        "$(jq -r .prev <(sed -n 2p att.ndjson))"
}

@test "gc-pool(1): the records its examples quote are what gc-pool writes for the fixture scenario" {
    mkdir -m 700 pk
    while read -r id class rated zone eff; do
        gc-attest keygen --device "$id" --class "$class" --rated-w "$rated" --zone "$zone" \
            ${eff:+--efficiency-bps "$eff"} -k "pk/$id.key"
    done <"$FIX/pool/devices.txt" >registry.ndjson
    gc-attest sign -q --keydir pk --state h.ndjson "$FIX/pool/readings.ndjson" |
        gc-verify -q --registry registry.ndjson --now 2026-11-02T00:00:00Z |
        gc-pool match -q --registry registry.ndjson >matched.ndjson
    cmp matched.ndjson "$FIX/pool/match.golden.ndjson"
    gc-pool report -q --intensity "$FIX/pool/intensity.ndjson" matched.ndjson >report.ndjson
    # every JSON record in the page's literal blocks, continuations joined
    literal_blocks "$TOP/man/gc-pool.1" | grep '^{' >quoted.ndjson
    [ "$(grep -c . quoted.ndjson)" -ge 4 ]
    while IFS= read -r rec; do
        grep -qxF "$rec" matched.ndjson report.ndjson || fail "gc-pool(1) quotes a record gc-pool does not write: $rec"
    done <quoted.ndjson
}

@test "gc-amm(1): its worked example runs, and every record it quotes is what gc-amm writes" {
    page=$TOP/man/gc-amm.1
    block_with '"type":"amm.open"' "$page" >events.ndjson
    block_with '"type":"amm.close"' "$page" >later.ndjson
    [ "$(grep -c . events.ndjson)" -ge 4 ] && [ "$(grep -c . later.ndjson)" -ge 3 ]
    gc-amm run -q --state market.ndjson events.ndjson >receipts.ndjson
    gc-amm quote --state market.ndjson --market gpu-z1.20261101t12 --buy 3600 >quote.ndjson
    gc-amm run -q --state market.ndjson later.ndjson >receipts2.ndjson
    gc-amm index --state market.ndjson >index.ndjson
    # the records the page quotes as output (input events are written type first)
    literal_blocks "$page" | grep '^{' | grep -v '^{"type":' >quoted.ndjson
    [ "$(grep -c . quoted.ndjson)" -ge 5 ]
    while IFS= read -r rec; do
        grep -qxF "$rec" receipts.ndjson quote.ndjson receipts2.ndjson index.ndjson ||
            fail "gc-amm(1) quotes a record gc-amm does not write: $rec"
    done <quoted.ndjson
}
