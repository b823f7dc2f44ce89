#!/usr/bin/env bats
# shellcheck disable=SC2016 # jq programs name their own $variables inside single quotes
# gc-settle mint, burn, reserve and sign: a stablecoin drawn against fixture positions pledged
# to the reserve, Maker's fee and solvency equation, oracle write-downs and liquidation.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
    W=$BATS_FILE_TMPDIR
    IX=$FIX/issue
    PKG=$IX/package.golden.ndjson
    copy_keys "$IX/keys" "$W/keys"
    gc-issue keygen --id reserve -k "$W/keys/reserve.key" >"$W/reserve.ndjson"
    gc-issue keygen --id oracle-1 -k "$W/keys/oracle.key" >"$W/oracles.ndjson"
    RESERVE=$(jq -r .pubkey "$W/reserve.ndjson")
    # Alice pledges her senior position (181563121 of the 363126246 units) to the reserve.
    a=$(jq -r 'select(.type == "position" and .subscription == 0).position' "$PKG")
    gc-issue pledge -q -k "$W/keys/alice.key" --position "$a" --to "$RESERVE" "$PKG" >"$W/pledge.ndjson"
    cat "$PKG" "$W/pledge.ndjson" >"$W/owned.ndjson"
    # 5 % a day (Maker's jug test duty), 150 % to be safe, a 10 % haircut.
    cat >"$W/params.ndjson" <<'EOF'
{"type":"reserve.params","v":1,"package":"gcp-z1-2026w45","duty":"1000000564701133626865910626","liquidation_bps":15000,"ceiling_micros":1000000000,"min_draw_micros":1000000,"haircut_bps":1000}
{"type":"reserve.params","v":1,"global_ceiling_micros":5000000000}
EOF
    export W IX PKG RESERVE
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
}

T0=2026-11-02T00:00:00Z

# request TYPE ID AMOUNT TS [KEY]: a request signed by alice (or KEY).
request() {
    printf '{"type":"%s","v":1,"request":"%s","package":"gcp-z1-2026w45","amount_micros":%s,"ts":"%s"}\n' \
        "$1" "$2" "$3" "$4" | gc-settle sign -q -k "$W/keys/${5:-alice}.key"
}

# oracle VALUE TS: the package's value signed by the oracle.
oracle() {
    printf '{"type":"oracle","v":1,"package":"gcp-z1-2026w45","value_micros":%s,"ts":"%s"}\n' "$1" "$2" |
        gc-settle sign -q -k "$W/keys/oracle.key"
}

# vault VERB ARGS...: mint or burn against the fixture package into ledger.ndjson.
vault() {
    local verb=$1
    shift
    gc-settle "$verb" --ledger ledger.ndjson --package "$PKG" --positions "$W/owned.ndjson" \
        --params "$W/params.ndjson" --oracles "$W/oracles.ndjson" -k "$W/keys/reserve.key" "$@"
}

# report AT: the reserve report at AT.
report() {
    gc-settle reserve -q --ledger ledger.ndjson -k "$W/keys/reserve.key" --at "$1"
}

# solvent REPORT: supply + surplus = debt + bad debt, Maker's vat equation.
solvent() {
    [ "$(jq '.supply_micros + .surplus_micros - .debt_micros - .bad_debt_micros' <<<"$1")" = 0 ] ||
        fail "not solvent: $1"
}

@test "mint: collateral by hand, and the stability fee after 1, 2, 3 days is Maker's 5 %" {
    request mint.request m1 100000000 "$T0" >m1.ndjson
    run -0 vault mint -o out.ndjson m1.ndjson
    # Alice's half of the senior tranche, covered in full by the NAV, less 10 %:
    # floor(181563121 x 9000 / 10000) = 163406808.
    [ "$(jq 'select(.type == "mint") | .collateral_micros, .debt_micros, .supply_micros' out.ndjson | tr '\n' ' ')" = "163406808 100000000 100000000 " ]
    # 5, 10.25 and 15.7625 on a debt of 100, each within a micro rounded toward the reserve.
    for d in 3:5000001 4:10250001 5:15762501; do
        r=$(report "2026-11-0${d%%:*}T00:00:00Z")
        [ "$(jq .surplus_micros <<<"$r")" = "${d#*:}" ] || fail "day ${d%%:*}: $r"
        [ "$(jq .debt_micros <<<"$r")" = $((100000000 + ${d#*:})) ]
        solvent "$r"
    done
    # The report is signed by the reserve and names the ledger head it covers.
    r=$(report 2026-11-03T00:00:00Z)
    [ "$(jq -r .ledger_head <<<"$r")" = "$(tail -n 1 ledger.ndjson | tr -d '\n' | sha256sum | cut -c1-64)" ]
    [ "$(jq -r .reserve_pubkey <<<"$r")" = "$RESERVE" ]
    [ "$(jq .ratio_bps <<<"$r")" = $((163406808 * 10000 / 100000000)) ]
}

@test "mint: over the ratio, under the minimum, over a ceiling: refused; a re-run applies nothing twice" {
    request mint.request m1 100000000 "$T0" >m1.ndjson
    vault mint -q m1.ndjson >/dev/null
    # 100 + 5 % of fee + 10 more is 115000001 > 163406808 / 1.5.
    request mint.request m2 10000000 2026-11-03T00:00:00Z >m2.ndjson
    run -65 vault mint m2.ndjson
    assert_output --partial "over_ratio: the vault's debt would be 115000001 micros against 163406808"
    request mint.request m3 999999 "$T0" >m3.ndjson
    run -65 vault mint m3.ndjson
    assert_output --partial "under_minimum"
    # A run stopped at a refusal writes nothing: not to the ledger, not to the output.
    cat m1.ndjson m3.ndjson >m13.ndjson
    rm -f l2.ndjson
    run -65 --separate-stderr gc-settle mint --ledger l2.ndjson --package "$PKG" --positions "$W/owned.ndjson" \
        --params "$W/params.ndjson" -k "$W/keys/reserve.key" m13.ndjson
    assert_output ""
    [ ! -s l2.ndjson ]
    cp ledger.ndjson before.ndjson
    run -0 vault mint -o again.ndjson m1.ndjson
    assert_output --partial "0 applied (1 before)"
    [ ! -s again.ndjson ]
    cmp ledger.ndjson before.ndjson
    # The same request id with other terms is a conflict, not a second mint.
    request mint.request m1 2000000 "$T0" >m1b.ndjson
    run -65 vault mint m1b.ndjson
    assert_output --partial "conflict: request 'm1' of this holder was done (seq 3) with other terms"
    # Bob has pledged nothing: no collateral, no mint.
    request mint.request b1 1000000 "$T0" bob >b1.ndjson
    run -65 vault mint b1.ndjson
    assert_output --partial "over_ratio"
    # Another holder's signature on Alice's request does not pass.
    jq -c --arg h "$(jq -r 'select(.party == "alice").pubkey' "$IX/parties.ndjson")" '.holder = $h' b1.ndjson >forged.ndjson
    run -65 vault mint forged.ndjson
    assert_output --partial "bad_signature"
    # The reserve's terms are in the ledger: other terms are refused.
    sed 's/"haircut_bps":1000/"haircut_bps":500/' "$W/params.ndjson" >p2.ndjson
    run -65 gc-settle mint --ledger ledger.ndjson --package "$PKG" --positions "$W/owned.ndjson" \
        --params p2.ndjson -k "$W/keys/reserve.key" m1.ndjson
    assert_output --partial "conflict: the reserve.params of the ledger"
}

@test "burn: part, then the rest; only coin in circulation burns; rounding goes to the reserve" {
    request mint.request m1 100000000 "$T0" >m1.ndjson
    vault mint -q m1.ndjson >/dev/null
    request burn.request r1 40000000 "$T0" >r1.ndjson
    run -0 vault burn -o r1.out r1.ndjson
    [ "$(jq 'select(.type == "burn") | .debt_micros, .supply_micros' r1.out | tr '\n' ' ')" = "60000000 60000000 " ]
    # A day later the 60 owe 63: the fee is paid with coin bought from others, and there is none.
    request burn.request r2 63000001 2026-11-03T00:00:00Z >r2.ndjson
    run -65 vault burn r2.ndjson
    assert_output --partial "over_supply: a repayment of 63000001 micros with 60000000 in circulation"
    request burn.request r3 60000000 2026-11-03T00:00:00Z >r3.ndjson
    run -0 vault burn -o r3.out r3.ndjson
    [ "$(jq 'select(.type == "burn") | .debt_micros, .supply_micros, .surplus_micros' r3.out | tr '\n' ' ')" = "3000001 0 3000001 " ]
    solvent "$(report 2026-11-03T00:00:00Z)"
    # At a rate of 1.05, a draw of 10 adds ceil(10 / 1.05) = 9523810 of art, a debt of
    # 10000001 (the micro to surplus); repaying 10 clears floor(10 / 1.05) = 9523809.
    request mint.request m2 10000000 2026-11-03T00:00:00Z >m2.ndjson
    vault mint -q m2.ndjson >/dev/null
    request burn.request r4 13000001 2026-11-03T00:00:00Z >r4.ndjson
    run -65 vault burn r4.ndjson
    assert_output --partial "over_supply"
    request burn.request r5 10000000 2026-11-03T00:00:00Z >r5.ndjson
    run -0 vault burn -o r5.out r5.ndjson
    [ "$(jq -r 'select(.type == "burn") | [.debt_micros, .art, .surplus_micros] | @tsv' r5.out)" = "$(printf '3000002\t2857144\t3000002')" ]
    solvent "$(report 2026-11-03T00:00:00Z)"
}

@test "oracle: a write-down marks the vault unsafe; liquidation moves what the collateral does not cover to bad debt" {
    request mint.request m1 100000000 "$T0" >m1.ndjson
    vault mint -q m1.ndjson >/dev/null
    # The package is worth 200 now: the senior tranche's 363126246 are covered by 200000000,
    # Alice's 181563121 units are worth floor(181563121 x 200000000 / 363126246) = 99999998,
    # floor(99999998 x 9000 / 10000) = 89999998 after the haircut; her debt after two days is
    # 110250001: unsafe.
    oracle 200000000 2026-11-04T00:00:00Z >o.ndjson
    run -0 vault mint -o o.out o.ndjson
    [ "$(jq -r 'select(.type == "vault.unsafe") | [.debt_micros, .collateral_micros] | @tsv' o.out)" = "$(printf '110250001\t%s' $(((181563121 * 200000000 / 363126246) * 9000 / 10000)))" ]
    # An oracle not in --oracles is refused.
    printf '{"type":"oracle","v":1,"package":"gcp-z1-2026w45","value_micros":1,"ts":"2026-11-05T00:00:00Z"}\n' |
        gc-settle sign -q -k "$W/keys/bob.key" >bad-oracle.ndjson
    run -65 vault mint bad-oracle.ndjson
    assert_output --partial "unknown_oracle"
    run -0 vault burn --liquidate -o l.out
    [ "$(jq -r 'select(.type == "vault.liquidated") | [.bad_debt_added_micros, .supply_micros] | @tsv' l.out)" = "$(printf '%s\t%s' $((110250001 - 89999998)) $((100000000 - 89999998)))" ]
    r=$(report 2026-11-04T00:00:00Z)
    solvent "$r"
    [ "$(jq .debt_micros <<<"$r")" = 0 ]
    # Liquidating again finds nothing to do.
    run -0 vault burn --liquidate -o l2.out
    [ ! -s l2.out ]
}

@test "solvency after every event of a random stream of mints, burns, fees and write-downs" {
    # A seeded stream: one event per run, so each is its own batch; refusals are fine.
    python3 - >stream.txt <<'PY'
import random
r = random.Random(8)
t = 1762041600  # 2026-11-02T00:00:00Z
for i in range(40):
    t += r.choice([0, 600, 3600, 86400])
    kind = r.choice(["mint", "mint", "burn", "oracle"])
    amount = r.randint(1000000, 40000000) if kind != "oracle" else r.randint(150000000, 700000000)
    print(kind, i, amount, t)
PY
    n=0
    while read -r kind i amount t; do
        ts=$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)
        case $kind in
        mint) request mint.request "e$i" "$amount" "$ts" >e.ndjson ;;
        burn) request burn.request "e$i" "$amount" "$ts" >e.ndjson ;;
        oracle) oracle "$amount" "$ts" >e.ndjson ;;
        esac
        verb=mint
        [ "$kind" = burn ] && verb=burn
        vault "$verb" -q e.ndjson >/dev/null 2>err || grep -qE 'over_ratio|over_debt|over_supply|under_minimum|over_ceiling' err ||
            fail "event $i ($kind): $(cat err)"
        solvent "$(report "$ts")"
        n=$((n + 1))
    done <stream.txt
    [ "$n" = 40 ]
    # The ledger replays: the next run rebuilds the same book from it.
    run -0 vault mint -o /dev/stdout
    [ "$(grep -c '"type":"mint"' ledger.ndjson)" -gt 0 ]
}

@test "mint: a crash at any line of a batch, then a re-run, gives the uninterrupted ledger" {
    { request mint.request m1 50000000 "$T0"; request mint.request m2 20000000 2026-11-02T06:00:00Z
      oracle 300000000 2026-11-03T00:00:00Z; request mint.request m3 5000000 2026-11-03T00:00:00Z; } >batch.ndjson
    vault mint -q batch.ndjson >/dev/null 2>&1 || true
    cp ledger.ndjson want.ledger
    awk '{n += length($0) + 1; print n - 30; print n}' want.ledger >cuts.txt
    while read -r cut; do
        head -c "$cut" want.ledger >ledger.ndjson
        rm -f ledger.ndjson.head
        vault mint -q batch.ndjson >/dev/null 2>err || grep -q over_ratio err || fail "cut $cut: $(cat err)"
        cmp ledger.ndjson want.ledger || fail "the ledger after a cut at $cut differs"
    done <cuts.txt
}

@test "sign: only the holder signs a request; a signed loss is written down from the bottom" {
    bob=$(jq -r 'select(.party == "bob").pubkey' "$IX/parties.ndjson")
    printf '{"type":"mint.request","v":1,"request":"x","holder":"%s","amount_micros":1,"ts":"%s"}\n' "$bob" "$T0" >x.ndjson
    run -65 gc-settle sign -k "$W/keys/alice.key" x.ndjson
    assert_output --partial "not_holder"
    echo '{"type":"reading","v":1}' >r.ndjson
    run -65 gc-settle sign -k "$W/keys/alice.key" r.ndjson
    assert_output --partial "sign takes mint.request, burn.request, oracle and loss records"
    # The issuer writes down 30 of the package on the first day: the junior's 25, then 5 of
    # the mezzanine.
    printf '{"type":"loss","v":1,"package":"gcp-z1-2026w45","ts":"2026-11-02T12:00:00Z","amount_micros":30000000,"reason":"gpu-3 burned out"}\n' |
        gc-settle sign -q -k "$W/keys/issuer.key" >loss.ndjson
    gc-settle period -q --ledger settle.ndjson --package "$PKG" --positions "$PKG" \
        --period 2026-11-02T00:00:00Z/2026-11-03T00:00:00Z -o p.ndjson loss.ndjson "$FIX/settle/income.ndjson"
    [ "$(jq -r 'select(.type == "period") | .tranches | map(.written_down_micros) | @tsv' p.ndjson)" = "$(printf '0\t5000000\t25000000')" ]
    [ "$(jq 'select(.type == "period") | .losses_to_date_micros' p.ndjson)" = 30000000 ]
    # A loss signed by anyone else is refused.
    printf '{"type":"loss","v":1,"package":"gcp-z1-2026w45","ts":"2026-11-03T12:00:00Z","amount_micros":1,"reason":"x"}\n' |
        gc-settle sign -q -k "$W/keys/bob.key" >bad-loss.ndjson
    run -65 gc-settle period --ledger settle.ndjson --package "$PKG" --positions "$PKG" \
        --period 2026-11-03T00:00:00Z/2026-11-04T00:00:00Z bad-loss.ndjson
    assert_output --partial "bad_signature"
}
