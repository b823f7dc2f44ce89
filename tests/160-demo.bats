#!/usr/bin/env bats
# shellcheck disable=SC2016 # jq programs name their own $variables inside single quotes
# make demo and make plots as a new user meets them: the sample world is what its script
# generates, the whole chain runs on it to the golden summary, the records it leaves obey the
# invariants of each stage, and the charts are drawn.

load helpers

setup_file() {
    D=$BATS_FILE_TMPDIR/demo
    sh "$TOP/examples/demo.sh" "$D" >"$BATS_FILE_TMPDIR/summary.txt" 2>"$BATS_FILE_TMPDIR/steps.txt"
    export D
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
}

@test "examples/world is what examples/world.py generates, byte for byte" {
    python3 "$TOP/examples/world.py" world
    diff -r world "$TOP/examples/world"
}

@test "the demo runs every step and prints the golden summary" {
    # the steps, in order, on standard error; the summary alone on standard output
    [ "$(grep -c '^== ' "$BATS_FILE_TMPDIR/steps.txt")" -eq 14 ] || cat "$BATS_FILE_TMPDIR/steps.txt"
    sed '$d' "$BATS_FILE_TMPDIR/summary.txt" | diff - "$FIX/demo/summary.golden"
    # the README quotes it
    awk '/tests\/fixtures\/demo\/summary.golden/ { on = 1; next } on && /^```text/ { next }
         on && /^```/ { exit } on' "$TOP/README.md" | diff - <(sed -e 1d -e '$d' "$FIX/demo/summary.golden")
    assert_equal "$(tail -n 1 "$BATS_FILE_TMPDIR/summary.txt")" \
        "files are in $D; make plots draws hourly.tsv, prices.tsv and waterfall.tsv"
}

@test "demo: every reading is signed, and every fault planted is caught with its reason" {
    n=$(grep -c . "$TOP/examples/world/readings.ndjson")
    [ "$(zstd -dcq "$D/attestations.ndjson.zst" | grep -c .)" -eq "$n" ]
    # one forged (its successor then no longer links: chain_gap), one replayed, one over rating
    assert_equal "$(jq -r '"\(.reason) \(.input | fromjson | .device)"' "$D/verify-rejects.ndjson" |
        sort | tr '\n' ,)" \
        "bad_signature pv-fr-2,chain_gap pv-fr-2,duplicate gpu-es-3,over_capacity pv-es-2,"
    [ $(($(grep -c . "$D/verified.ndjson") + 4)) -eq $((n + 1)) ]
}

@test "demo: matching claims no Wh twice, and every snapshot carries two validators' signatures" {
    run gc-pool audit "$D/matched.ndjson"
    assert_success
    [ "$(jq -s 'map(select(.type == "match" and (.matched_wh > .supply_wh or .matched_wh > .demand_wh))) | length' \
        "$D/matched.ndjson")" -eq 0 ]
    [ "$(jq -s 'map(select((.sigs | length) != 2)) | length' "$D/snapshots.ndjson")" -eq 0 ]
    [ "$(grep -c . "$D/snapshots.ndjson")" -eq 216 ]
}

@test "demo: every period's cash adds up, and every distribution is in its period's total" {
    jq -s -e 'map(select(.type == "period")) | length == 8 and
        all(.fee_micros + .distributed_micros + .carried_out_micros ==
            .collected_micros + .carried_in_micros)' "$D/payouts.ndjson"
    jq -s -e '(map(select(.type == "distribution")) | group_by(.period) |
                map({key: .[0].period, value: (map(.amount_micros) | add)}) | from_entries) as $d |
        map(select(.type == "period")) | all(.distributed_micros == ($d[.period] // 0))' \
        "$D/payouts.ndjson"
    # the ledger is one hash chain: seq 1, 2, 3 ..., each naming the SHA-256 of the line before
    python3 - "$D/ledger.ndjson" <<'PY'
import hashlib, json, sys
prev = "0" * 64
for seq, line in enumerate(open(sys.argv[1], "rb"), 1):
    rec = json.loads(line)
    assert rec["seq"] == seq and rec["prev"] == prev, (seq, rec["prev"], prev)
    prev = hashlib.sha256(line.rstrip(b"\n")).hexdigest()
PY
}

@test "demo: the reserve is solvent and its report names the ledger's head" {
    jq -e '.supply_micros + .surplus_micros == .debt_micros + .bad_debt_micros' "$D/reserve.json"
    jq -e '.ratio_bps == (.collateral_micros * 10000 / .supply_micros | floor)' "$D/reserve.json"
    [ "$(jq .ledger_seq "$D/reserve.json")" -eq "$(jq -s 'map(select(.type == "mint")) | last.seq' "$D/ledger.ndjson")" ]
    assert_equal "$(jq -r .reason "$D/mints-refused.ndjson")" over_ratio
}

@test "demo: carbon credits retire only what was accrued, each allocation once" {
    jq -s -e '(map(select(.type == "carbon.accrual")) | map({key: .allocation, value: .avoided_mg}) |
               from_entries) as $acc |
        map(select(.type == "carbon.credit")) | length >= 1 and
        all(.avoided_mg == 1000000000 and (.allocations | map(.avoided_mg) | add) == 1000000000 and
            all(.allocations[]; .avoided_mg <= $acc[.allocation]))' "$D/carbon.ndjson"
    [ "$(jq -r 'select(.type == "carbon.accrual") | .allocation' "$D/carbon.ndjson" | sort | uniq -d | wc -l)" -eq 0 ]
}

@test "make plots: four SVG charts drawn from the tables of the demo and the sweep, with their data" {
    sh "$TOP/examples/scenarios.sh" "$D" >/dev/null
    run sh "$TOP/examples/plots.sh" "$D"
    assert_success
    assert_equal "$output" "$D/prices.svg
$D/scenarios.svg
$D/supply-demand.svg
$D/waterfall.svg"
    for chart in prices:"Fill prices against time to delivery" \
        scenarios:"YieldSpace (ys) against constant product (cp)" \
        supply-demand:"Green supply, demand and hourly CFE per zone" \
        waterfall:"Settlement waterfall per period"; do
        f=$D/${chart%%:*}.svg
        python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$f"
        grep -qF "${chart#*:}" "$f" || fail "$f: no title"
        # the data, not just the axes: many drawn paths and points
        [ "$(grep -c '<path' "$f")" -gt 20 ] || fail "$f: $(grep -c '<path' "$f") paths"
        [ "$(wc -c <"$f")" -gt 20000 ] || fail "$f: too small"
    done
    # every series of the waterfall is in its key
    for s in fee senior_principal mezzanine_principal junior_residual; do
        grep -qF ">$s<" "$D/waterfall.svg" || fail "waterfall: no $s"
    done
    # the chart the README shows is the one make plots draws
    diff <(grep -v '<desc>' "$D/supply-demand.svg") <(grep -v '<desc>' "$TOP/examples/charts/supply-demand.svg")
}
