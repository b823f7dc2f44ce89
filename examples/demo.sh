#!/bin/sh
# The whole gc chain on the sample world in examples/world (see examples/world.py): meter
# readings -> signed attestations -> verified records -> hourly matching -> co-signed pool
# snapshots -> markets and their index -> an RWA note -> transfers -> settlement -> stablecoin
# -> reserve report -> carbon credits, then a summary and the tables the plots are drawn from.
#
#   GC_BIN=build/bin sh examples/demo.sh [WORKDIR]        (make demo does this)
#
# Every step is one command you can copy into your own scripts. Needs jq and zstd.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
world=$here/world
bin=${GC_BIN:-$here/../build/bin}
work=${1:-$here/../build/demo}
PATH=$bin:$PATH

rm -rf "$work"
mkdir -p "$work/keys"
chmod 700 "$work/keys"
cd "$work"
work=$(pwd)

say() { printf '== %s\n' "$*" >&2; }
count() { grep -c . "$1" || true; }
# An exit status of 65 means some input was refused: the refusals are in the --rejects file.
refusals_ok() { [ "$1" -eq 0 ] || [ "$1" -eq 65 ]; }
# usd MICROS: a whole number of micros as dollars and cents (cents truncated), exact.
usd() { printf '%d.%02d' $(($1 / 1000000)) $(($1 % 1000000 / 10000)); }
# pct BPS: basis points as a percentage.
pct() { printf '%d.%02d %%' $(($1 / 100)) $(($1 % 100)); }
pubkey() { jq -r --arg p "$1" 'select(.party == $p).pubkey' parties.ndjson; }

say "1. keygen: a key per device (the registry) and per party (issuer, holders, reserve, validators)"
grep -v '^#' "$world/devices.tsv" | while IFS='	' read -r id class rated_w zone gpus eff geohash; do
    set -- --device "$id" --class "$class" --rated-w "$rated_w" --zone "$zone" \
        --geohash "$geohash" -k "keys/$id.key"
    [ "$gpus" = 0 ] || set -- "$@" --gpus "$gpus"
    [ "$eff" = 0 ] || set -- "$@" --efficiency-bps "$eff"
    gc-attest keygen "$@"
done >registry.ndjson
for p in issuer alice bob carol reserve val-1 val-2 val-3; do
    gc-issue keygen --id "$p" -k "keys/$p.key"
done >parties.ndjson
jq -c 'select(.party | startswith("val-")) | {type: "validator", v: 1, validator: .party, pubkey}' \
    parties.ndjson >validators.ndjson

say "2. sign: each device's readings into its hash chain, archived compressed"
gc-attest sign -q --keydir keys --state sign-heads.ndjson --rejects sign-rejects.ndjson \
    -o attestations.ndjson.zst "$world/readings.ndjson" || refusals_ok $?

say "3. the network: one reading of pv-fr-2 forged (one more digit of energy), one of gpu-es-3 replayed"
zstd -dcq attestations.ndjson.zst >sent.ndjson
awk '!done && /"device":"pv-fr-2"/ && sub(/"energy_wh":[1-9][0-9]*/, "&0") { done = 1 } { print }' \
    sent.ndjson >received.ndjson
grep '"device":"gpu-es-3"' sent.ndjson | sed -n 30p >>received.ndjson

say "4. verify: signatures, chains, plausibility against the registry; bad records kept with reasons"
gc-verify -q --registry registry.ndjson --state verify-heads.ndjson --now 2026-11-05T00:00:00Z \
    --rejects verify-rejects.ndjson -o verified.ndjson received.ndjson || refusals_ok $?

say "5. match: green generation to compute per zone and UTC hour; the daily CFE report"
gc-pool match -q --registry registry.ndjson -o matched.ndjson verified.ndjson
gc-pool report -q --intensity "$world/intensity.ndjson" -o report.ndjson matched.ndjson

say "6. pool: an hourly snapshot per pool, co-signed by two of the three validators"
gc-pool build -q --pools "$world/pools.ndjson" --registry registry.ndjson matched.ndjson |
    gc-pool cosign -q -k keys/val-1.key | gc-pool cosign -q -k keys/val-3.key >snapshots.ndjson

say "7. markets: 60 simulated buyers per pool-hour trade the snapshots' green GPU time"
gc-amm simulate -q --seed 45 --hours 72 --supply snapshots.ndjson --demand 60 -o simulated.ndjson
# The simulation's events are what a market operator would receive; run them for real.
grep -E '"type":"amm\.(open|add|remove|swap|poll|close)"' simulated.ndjson >events.ndjson
gc-amm run -q --state amm.state --rejects orders-refused.ndjson -o receipts.ndjson events.ndjson ||
    refusals_ok $?
# Hours with no green supply never trade: their markets have no price to average (warnings).
gc-amm index -q --state amm.state -o index.ndjson 2>index-warnings.txt

say "8. issue: a one-week note on the three pools, valued on the snapshots of the day before"
sed "s/@alice/$(pubkey alice)/g; s/@bob/$(pubkey bob)/g; s/@carol/$(pubkey carol)/g" \
    "$world/terms.ndjson" >terms.ndjson
gc-issue package -q --terms terms.ndjson -k keys/issuer.key --validators validators.ndjson \
    --quorum 2 --index index.ndjson -o package.ndjson snapshots.ndjson

say "9. transfer: bob sells a quarter of his mezzanine to alice; alice pledges her senior to the reserve"
position() {
    jq -r --arg t "$1" --arg h "$(pubkey "$2")" \
        'select(.type == "position" and .tranche == $t and .holder == $h).position' package.ndjson
}
gc-issue transfer -q -k keys/bob.key --position "$(position mezzanine bob)" \
    --to "$(pubkey alice)" --units 1250000000 package.ndjson >ownership.ndjson
gc-issue pledge -q -k keys/alice.key --position "$(position senior alice)" \
    --to "$(pubkey reserve)" package.ndjson ownership.ndjson >pledge.ndjson
cat package.ndjson ownership.ndjson pledge.ndjson >positions.ndjson

say "10. settle: the note's first two days of market income, every 6 hours, down the waterfall"
t=2026-11-03T00:00:00Z
for end in 03T06 03T12 03T18 04T00 04T06 04T12 04T18 05T00; do
    gc-settle period -q --ledger ledger.ndjson --package package.ndjson \
        --positions positions.ndjson --period "$t/2026-11-${end}:00:00Z" receipts.ndjson
    t=2026-11-${end}:00:00Z
done >payouts.ndjson

say "11. mint: alice draws stablecoin against her pledged senior position; a second draw goes too far"
gc-settle sign -q -k keys/alice.key "$world/requests.ndjson" >requests.ndjson
gc-settle mint -q --ledger ledger.ndjson --package package.ndjson --positions positions.ndjson \
    --params "$world/params.ndjson" -k keys/reserve.key --rejects mints-refused.ndjson \
    -o mints.ndjson requests.ndjson || refusals_ok $?

say "12. reserve: the signed report at the end of the third day"
gc-settle reserve -q --ledger ledger.ndjson -k keys/reserve.key --at 2026-11-05T00:00:00Z >reserve.json

say "13. carbon: avoided emissions of the matched green Wh into whole-tonne credits"
gc-settle carbon -q --ledger ledger.ndjson --intensity "$world/intensity.ndjson" \
    -o carbon.ndjson matched.ndjson

say "14. tables for make plots"
# Per zone and hour: supply, demand and matched kWh, and the hourly CFE in percent.
{
    printf 'zone\thour\tsupply_kwh\tdemand_kwh\tmatched_kwh\tcfe_pct\n'
    jq -r 'select(.type == "match") |
        [.zone, .hour, .supply_wh / 1000, .demand_wh / 1000, .matched_wh / 1000, .cfe_bps / 100] |
        @tsv' matched.ndjson | sort
} >hourly.tsv
# Every fill of the markets under each curve: hours to delivery and price per GPU-hour.
{
    printf 'curve\thours_to_delivery\tusd_per_gpu_h\n'
    for curve in ys cp; do
        gc-amm simulate -q --seed 45 --hours 72 --supply snapshots.ndjson --demand 60 \
            --curve "$curve" |
            jq -r --arg c "$curve" 'select(.type == "amm.fill") |
                [$c, ((.hour | fromdate) - (.ts | fromdate)) / 3600, .price_micros / 1e6] | @tsv'
    done
} >prices.tsv
# Where each period's cash went: the fee, then each tranche's interest, principal and residual.
{
    printf 'period\tfee\tsenior_interest\tsenior_principal\tmezzanine_interest\tmezzanine_principal\tjunior_residual\tcarried\n'
    jq -r 'select(.type == "period") | (.tranches | map({(.tranche): .}) | add) as $t |
        [(.start[5:16] | sub("T"; " ")), .fee_micros, $t.senior.interest_paid_micros, $t.senior.principal_paid_micros,
         $t.mezzanine.interest_paid_micros, $t.mezzanine.principal_paid_micros,
         $t.junior.residual_micros, .carried_out_micros] | map(if type == "number" then . / 1e6 else . end) |
        @tsv' payouts.ndjson
} >waterfall.tsv

# ---- the summary, every figure read back from the records written above ----
sum() { jq -s "map($1) | add // 0" "$2"; }
reasons() {
    jq -r .reason "$1" | sort | uniq -c | awk '{ printf "%s%d %s", sep, $1, $2; sep = ", " }'
}
n_in=$(count "$world/readings.ndjson")
n_dev=$(count registry.ndjson)
printf '\n'
printf 'readings      %d from %d devices in 3 zones over 72 hours\n' "$n_in" "$n_dev"
printf 'signed        %d attestations (%d refused by gc-attest)\n' \
    "$(count sent.ndjson)" "$(count sign-rejects.ndjson)"
printf 'verified      %d of %d received; rejected %d: %s\n' "$(count verified.ndjson)" \
    "$(count received.ndjson)" "$(count verify-rejects.ndjson)" "$(reasons verify-rejects.ndjson)"
# kWh from the match records, whose supply counts what batteries give back; CFE from the report.
printf '\n%-10s %12s %12s %12s   %s\n' zone "supply kWh" "demand kWh" "matched kWh" \
    "hourly CFE by day"
for zone in $(jq -r .zone report.ndjson | sort -u); do
    jq -r --arg z "$zone" 'select(.type == "match" and .zone == $z) |
        "\(.supply_wh) \(.demand_wh) \(.matched_wh)"' matched.ndjson |
        awk '{ s += $1; d += $2; m += $3 } END { printf "%d %d %d\n", s / 1000, d / 1000, m / 1000 }' | {
        read -r supply demand matched
        printf '%-10s %12s %12s %12s  ' "$zone" "$supply" "$demand" "$matched"
        jq -r --arg z "$zone" 'select(.zone == $z) | .hourly_cfe_bps' report.ndjson |
            while read -r bps; do printf ' %s' "$(pct "$bps")"; done
        printf '\n'
    }
done
green_s=$(sum .green_gpu_s snapshots.ndjson)
gpu_s=$(sum .gpu_s snapshots.ndjson)
printf '\ngreen GPU     %d of %d GPU-hours (%s) in %d co-signed pool snapshots\n' \
    $((green_s / 3600)) $((gpu_s / 3600)) "$(pct $((green_s * 10000 / gpu_s)))" \
    "$(count snapshots.ndjson)"
printf 'markets       %d markets, %d fills, revenue %s USD; %d orders refused: %s\n' \
    "$(grep -c '"type":"amm.opened"' receipts.ndjson)" "$(grep -c '"type":"amm.fill"' receipts.ndjson)" \
    "$(usd "$(jq -s 'map(select(.type == "amm.fill") | if .side == "buy" then .cash_micros else -.cash_micros end) | add' receipts.ndjson)")" \
    "$(count orders-refused.ndjson)" "$(reasons orders-refused.ndjson)"
jq -r '.price_index | "\(.twap_micros) \(.market)"' package.ndjson | head -n 1 | {
    read -r twap market
    printf 'index price   %s USD per GPU-hour (TWAP of %s, the package price)\n' "$(usd "$twap")" "$market"
}
jq -r 'select(.type == "package") | "\(.nav_micros) \(.tranches | map("\(.tranche) \(.units)") | join(" "))"' \
    package.ndjson | {
    read -r nav t1 u1 t2 u2 t3 u3
    printf 'note          NAV %s USD; sold %s %s, %s %s, %s %s\n' "$(usd "$nav")" \
        "$t1" "$(usd "$u1")" "$t2" "$(usd "$u2")" "$t3" "$(usd "$u3")"
}
# The totals of the periods, and what is owed but unpaid after the last.
jq -s -r 'map(select(.type == "period")) |
    "\(length) \(map(.collected_micros) | add) \(map(.fee_micros) | add) \(map(.distributed_micros) | add) \(last.tranches | map(.arrears_principal_micros + .arrears_interest_micros) | add)"' \
    payouts.ndjson | {
    read -r n collected fee paid arrears
    printf 'settlement    %d periods: collected %s, fee %s, paid to holders %s USD; in arrears %s USD\n' \
        "$n" "$(usd "$collected")" "$(usd "$fee")" "$(usd "$paid")" "$(usd "$arrears")"
}
jq -r '"\(.supply_micros) \(.collateral_micros) \(.ratio_bps) \(.surplus_micros)"' reserve.json | {
    read -r supply collateral ratio surplus
    printf 'stablecoin    supply %s USD against collateral %s USD: reserve ratio %s; fees %s USD\n' \
        "$(usd "$supply")" "$(usd "$collateral")" "$(pct "$ratio")" "$(usd "$surplus")"
}
printf '              %d mint(s); refused %d: %s\n' "$(grep -c '"type":"mint"' mints.ndjson || true)" \
    "$(count mints-refused.ndjson)" "$(reasons mints-refused.ndjson)"
credits=$(grep -c '"type":"carbon.credit"' carbon.ndjson || true)
accrued_mg=$(jq -s 'map(select(.type == "carbon.accrual") | .avoided_mg) | add // 0' carbon.ndjson)
printf 'carbon        %d t CO2e credited in whole-tonne credits; %d kg accrued toward the next\n' \
    "$credits" $(((accrued_mg - credits * 1000000000) / 1000000))
printf '\nfiles are in %s; make plots draws hourly.tsv, prices.tsv and waterfall.tsv\n' "$work"
