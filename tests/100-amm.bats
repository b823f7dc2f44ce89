#!/usr/bin/env bats
# gc-amm: markets per delivery hour — golden receipts, hand-checked fills, rejects that change
# nothing, replays, locks, quotes, the TWAP index and seeded simulations.

load helpers
bats_require_minimum_version 1.5.0

EV=$FIX/amm/events.ndjson

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
}

# ev JSON...: one event line per argument into events.ndjson (appending).
ev() {
    printf '%s\n' "$@" >>events.ndjson
}

# A constant-product market "m" delivering at 14:00, with 36 000 GPU-s against 20 000 000 micros.
cp_market() {
    ev '{"type":"amm.open","v":1,"market":"m","pool":"p","hour":"2026-11-01T14:00:00Z","ts":"2026-11-01T02:00:00Z","curve":"cp","fee_bps":30,"anchor_micros":2000000}' \
        '{"type":"amm.add","v":1,"market":"m","ts":"2026-11-01T02:00:00Z","lp":"op","devices":[{"device":"gpu-1","gpu_s":21600},{"device":"gpu-2","gpu_s":14400}],"cash_micros":20000000}'
}

@test "the scenario's receipts and states match the golden output" {
    gc-amm run -q --state state.ndjson "$EV" >out.ndjson
    cmp out.ndjson "$FIX/amm/events.golden.ndjson"
    # the state file is the amm.state records of every market, in id order
    jq -c 'select(.type == "amm.state")' out.ndjson | cmp - state.ndjson
}

@test "a constant-product buy costs what Uniswap v2's getAmountIn says" {
    cp_market
    ev '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","trader":"t","side":"buy","gpu_s":3600}'
    run -0 gc-amm run -q --state s events.ndjson
    # first deposit: floor(sqrt(36000 x 20000000)) = 848528 shares, 1000 of them locked
    assert_equal "$(jq -r 'select(.type == "amm.minted") | "\(.shares) \(.locked_shares)"' <<<"$output")" "847528 1000"
    # floor(20e6 x 3600 x 10000 / ((36000 - 3600) x 9970)) + 1
    assert_equal "$(jq -r 'select(.type == "amm.fill") | .cash_micros' <<<"$output")" 2228909
    assert_equal "$(jq -r 'select(.type == "amm.state") | "\(.inventory_gpu_s) \(.cash_micros)"' <<<"$output")" "32400 22228909"
}

@test "every kind of bad event is refused with its reason and leaves the state as it was" {
    cp_market
    gc-amm run -q --state s events.ndjson >/dev/null
    cp s before
    rm events.ndjson
    ev '{"type":"amm.swap","v":1,"market":"nope","ts":"2026-11-01T03:00:00Z","trader":"t","side":"buy","gpu_s":10}' \
        '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","trader":"t","side":"buy","gpu_s":3600,"max_pay_micros":2000000}' \
        '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","trader":"t","side":"sell","gpu_s":10}' \
        '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T01:00:00Z","trader":"t","side":"buy","gpu_s":10}' \
        '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","trader":"t","side":"buy","pay_micros":1}' \
        '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","trader":"t","side":"buy","gpu_s":36000}' \
        '{"type":"amm.remove","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","lp":"op","shares":99999999}' \
        '{"type":"amm.close","v":1,"market":"m","ts":"2026-11-01T13:00:00Z"}' \
        '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T14:00:00Z","trader":"t","side":"buy","gpu_s":10}' \
        '{"type":"amm.poll","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","devices":[{"device":"gpu-9","status":"online"}]}' \
        '{"type":"amm.open","v":1,"market":"m","pool":"p","hour":"2026-11-01T14:00:00Z","ts":"2026-11-01T02:00:00Z","anchor_micros":1}' \
        '{"type":"amm.open","v":1,"market":"x","pool":"p","hour":"2026-11-05T14:00:00Z","ts":"2026-11-01T02:00:00Z","k_ppm":20000,"anchor_micros":1}' \
        '{"type":"amm.trade","v":1,"market":"m","ts":"2026-11-01T03:00:00Z"}' \
        '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","trader":"t","side":"buy","gpu_s":10,"pay_micros":10}'
    run -65 gc-amm run --state s --rejects rej.ndjson events.ndjson
    assert_equal "$(reasons rej.ndjson | tr '\n' ' ')" "unknown_market slippage insufficient_balance before_open zero_output insufficient_liquidity insufficient_balance too_early closed unknown_device duplicate_market bad_curve unknown_type bad_field "
    assert_line --partial "14 in, 0 used, 14 rejected; 0 records out"
    cmp s before
}

@test "without --rejects the first bad event stops the run: exit 65, no receipts, state untouched" {
    cp_market
    ev '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","trader":"t","side":"sell","gpu_s":10}'
    run -65 gc-amm run -q --state s events.ndjson
    assert_output --partial "events.ndjson:3: insufficient_balance"
    assert_file_not_exists s
}

@test "a batch run twice is refused the second time: nothing doubles" {
    cp_market
    ev '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","trader":"t","side":"buy","gpu_s":3600}'
    gc-amm run -q --state s events.ndjson >first.ndjson
    cp s after-first
    run -65 gc-amm run --state s --rejects rej.ndjson events.ndjson
    # the open repeats an id; the add and the swap repeat at the market's last second
    assert_equal "$(reasons rej.ndjson | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" "duplicate=1 duplicate_market=1 non_monotonic=1 "
    cmp s after-first
}

@test "an event is the same however its line is spelled: hashed in canonical form, a respelling is a duplicate" {
    cp_market
    # as the bench writes swaps; canonical (read as it stands); with whitespace; with an escape
    ev '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","trader":"t","side":"buy","gpu_s":10}' \
        '{"gpu_s":10,"market":"m","side":"buy","trader":"t","ts":"2026-11-01T03:00:00Z","type":"amm.swap","v":1}' \
        ' { "type" : "amm.swap", "v" : 1, "market" : "m", "ts" : "2026-11-01T03:00:00Z", "trader" : "t", "side" : "buy", "gpu_s" : 10 } ' \
        '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","trader":"\u0074","side":"buy","gpu_s":10}' \
        '{"v":1,"type":"amm.swap","trader":"t","ts":"2026-11-01T03:00:01Z","side":"sell","market":"m","gpu_s":4}'
    run -65 gc-amm run -q --state s --rejects rej.ndjson events.ndjson
    assert_equal "$(reasons rej.ndjson | tr '\n' ' ')" "duplicate duplicate duplicate "
    assert_equal "$(jq -r '.line' rej.ndjson | tr '\n' ' ')" "4 5 6 "
    # the receipts' "event" is the SHA-256 of the event's canonical form (RFC 8785)
    for n in 3 7; do
        want=$(sed -n "${n}p" events.ndjson | jq -cS . | tr -d '\n' | sha256sum | cut -d ' ' -f 1)
        grep -q "\"event\":\"$want\"" <<<"$output"
    done
    assert_equal "$(grep -c '"type":"amm.fill"' <<<"$output")" 2
}

@test "events split over several runs give the receipts of one run" {
    gc-amm run -q --state one "$EV" | jq -c 'select(.type != "amm.state")' >all.ndjson
    split -l 5 "$EV" part.
    for p in part.*; do
        gc-amm run -q --state many "$p"
    done | jq -c 'select(.type != "amm.state")' >parts.ndjson
    cmp all.ndjson parts.ndjson
    cmp one many
}

@test "a second run on a locked state file exits 75 and changes nothing" {
    cp_market
    exec 9>s.lock
    flock 9
    run -75 gc-amm run -q --state s events.ndjson
    assert_output --partial "lock"
    assert_file_not_exists s
}

@test "a quote prices exactly what the swap then costs, and changes nothing" {
    cp_market
    gc-amm run -q --state s events.ndjson >/dev/null
    cp s before
    run -0 gc-amm quote --state s --market m --buy 3600 --now 2026-11-01T03:00:00Z
    assert_equal "$(jq -r '"\(.cash_micros) \(.spot_before_micros) \(.fee_micros) \(.impact_bps)"' <<<"$output")" "2228909 2000000 6687 1144"
    cmp s before
    rm events.ndjson
    ev '{"type":"amm.swap","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","trader":"t","side":"buy","gpu_s":3600}'
    assert_equal "$(gc-amm run -q --state s events.ndjson | jq -r 'select(.type == "amm.fill") | .cash_micros')" 2228909
}

@test "a quote past 2^63 - 1 micros: exact prices as decimal strings; what run refuses, refused" {
    ev '{"type":"amm.open","v":1,"market":"m","pool":"p","hour":"2026-11-01T15:00:00Z","ts":"2026-11-01T03:00:00Z","curve":"cp","fee_bps":30,"anchor_micros":2000000}' \
        '{"type":"amm.add","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","lp":"op","devices":[{"device":"gpu-1","gpu_s":3600}],"cash_micros":4611686018427387904}' \
        '{"type":"amm.open","v":1,"market":"big","pool":"p","hour":"2026-11-01T15:00:00Z","ts":"2026-11-01T03:00:00Z","curve":"cp","fee_bps":30,"anchor_micros":2000000}' \
        '{"type":"amm.add","v":1,"market":"big","ts":"2026-11-01T03:00:00Z","lp":"op","devices":[{"device":"gpu-1","gpu_s":16384}],"cash_micros":"1267650600228229401496703205376"}'
    gc-amm run -q --state s events.ndjson >/dev/null
    # 2^62 micros against 3600 GPU-s: the spot price is 2^62 micros per GPU-hour; half the
    # inventory costs floor(2^62 x 1800 x 10000 / (1800 x 9970)) + 1 micros, twice that per hour
    run -0 gc-amm quote --state s --market m --buy 1800
    assert_output --partial '"cash_micros":4625562706547028991,'
    assert_output --partial '"price_micros":"9251125413094057982",'
    assert_output --partial '"impact_bps":10060,'
    # selling 3600 GPU-s gets floor(3600 x 9970 x 2^62 / (3600 x 19970)) micros
    run -0 gc-amm quote --state s --market m --sell 3600
    assert_output --partial '"cash_micros":2302379048759191657,'
    assert_output --partial '"impact_bps":5007,'
    # 2^100 micros against 16384 GPU-s: buying all but 4 would take the cash past 2^112
    run -0 gc-amm quote --state s --market big --buy 16000
    # a spot price of 2^64 micros or more (this one is about 2^87.8) is more than it can state
    assert_output --partial '"spot_before_micros":-1,'
    run -65 gc-amm quote --state s --market big --buy 16380
    assert_output --partial "too_large"
    echo '{"type":"amm.swap","v":1,"market":"big","ts":"2026-11-01T04:00:00Z","trader":"t","side":"buy","gpu_s":16380}' >swap.ndjson
    run -65 gc-amm run --state s swap.ndjson
    assert_output --partial "too_large"
}

@test "the index is the time-weighted price: two hours at 2 000 000 and two at 4 000 000 average 3 000 000" {
    ev '{"type":"amm.open","v":1,"market":"m","pool":"p","hour":"2026-11-01T14:00:00Z","ts":"2026-11-01T08:00:00Z","curve":"cp","fee_bps":0,"anchor_micros":2000000}' \
        '{"type":"amm.add","v":1,"market":"m","ts":"2026-11-01T08:00:00Z","lp":"op","devices":[{"device":"gpu-1","gpu_s":36000}],"cash_micros":20000000}' \
        '{"type":"amm.add","v":1,"market":"m","ts":"2026-11-01T10:00:00Z","lp":"op","cash_micros":20000000}'
    gc-amm run -q --state s events.ndjson >/dev/null
    run -0 gc-amm index --state s --now 2026-11-01T12:00:00Z
    assert_equal "$(jq -r '"\(.twap_micros) \(.window_s) \(.pool) \(.hour)"' <<<"$output")" "3000000 14400 p 2026-11-01T14:00:00Z"
    run -0 gc-amm index --state s --pool other
    assert_output ""
}

@test "closing delivers every sold GPU-second from the devices that still run, and expires the rest" {
    gc-amm run -q --state s "$EV" >out.ndjson
    for m in gpu-a.20261101t14 cp-a; do
        sold=$(jq -s --arg m "$m" '[.[] | select(.type == "amm.state" and .market == $m) | .claims[].gpu_s] | add' out.ndjson)
        delivered=$(jq -s --arg m "$m" '[.[] | select(.type == "amm.delivery" and .market == $m) | .gpu_s] | add' out.ndjson)
        assert_equal "$delivered" "$sold"
        # no delivery from a device that left the market
        run jq -r --arg m "$m" 'select(.type == "amm.delivery" and .market == $m) | .status' out.ndjson
        refute_output --partial offline
        refute_output --partial exited
    done
    assert_equal "$(jq -r 'select(.type == "amm.expire" and .market == "cp-a") | .gpu_s' out.ndjson)" 14305
}

@test "the ys price converges to the anchor as delivery nears" {
    ev '{"type":"amm.open","v":1,"market":"m","pool":"p","hour":"2026-11-02T00:00:00Z","ts":"2026-11-01T00:00:00Z","anchor_micros":2000000}' \
        '{"type":"amm.add","v":1,"market":"m","ts":"2026-11-01T00:00:00Z","lp":"op","devices":[{"device":"gpu-1","gpu_s":36000}],"cash_micros":40000000}'
    gc-amm run -q --state s events.ndjson >/dev/null
    prev=999999999
    for t in 00 06 12 18 23; do
        p=$(gc-amm quote --state s --market m --buy 1 --now "2026-11-01T$t:00:00Z" | jq .spot_before_micros)
        [ "$p" -lt "$prev" ] || fail "price at $t:00 ($p) is not below the one before ($prev)"
        [ "$p" -gt 2000000 ] || fail "scarce inventory below the anchor at $t:00: $p"
        prev=$p
    done
    # 24 hours out a = 0.76, and cash is twice the inventory's value: 2 000 000 x 2^0.24 = 2 361 985.3
    assert_equal "$(gc-amm quote --state s --market m --buy 1 --now 2026-11-01T00:00:00Z | jq .spot_before_micros)" 2361985
}

@test "simulate: the same seed gives the same bytes, another seed other bytes, the seed in every record" {
    gc-amm simulate --seed 7 --hours 6 >a.ndjson
    gc-amm simulate --seed 7 --hours 6 >b.ndjson
    gc-amm simulate --seed 8 --hours 6 >c.ndjson
    cmp a.ndjson b.ndjson
    run ! cmp -s a.ndjson c.ndjson
    assert_equal "$(jq -r 'select(.seed != 7) | .type' a.ndjson | wc -l)" 0
    assert_equal "$(jq -r 'select(.type == "sim.hour") | .hour' a.ndjson | wc -l)" 6
    # what the summaries count is what the receipts say, and no hour sells more than it had
    assert_equal "$(jq -s '[.[] | select(.type == "amm.fill") | .gpu_s] | add' a.ndjson)" \
        "$(jq -s '[.[] | select(.type == "sim.hour") | .sold_gpu_s] | add' a.ndjson)"
    assert_equal "$(jq -r 'select(.type == "sim.hour" and .sold_gpu_s > .supply_gpu_s) | .hour' a.ndjson)" ""
}

@test "simulate --tsv: a header and one row per hour, for each curve" {
    for curve in ys cp; do
        run -0 gc-amm simulate --seed 1 --hours 24 --curve "$curve" --tsv
        assert_equal "${lines[0]}" "$(printf 'hour\tpool\tcurve\tsupply_gpu_s\tdemand_gpu_s\tsold_gpu_s\texpired_gpu_s\timpaired_gpu_s\trevenue_micros\tfills\trefused\ttwap_micros')"
        assert_equal "${#lines[@]}" 25
        assert_equal "$(tail -n +2 <<<"$output" | cut -f3 | sort -u)" "$curve"
    done
}

@test "simulate --supply runs one market per pool snapshot, splitting its GPU-seconds over the members" {
    cat >snap.ndjson <<'EOF'
{"type":"pool","v":1,"pool":"gpu-green","hour":"2026-11-01T10:00:00Z","kind":"green-compute","energy_wh":0,"gpu_s":0,"green_wh":0,"green_gpu_s":10001,"members":[{"device":"gpu-1","record":"00"},{"device":"gpu-2","record":"00"}],"root":"00"}
{"type":"pool","v":1,"pool":"gpu-green","hour":"2026-11-01T11:00:00Z","kind":"green-compute","energy_wh":0,"gpu_s":0,"green_wh":0,"green_gpu_s":7200,"members":[{"device":"gpu-1","record":"00"}],"root":"00"}
EOF
    run -0 gc-amm simulate --seed 3 --hours 2 --supply snap.ndjson
    assert_equal "$(jq -c 'select(.type == "amm.add") | [.devices[].gpu_s]' <<<"$output" | tr '\n' ' ')" "[5001,5000] [7200] "
    assert_equal "$(jq -r 'select(.type == "sim.hour") | "\(.pool) \(.hour) \(.supply_gpu_s)"' <<<"$output" | tr '\n' ' ')" "gpu-green 2026-11-01T10:00:00Z 10001 gpu-green 2026-11-01T11:00:00Z 7200 "
    echo '{"type":"pool","v":1}' >bad.ndjson
    run -65 gc-amm simulate --seed 3 --hours 2 --supply bad.ndjson
    assert_output --partial "bad.ndjson:1"
}
