#!/bin/sh
# make bench: every stage so far over generated data, each next to a baseline run in
# the same script: gc-attest sign and gc-verify against raw libsodium Ed25519, import
# against wc -l, gc-pool match and gc-amm run against jq -c . over the same records.
# Prints rates and ratios; asserts nothing about time (a slow machine is not a failure).
#   GC_BIN=build/bin GC_BENCH=build/bench sh tests/bench/run.sh [RECORDS]
set -eu

n=${1:-200000}
devices=100
bin=${GC_BIN:?}
bench=${GC_BENCH:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -m 700 "$work/keys"

now_ns() { date +%s%N; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }

i=0
while [ $i -lt $devices ]; do
    d=$(printf 'gpu-%03d' $i)
    "$bin/gc-attest" keygen --device "$d" --class gpu --rated-w 1400 --gpus 2 --zone bench \
        -k "$work/keys/$d.key" >>"$work/registry.ndjson"
    i=$((i + 1))
done

# n readings, 5-minute periods from 2026-11-01, devices interleaved.
awk -v n="$n" -v devices="$devices" 'BEGIN {
    for (i = 0; i < n; i++) {
        s = int(i / devices) * 300
        printf "{\"type\":\"reading\",\"v\":1,\"device\":\"gpu-%03d\",\"ts\":\"2026-11-%02dT%02d:%02d:00Z\",\"period_s\":300,\"energy_wh\":%d,\"gpu_s\":600,\"busy_s\":%d}\n",
            i % devices, 1 + int(s / 86400), int(s % 86400 / 3600), int(s % 3600 / 60), 90 + i % 20, 300 + i % 300
    }
}' >"$work/readings.ndjson"

# Best of five for each figure: the other core may be busy, and the fastest run is the
# closest to what the code costs.
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
sign=0 verify=0 raw_sign=0 raw_verify=0
for round in 1 2 3 4 5; do
    rm -f "$work/heads.ndjson"
    t0=$(now_ns)
    "$bin/gc-attest" sign -q --keydir "$work/keys" --state "$work/heads.ndjson" \
        -o "$work/att.ndjson" "$work/readings.ndjson"
    t1=$(now_ns)
    "$bin/gc-verify" -q --registry "$work/registry.ndjson" --now 2027-01-01T00:00:00Z \
        -o "$work/verified.ndjson" "$work/att.ndjson"
    t2=$(now_ns)
    cmp -s "$work/att.ndjson" "$work/verified.ndjson" ||
        { echo "bench: verify changed records" >&2; exit 70; }
    sign=$(best "$sign" "$(rate "$n" $((t1 - t0)))")
    verify=$(best "$verify" "$(rate "$n" $((t2 - t1)))")

    # The signed message is the attestation without its "sig" member (139 bytes with the comma).
    msg_len=$(awk '{ s += length($0) } END { printf "%d", s / NR - 139 }' "$work/att.ndjson")
    read -r rs rv <<RAW
$("$bench/bench_ed25519" "$msg_len" 50000)
RAW
    raw_sign=$(best "$raw_sign" "$rs")
    raw_verify=$(best "$raw_verify" "$rv")
    echo "round $round done" >&2
done

printf '%-28s %12s %12s %8s\n' "one core, $n records" "records/s" "raw/s" "ratio"
printf '%-28s %12s %12s %8s\n' "gc-attest sign" "$sign" "$raw_sign" \
    "$(awk -v a="$sign" -v b="$raw_sign" 'BEGIN { printf "%.1f%%", 100 * a / b }')"
printf '%-28s %12s %12s %8s\n' "gc-verify" "$verify" "$raw_verify" \
    "$(awk -v a="$verify" -v b="$raw_verify" 'BEGIN { printf "%.1f%%", 100 * a / b }')"
echo "(raw: libsodium crypto_sign_detached / crypto_sign_verify_detached over distinct ${msg_len}-byte messages and 100 keys; aim: sign >= 85%, verify >= 90%)"

# Import: one million nvidia-smi rows (4 GPUs, one sample a second), against reading the same
# bytes with wc -l as the floor any line tool pays.
rows=${GC_BENCH_IMPORT_ROWS:-1000000}
awk -v n="$rows" 'BEGIN {
    print "timestamp, index, uuid, name, power.draw [W], utilization.gpu [%]"
    for (i = 0; i < n; i++) {
        s = int(i / 4)
        printf "2026/11/%02d %02d:%02d:%02d.%03d, %d, GPU-0000000%d-8f36-1c5e-6a5b-3f0e1b2c4d5e, NVIDIA H100 80GB HBM3, %d.%02d W, %d %%\n",
            1 + int(s / 86400), int(s % 86400 / 3600), int(s % 3600 / 60), s % 60, i % 4 * 7, i % 4, i % 4, 100 + i % 600, i % 100, i % 101
    }
}' >"$work/smi.csv"
best_import=0 best_wc=0
for round in 1 2 3; do
    t0=$(now_ns)
    "$bin/gc-attest" import -q --format nvidia-smi -o "$work/smi.ndjson" "$work/smi.csv"
    t1=$(now_ns)
    wc -l <"$work/smi.csv" >/dev/null
    t2=$(now_ns)
    best_import=$(best "$best_import" "$(rate "$rows" $((t1 - t0)))")
    best_wc=$(best "$best_wc" "$(rate "$rows" $((t2 - t1)))")
done
printf '%-28s %12s %12s %8s\n' "import nvidia-smi, $rows rows" "samples/s" "wc -l/s" "ratio"
printf '%-28s %12s %12s %8s\n' "gc-attest import" "$best_import" "$best_wc" \
    "$(awk -v a="$best_import" -v b="$best_wc" 'BEGIN { printf "%.1f%%", 100 * a / b }')"

# Matching: a million attestations of 1000 devices (half pv, half gpu, 5 zones, 5-minute
# periods) through gc-pool match, next to jq -c . over the same file. Matching does not check
# signatures (gc-verify does), so the records are generated with placeholder ones.
n_att=${GC_BENCH_MATCH_RECORDS:-1000000}
awk 'BEGIN {
    for (d = 0; d < 1000; d++)
        printf "{\"class\":\"%s\",\"device\":\"dev-%04d\",\"pubkey\":\"%064d\",\"rated_w\":5000,\"type\":\"device\",\"v\":1,\"zone\":\"z%d\"}\n",
            d % 2 ? "gpu" : "pv", d, 0, d % 5
}' >"$work/pool-registry.ndjson"
awk -v n="$n_att" 'BEGIN {
    for (i = 0; i < n; i++) {
        d = i % 1000; s = int(i / 1000) * 300
        printf "{\"device\":\"dev-%04d\",\"energy_wh\":%d,%s\"period_s\":300,\"prev\":\"%064d\",\"seq\":%d,\"sig\":\"%0128d\",\"ts\":\"2026-11-%02dT%02d:%02d:00Z\",\"type\":\"attestation\",\"v\":1}\n",
            d, d % 2 ? 80 + i % 40 : (i % 300), d % 2 ? "\"gpu_s\":300," : "", 0, int(i / 1000) + 1, 0,
            1 + int(s / 86400), int(s % 86400 / 3600), int(s % 3600 / 60)
    }
}' >"$work/pool-att.ndjson"
best_match=0 best_jq=0 peak_kib=
for round in 1 2 3; do
    t0=$(now_ns)
    if [ -x /usr/bin/time ]; then
        peak_kib=$(/usr/bin/time -f %M "$bin/gc-pool" match -q --registry "$work/pool-registry.ndjson" \
            -o "$work/pool-out.ndjson" "$work/pool-att.ndjson" 2>&1 >/dev/null | tail -n 1)
    else
        "$bin/gc-pool" match -q --registry "$work/pool-registry.ndjson" -o "$work/pool-out.ndjson" \
            "$work/pool-att.ndjson"
    fi
    t1=$(now_ns)
    jq -c . "$work/pool-att.ndjson" >/dev/null
    t2=$(now_ns)
    best_match=$(best "$best_match" "$(rate "$n_att" $((t1 - t0)))")
    best_jq=$(best "$best_jq" "$(rate "$n_att" $((t2 - t1)))")
done
printf '%-28s %12s %12s %8s\n' "gc-pool match, $n_att att." "records/s" "jq -c ./s" "ratio"
printf '%-28s %12s %12s %8s\n' "gc-pool match" "$best_match" "$best_jq" \
    "$(awk -v a="$best_match" -v b="$best_jq" 'BEGIN { printf "%.1fx", a / b }')"
echo "(aim: at least 3x jq; peak memory of gc-pool match: ${peak_kib:-unknown} KiB)"

# Markets: a million swaps through gc-amm run on the constant-product curve (and a tenth of
# that on ys, whose powers cost more), next to jq -c . over the same events.
n_swaps=${GC_BENCH_AMM_EVENTS:-1000000}
printf '%-28s %12s %12s %8s\n' "gc-amm run" "swaps/s" "jq -c ./s" "ratio"
for curve in cp ys; do
    n_curve=$n_swaps
    [ "$curve" = ys ] && n_curve=$((n_swaps / 10))
    awk -v n="$n_curve" -v curve="$curve" -f "$(dirname "$0")/amm-events.awk" >"$work/amm-$curve.ndjson"
    best_amm=0 best_jq=0
    for round in 1 2 3; do
        rm -f "$work/amm-state.ndjson"
        t0=$(now_ns)
        "$bin/gc-amm" run -q --state "$work/amm-state.ndjson" -o "$work/amm-out.ndjson" \
            "$work/amm-$curve.ndjson"
        t1=$(now_ns)
        jq -c . "$work/amm-$curve.ndjson" >/dev/null
        t2=$(now_ns)
        best_amm=$(best "$best_amm" "$(rate "$n_curve" $((t1 - t0)))")
        best_jq=$(best "$best_jq" "$(rate "$n_curve" $((t2 - t1)))")
    done
    fills=$(grep -c '"type":"amm.fill"' "$work/amm-out.ndjson")
    [ "$fills" -eq "$n_curve" ] || { echo "bench: $fills fills for $n_curve swaps" >&2; exit 70; }
    printf '%-28s %12s %12s %8s\n' "  $curve curve, $n_curve swaps" "$best_amm" "$best_jq" \
        "$(awk -v a="$best_amm" -v b="$best_jq" 'BEGIN { printf "%.1fx", a / b }')"
done
