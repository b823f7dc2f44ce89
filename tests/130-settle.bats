#!/usr/bin/env bats
# shellcheck disable=SC2016 # jq programs name their own $variables inside single quotes
# gc-settle: periods of the fixture package (tests/fixtures/issue) paid down its three-tranche
# waterfall to the holders of its positions, into a hash-chained ledger that a re-run, a crash
# or an edit cannot double or corrupt. Income: tests/fixtures/settle/income.ndjson (make.py).

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
    W=$BATS_FILE_TMPDIR
    IX=$FIX/issue
    PKG=$IX/package.golden.ndjson
    INCOME=$FIX/settle/income.ndjson
    copy_keys "$IX/keys" "$W/keys"
    export W IX PKG INCOME
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
}

D1=2026-11-02T00:00:00Z/2026-11-03T00:00:00Z
D2=2026-11-03T00:00:00Z/2026-11-04T00:00:00Z
D3=2026-11-04T00:00:00Z/2026-11-05T00:00:00Z

# settle PERIOD [ARGS...]: settle a period of the fixture package into ledger.ndjson.
settle() {
    local period=$1
    shift
    gc-settle period --ledger ledger.ndjson --package "$PKG" --positions "${POSITIONS:-$PKG}" \
        --period "$period" "$@"
}

# tranche PERIOD_FILE NAME FIELD: a field of a tranche in the period record.
tranche() {
    jq -r --arg t "$2" "select(.type == \"period\").tranches[] | select(.tranche == \$t).$3" "$1"
}

# The waterfall by hand. Units: senior 363126246 (600 bps), mezzanine 40000000 (1000 bps),
# junior 25000000 (no coupon); tenor 7 days, so 1/7 of the senior and mezzanine units is due
# each day; interest = floor(balance x coupon x 86400 / (10000 x 31536000)); fee 300 bps.
S=363126246 M=40000000 Y=315360000000

@test "period: a good day, computed by hand, paid to the holders by units" {
    run -0 settle "$D1" -o d1.ndjson "$INCOME"
    assert_output --partial "7 in, 7 used, 0 rejected; 6 records out"
    # 60 + 45 bought, 5 sold back: 100 USD collected, 3 for the servicer.
    [ "$(jq 'select(.type == "period") | .collected_micros, .fee_micros, .delivered_gpu_s' d1.ndjson | tr '\n' ' ')" = "100000000 3000000 100000 " ]
    si=$((S * 600 * 86400 / Y)) sp=$((S / 7)) mi=$((M * 1000 * 86400 / Y)) mp=$((M / 7))
    [ "$si $sp $mi $mp" = "59691 51875178 10958 5714285" ]
    [ "$(tranche d1.ndjson senior interest_paid_micros)" = "$si" ]
    [ "$(tranche d1.ndjson senior principal_paid_micros)" = "$sp" ]
    [ "$(tranche d1.ndjson mezzanine interest_paid_micros)" = "$mi" ]
    [ "$(tranche d1.ndjson mezzanine principal_paid_micros)" = "$mp" ]
    [ "$(tranche d1.ndjson junior residual_micros)" = $((97000000 - si - sp - mi - mp)) ]
    [ "$(tranche d1.ndjson senior balance_out_micros)" = $((S - sp)) ]
    # Each tranche's payment is split over its positions by units and adds up exactly.
    run -0 jq -s -r '(map(select(.type == "period"))[0].tranches | map({(.tranche): (.interest_paid_micros + .principal_paid_micros + .residual_micros)}) | add) as $t
        | map(select(.type == "distribution")) | group_by(.tranche)
        | map(select((map(.amount_micros) | add) != $t[.[0].tranche])) | length' d1.ndjson
    assert_output 0
    # Largest remainder: each senior position gets floor(total x units / S) or one micro more.
    run -0 jq -s -r --argjson s "$S" --argjson total $((si + sp)) 'map(select(.tranche == "senior" and .type == "distribution"))
        | map((.amount_micros - ($total * .units / $s | floor))) | map(select(. != 0 and . != 1)) | length' d1.ndjson
    assert_output 0
    # Fee + distributed + carried = collected, and every holder paid is a holder of a position.
    [ "$(jq 'select(.type == "period") | .fee_micros + .distributed_micros + .carried_out_micros - .collected_micros' d1.ndjson)" = 0 ]
}

@test "period: a short day carries arrears, the next day pays them first" {
    settle "$D1" -q "$INCOME" >/dev/null
    run -0 settle "$D2" -q -o d2.ndjson "$INCOME"
    si=$(((S - S / 7) * 600 * 86400 / Y)) sp=$((2 * S / 7 - S / 7))
    mi=$(((M - M / 7) * 1000 * 86400 / Y)) mp=$((2 * M / 7 - M / 7))
    # 20 USD, 0.6 for the fee: 19.4 pays the senior interest and part of its principal.
    [ "$(tranche d2.ndjson senior interest_paid_micros)" = "$si" ]
    [ "$(tranche d2.ndjson senior principal_paid_micros)" = $((19400000 - si)) ]
    [ "$(tranche d2.ndjson senior arrears_principal_micros)" = $((sp - (19400000 - si))) ]
    [ "$(tranche d2.ndjson mezzanine interest_paid_micros)" = 0 ]
    [ "$(tranche d2.ndjson mezzanine arrears_interest_micros)" = "$mi" ]
    [ "$(tranche d2.ndjson mezzanine arrears_principal_micros)" = "$mp" ]
    [ "$(tranche d2.ndjson junior residual_micros)" = 0 ]
    # Day 3: 150 USD; the arrears come due on top of the day's schedule.
    run -0 settle "$D3" -q -o d3.ndjson "$INCOME"
    sb=$((S - S / 7 - (19400000 - si)))
    si3=$((sb * 600 * 86400 / Y)) sp3=$((3 * S / 7 - 2 * S / 7 + sp - (19400000 - si)))
    mb=$((M - M / 7))
    mi3=$((mb * 1000 * 86400 / Y + mi)) mp3=$((3 * M / 7 - 2 * M / 7 + mp))
    [ "$(tranche d3.ndjson senior interest_paid_micros)" = "$si3" ]
    [ "$(tranche d3.ndjson senior principal_paid_micros)" = "$sp3" ]
    [ "$(tranche d3.ndjson mezzanine interest_paid_micros)" = "$mi3" ]
    [ "$(tranche d3.ndjson mezzanine principal_paid_micros)" = "$mp3" ]
    [ "$(tranche d3.ndjson mezzanine arrears_interest_micros)" = 0 ]
    [ "$(tranche d3.ndjson junior residual_micros)" = $((145500000 - si3 - sp3 - mi3 - mp3)) ]
    # The market of pool gpu-z9 is not the package's: 3 records of the day counted, not 4.
    [ "$(jq 'select(.type == "period") | .n_income, .collected_micros' d3.ndjson | tr '\n' ' ')" = "1 150000000 " ]
}

@test "period: settled twice writes nothing the second time and says so" {
    settle "$D1" -q "$INCOME" >first.ndjson
    cp ledger.ndjson before.ndjson
    cp ledger.ndjson.head before.head
    # The same income in another order and split over two files: the same inputs digest.
    tac "$INCOME" | head -n 4 >a.ndjson
    tac "$INCOME" | tail -n +5 >b.ndjson
    run -0 settle "$D1" -o again.ndjson b.ndjson a.ndjson
    assert_output --partial "is settled already (seq 6): nothing written"
    [ ! -s again.ndjson ]
    cmp ledger.ndjson before.ndjson
    cmp ledger.ndjson.head before.head
    # Other income for a settled period is a conflict, not a second payout.
    head -n 1 "$INCOME" >less.ndjson
    run -65 settle "$D1" less.ndjson
    assert_output --partial "conflict: period $D1 was settled (seq 6) from other income"
    cmp ledger.ndjson before.ndjson
}

@test "period: periods go in order, without gaps or overlaps" {
    run -65 settle "$D2" "$INCOME"
    assert_output --partial "out_of_order: the next period of package 'gcp-z1-2026w45' starts at 2026-11-02T00:00:00Z"
    [ ! -s ledger.ndjson ]
    settle "$D1" -q "$INCOME" >/dev/null
    run -65 settle 2026-11-02T12:00:00Z/2026-11-04T00:00:00Z "$INCOME"
    assert_output --partial "starts at 2026-11-03T00:00:00Z"
    run -64 settle 2026-11-03T00:00:00Z/2026-11-03T00:00:00Z "$INCOME"
    assert_output --partial "ends before it starts"
    run -64 settle 2026-11-03 "$INCOME"
    assert_output --partial "START/END"
}

@test "period: distributions follow transfers to the current holders" {
    # Alice (position of subscription 0) moves 100000000 of her senior units to Bob.
    a=$(jq -r 'select(.type == "position" and .subscription == 0).position' "$PKG")
    bob=$(jq -r 'select(.party == "bob").pubkey' "$IX/parties.ndjson")
    gc-issue transfer -q -k "$W/keys/alice.key" --position "$a" --to "$bob" --units 100000000 "$PKG" >moves.ndjson
    cat "$PKG" moves.ndjson >positions.ndjson
    POSITIONS=positions.ndjson run -0 settle "$D1" -q -o d1.ndjson "$INCOME"
    # Alice's spent position is paid nothing; her change and Bob's new position are.
    [ "$(jq -r --arg a "$a" 'select(.position == $a) | .position' d1.ndjson)" = "" ]
    [ "$(jq -s --arg b "$bob" 'map(select(.type == "distribution" and .tranche == "senior" and .holder == $b)) | length' d1.ndjson)" = 2 ]
    [ "$(jq -s 'map(select(.type == "distribution" and .tranche == "senior") | .units) | add' d1.ndjson)" = "$S" ]
    # Without the transfer record the book cannot say who holds what: refused.
    jq -c 'select(.type != "position" or .subscription != 1)' "$PKG" >missing.ndjson
    rm -f ledger.ndjson ledger.ndjson.head
    POSITIONS=missing.ndjson run -65 settle "$D1" "$INCOME"
    assert_output --partial "incomplete: the positions of tranche 'senior' hold"
}

@test "period: income that is not income, twice, or in another currency is rejected" {
    { cat "$INCOME"; head -n 1 "$INCOME"; } >dup.ndjson
    run -65 settle "$D1" dup.ndjson
    assert_output --partial "duplicate"
    [ ! -s ledger.ndjson ]
    echo '{"type":"reading","v":1}' >odd.ndjson
    run -65 settle "$D1" --rejects rej.ndjson "$INCOME" odd.ndjson
    assert_output --partial "not settled: 1 income record(s) rejected"
    [ "$(reasons rej.ndjson)" = bad_field ]
    [ ! -s ledger.ndjson ]
    jq -c '{type: "payment", v: 1, task: "t1", market: "m", pool: "gpu-z1", hour: "2026-11-02T05:00:00Z", buyer: "b", device: "gpu-1", receipt: "00", gpu_s: 10, price_micros: 1, amount_micros: 5, currency: "EUR"}' -n >eur.ndjson
    run -65 settle "$D1" eur.ndjson
    assert_output --partial "currency: paid in EUR, the package is in USD"
    sed 's/EUR/USD/' eur.ndjson >usd.ndjson
    run -0 settle "$D1" -q -o d1.ndjson usd.ndjson
    [ "$(jq 'select(.type == "period").collected_micros' d1.ndjson)" = 5 ]
}

@test "ledger: an edited line is a chain break; a busy ledger is exit 75" {
    settle "$D1" -q "$INCOME" >/dev/null
    sed -i '2s/"units":/"units":1/' ledger.ndjson
    run -65 settle "$D2" "$INCOME"
    assert_output --partial "chain_break"
    rm -f ledger.ndjson ledger.ndjson.head
    touch ledger.ndjson
    run -75 flock ledger.ndjson gc-settle period --ledger ledger.ndjson --package "$PKG" --positions "$PKG" --period "$D1" "$INCOME"
    assert_output --partial "busy"
}

@test "ledger: a 'sig' the hash chain leaves out, or a line that is not UTF-8, is a chain break" {
    settle "$D1" -q "$INCOME" >/dev/null
    cp ledger.ndjson good.ndjson
    # Record hashes leave "sig" out: one added to a record would change nothing they cover.
    { head -n 1 good.ndjson | jq -cS '.sig = "00"'; tail -n +2 good.ndjson; } >ledger.ndjson
    run -65 settle "$D2" "$INCOME"
    assert_output --partial "chain_break: ledger.ndjson:1: the record carries a 'sig'"
    # A byte that is not UTF-8 in the last line, the head file gone with it.
    rm ledger.ndjson.head
    { head -n 5 good.ndjson; tail -n 1 good.ndjson | sed 's/"USD"/"US\xff"/'; } >ledger.ndjson
    run -65 settle "$D2" "$INCOME"
    assert_output --partial "chain_break: ledger.ndjson:6: the line is not valid UTF-8"
}

@test "ledger: a crash at any byte of a batch, then a re-run: nothing lost, nothing doubled" {
    settle "$D1" -q "$INCOME" >/dev/null
    cp ledger.ndjson d1.ledger
    cp ledger.ndjson.head d1.head
    settle "$D2" -q "$INCOME" >want.out
    cp ledger.ndjson want.ledger
    size1=$(stat -c %s d1.ledger) size2=$(stat -c %s want.ledger)
    # Every state a crash mid-write can leave: the committed ledger plus any prefix of the batch,
    # the head file not yet replaced. Step 7 bytes to keep the run short; line ends are kept.
    cuts=$(seq "$size1" 7 $((size2 - 1)); awk -v s="$size1" -v e="$size2" '{n += length($0) + 1; if (n > s && n < e) print n}' want.ledger)
    for cut in $cuts; do
        head -c "$cut" want.ledger >ledger.ndjson
        cp d1.head ledger.ndjson.head
        settle "$D2" -q "$INCOME" >got.out 2>err || fail "re-run after a cut at $cut: $(cat err)"
        cmp ledger.ndjson want.ledger || fail "the ledger after a cut at $cut differs"
        cmp got.out want.out || fail "the output after a cut at $cut differs"
    done
    # The message says what happened.
    head -c $((size1 + 100)) want.ledger >ledger.ndjson
    cp d1.head ledger.ndjson.head
    run -0 settle "$D2" -q -o out.ndjson "$INCOME"
    assert_output --partial "cut off a torn last line"
}

@test "ledger: kill -9 mid-run, then a re-run: the ledger is whole and nothing doubled" {
    # Many positions make the batch long enough to be caught mid-write now and then.
    bob=$(jq -r 'select(.party == "bob").pubkey' "$IX/parties.ndjson")
    cp "$PKG" positions.ndjson
    pos=$(jq -r 'select(.type == "position" and .subscription == 3).position' "$PKG")
    for i in $(seq 1 40); do
        gc-issue transfer -q -k "$W/keys/bob.key" --position "$pos" --to "$bob" --units 1000 positions.ndjson >t.ndjson
        cat t.ndjson >>positions.ndjson
        pos=$(jq -r 'select(.type == "position" and .output == 1).position' t.ndjson)
    done
    export POSITIONS=$PWD/positions.ndjson
    settle "$D1" -q "$INCOME" >/dev/null
    cp ledger.ndjson want.ledger
    for i in $(seq 1 25); do
        rm -f ledger.ndjson ledger.ndjson.head
        gc-settle period --ledger ledger.ndjson --package "$PKG" --positions "$POSITIONS" \
            --period "$D1" -q "$INCOME" >/dev/null 2>&1 &
        pid=$!
        sleep "0.00$((RANDOM % 10))"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        settle "$D1" -q "$INCOME" >/dev/null 2>err || fail "re-run $i: $(cat err)"
        cmp ledger.ndjson want.ledger || fail "run $i: the ledger differs after kill -9 and a re-run"
    done
}

# The gc-pool fixture's match output, scaled so whole tonnes and MWh build up, and an
# intensity file: 400 g CO2e per kWh in z1, 250 in z2.
carbon_fixtures() {
    jq -c 'if .type == "allocation" then .green_wh *= 2000 elif .type == "certificate" then .unclaimed_wh *= 1000 else . end' \
        "$FIX/pool/match.golden.ndjson" >matched.ndjson
    for h in 10 11 20 21; do
        printf '{"type":"intensity","v":1,"zone":"z1","hour":"2026-11-01T%s:00:00Z","gco2_per_kwh":400}\n' "$h"
        printf '{"type":"intensity","v":1,"zone":"z2","hour":"2026-11-01T%s:00:00Z","gco2_per_kwh":250}\n' "$h"
    done >intensity.ndjson
}

@test "carbon: whole-tonne credits and whole-MWh RECs, the remainder carried, never twice" {
    carbon_fixtures
    run -0 gc-settle carbon --ledger ledger.ndjson --intensity intensity.ndjson -o c.ndjson matched.ndjson
    # By hand: z1 computes (334 + 333 + 333 + 500 + 600) x 2000 Wh at 400 g/kWh = 1680 kg,
    # z2 100 x 2000 Wh at 250 = 50 kg; the battery's charge (bat-1) counts only when discharged.
    # 1730 kg: one credit, 730 kg carried. Unclaimed: (400 + 1500) x 1000 Wh: one REC, 0.9 MWh carried.
    assert_output --partial "1 carbon credit(s), 1 REC(s); carried 730000000 mg CO2e and 900000 Wh"
    [ "$(jq -s 'map(select(.type == "carbon.accrual").avoided_mg) | add' c.ndjson)" = 1730000000 ]
    [ "$(jq -s 'map(select(.type == "carbon.accrual" and .device == "bat-1")) | length' c.ndjson)" = 0 ]
    # Each credit is one tonne of named parts, each REC one MWh.
    [ "$(jq -s 'map(select(.type == "carbon.credit") | (.allocations | map(.avoided_mg) | add)) | unique' -c c.ndjson)" = "[1000000000]" ]
    [ "$(jq -s 'map(select(.type == "rec") | (.certificates | map(.wh) | add)) | unique' -c c.ndjson)" = "[1000000]" ]
    # The same input again: nothing new.
    cp ledger.ndjson before.ndjson
    run -0 gc-settle carbon --ledger ledger.ndjson --intensity intensity.ndjson -o again.ndjson matched.ndjson
    assert_output --partial "0 accrued (8 before)"
    [ ! -s again.ndjson ]
    cmp ledger.ndjson before.ndjson
    # More of the same zone-hours, from another run of gc-pool: the carried part completes credits.
    jq -c 'select(.type == "allocation") | .device += "-x" | .green_wh *= 3' matched.ndjson >more.ndjson
    run -0 gc-settle carbon --ledger ledger.ndjson --intensity intensity.ndjson -o more.out more.ndjson
    # 3 x 1730 kg more: 5190 + 730 = 5920 kg, 5 credits, 920 kg carried.
    assert_output --partial "5 carbon credit(s), 0 REC(s); carried 920000000 mg CO2e"
    # Over the whole ledger: no allocation retired twice, none gives more than it accrued,
    # and credits + carried = accrued, to the milligram.
    run -0 jq -s -r '
        (map(select(.type == "carbon.accrual") | {(.allocation): .avoided_mg}) | add) as $acc
        | (map(select(.type == "carbon.credit") | .allocations[]) | group_by(.allocation)
           | map({(.[0].allocation): (map(.avoided_mg) | add)}) | add) as $taken
        | (map(select(.type == "carbon.credit") | .retires[]) | (length == (unique | length))),
          ([$taken | to_entries[] | select(.value > $acc[.key])] | length),
          (($acc | to_entries | map(.value) | add) - (map(select(.type == "carbon.credit")) | length) * 1000000000)' ledger.ndjson
    assert_output "$(printf 'true\n0\n920000000')"
}

@test "carbon: a zone-hour without an intensity is rejected, not guessed" {
    carbon_fixtures
    grep -v '"z2"' intensity.ndjson >z1.ndjson
    run -65 gc-settle carbon --ledger ledger.ndjson --intensity z1.ndjson matched.ndjson
    assert_output --partial "no_intensity: no carbon intensity for zone 'z2' in that hour"
    [ ! -s ledger.ndjson ]
    run -65 gc-settle carbon --ledger ledger.ndjson --intensity z1.ndjson --rejects rej.ndjson -o c.ndjson matched.ndjson
    [ "$(reasons rej.ndjson)" = no_intensity ]
    [ "$(jq -s 'map(select(.type == "carbon.accrual" and .zone == "z2")) | length' c.ndjson)" = 0 ]
    # Once the intensity is known, the rejected allocation is accrued, the others are not again.
    run -0 gc-settle carbon --ledger ledger.ndjson --intensity intensity.ndjson matched.ndjson
    assert_output --partial "1 accrued (7 before)"
    run -64 gc-settle carbon --ledger ledger.ndjson matched.ndjson
    assert_output --partial "carbon needs --intensity FILE"
    run -64 gc-settle carbon --ledger ledger.ndjson --intensity z1.ndjson --period "$D1"
    assert_output --partial "--period does not go with carbon"
}

@test "carbon: a crash at any line of a batch, then a re-run, gives the uninterrupted ledger" {
    carbon_fixtures
    gc-settle carbon -q --ledger ledger.ndjson --intensity intensity.ndjson matched.ndjson >/dev/null
    cp ledger.ndjson want.ledger
    awk '{n += length($0) + 1; print n - 20; print n}' want.ledger >cuts.txt
    while read -r cut; do
        head -c "$cut" want.ledger >ledger.ndjson
        rm -f ledger.ndjson.head
        gc-settle carbon -q --ledger ledger.ndjson --intensity intensity.ndjson matched.ndjson >/dev/null 2>err ||
            fail "re-run after a cut at $cut: $(cat err)"
        cmp ledger.ndjson want.ledger || fail "the ledger after a cut at $cut differs"
    done <cuts.txt
}

@test "carbon: a later intensity for a zone-hour replaces an earlier one, as in gc-pool report" {
    carbon_fixtures
    # Enough repeated zone-hours to make the table grow while entries are being replaced.
    { cat intensity.ndjson; for i in $(seq 1 40); do
        printf '{"type":"intensity","v":1,"zone":"z%s","hour":"2026-11-01T10:00:00Z","gco2_per_kwh":1}\n' "$i"
    done; sed 's/"gco2_per_kwh":400/"gco2_per_kwh":500/' intensity.ndjson; } >twice.ndjson
    run -0 gc-settle carbon --ledger ledger.ndjson --intensity twice.ndjson -o c.ndjson matched.ndjson
    [ "$(jq -s 'map(select(.type == "carbon.accrual" and .zone == "z1").gco2_per_kwh) | unique' -c c.ndjson)" = "[500]" ]
    run -0 gc-pool report --intensity twice.ndjson -o report.ndjson "$FIX/pool/match.golden.ndjson"
}

@test "period: the interest-coverage test of the terms (min_ic_bps) fails on a thin period and says so" {
    # A package whose terms ask for cash of 20 x the senior interest (min_ic_bps 200000).
    jq -c '.min_ic_bps = 200000' "$IX/terms.ndjson" >terms.ndjson
    gc-issue package -q --terms terms.ndjson -k "$W/keys/issuer.key" --validators "$IX/validators.ndjson" \
        --quorum 2 --index "$IX/index.ndjson" "$IX/snapshots.ndjson" >pkg.ndjson
    # One USD of task payments: 0.97 after the fee, under 20 x the senior interest of 59691.
    jq -c -n '{type: "payment", v: 1, task: "t1", market: "gpu-z1.20261102t05", pool: "gpu-z1", hour: "2026-11-02T05:00:00Z", buyer: "b", device: "gpu-1", receipt: "00", gpu_s: 10, price_micros: 1, amount_micros: 1000000, currency: "USD"}' >pay.ndjson
    gc-settle period -q --ledger ledger.ndjson --package pkg.ndjson --positions pkg.ndjson \
        --period "$D1" -o d1.ndjson pay.ndjson
    [ "$(jq -c 'select(.type == "period") | [.ic_failed, .oc_failed, .collected_micros, .fee_micros]' d1.ndjson)" = "[true,false,1000000,30000]" ]
    # 970000: senior interest 59691, the rest to senior principal (the diversion itself, with
    # cash past the schedule, is in tests/unit/test_waterfall.c); nothing below.
    [ "$(tranche d1.ndjson senior principal_paid_micros)" = $((970000 - 59691)) ]
    [ "$(tranche d1.ndjson mezzanine interest_paid_micros)" = 0 ]
    [ "$(tranche d1.ndjson junior residual_micros)" = 0 ]
}
