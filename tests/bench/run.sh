#!/bin/sh
# make bench: every stage of gc over generated data at a realistic scale, each next to a baseline
# measured in the same run, in one table:
#
#   stage | records | records/s | MB/s (input bytes) | peak RSS | baseline | its records/s | ratio
#         | aim | peak RSS at GC_BENCH_MEMORY times the input | memory flat
#
# The world: GC_BENCH_DEVICES devices (half pv, half gpu hosts, in 5 zones, real keys) sending
# 5-minute readings for GC_BENCH_SCALE days: 1000 x 288 = 288 000 readings a day. They are
# signed, verified, matched hour by hour, built into pool snapshots (co-signed by 2 of 3
# validators, and packaged into a note by gc-issue; neither timed); 288 000 swaps a day trade
# the note's pools' markets for the day after the readings, whose fills are the income that
# gc-settle period pays down the note's waterfall; gc-settle carbon accrues the matched records
# against an intensity file. gc-attest import reads as many nvidia-smi rows (4 GPUs, one sample
# a second), gc-amm run on the ys curve a tenth as many swaps (its powers cost more).
#
# Baselines: gc-attest sign and gc-verify against raw libsodium Ed25519 (build/bench/
# bench_ed25519) on distinct messages of the length gc signs under 100 keys; every other stage
# against jq -c . over the same input file (import: jq -cR ., as jq cannot parse CSV it reads the
# same lines raw). Aims: sign >= 85 % and verify >= 90 % of raw Ed25519 on one core (the
# programs use one), the others >= 3x jq, and the streaming stages (import, sign, verify,
# match --sorted) in flat memory: a second pass runs them once more on GC_BENCH_MEMORY times
# the input, and the "flat" column says NO where the peak RSS more than doubled.
#
# Each figure is the best of GC_BENCH_ROUNDS rounds, stage and baseline alternately (the other
# cores may be busy; the fastest run is the closest to what the code costs); peak RSS is the
# highest, from GNU time (/usr/bin/time, Debian package time; without it RSS is "-"). Timings
# are printed, never asserted: a slow machine is not a failure. Wrong output is: every stage
# must accept all its input (exit 0), gc-verify pass the signed records byte for byte, match
# --sorted write what match writes, gc-amm run fill every swap, and so on below.
#
#   GC_BIN=build/bin GC_BENCH=build/bench sh tests/bench/run.sh     (make bench does this)
#
#   GC_BENCH_DEVICES  devices, at least 10 (default 1000)
#   GC_BENCH_SCALE    days of readings (default 1; 10 for the 10x run)
#   GC_BENCH_ROUNDS   rounds per figure (default 3)
#   GC_BENCH_MEMORY   the memory pass's input as a multiple of the table's (default 10; 0 or 1:
#                     no memory pass)
# Needs jq, GNU date and awk. The memory pass is the longest part and the largest: at the
# defaults it reads 10 days (2 880 000 readings, about 2 GB of TMPDIR at its peak); at
# GC_BENCH_SCALE=10 it reads 100 days (about 20 GB), so the 10x run may want GC_BENCH_MEMORY=0.
set -eu

bin=${GC_BIN:?} bench=${GC_BENCH:?}
here=$(cd "$(dirname "$0")" && pwd)
devices=${GC_BENCH_DEVICES:-1000}
days=${GC_BENCH_SCALE:-1}
rounds=${GC_BENCH_ROUNDS:-3}
memx=${GC_BENCH_MEMORY:-10}
for v in "$devices" "$days" "$rounds" "$memx"; do
    case $v in
    '' | *[!0-9]*)
        echo "bench: GC_BENCH_DEVICES, _SCALE, _ROUNDS and _MEMORY are whole numbers" >&2
        exit 64
        ;;
    esac
done
if [ "$devices" -lt 10 ] || [ "$days" -lt 1 ] || [ "$rounds" -lt 1 ]; then
    echo "bench: needs at least 10 devices, 1 day and 1 round" >&2
    exit 64
fi

T0=1793491200 # 2026-11-01T00:00:00Z, the first reading
DAY=86400
zones=5
records=$((288 * devices * days))

work=$(mktemp -d "${TMPDIR:-/tmp}/gc-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 70
}
now_ns() { date +%s%N; }
# gen NAME [AWK-ARGS...]: run the generator tests/bench/NAME.awk with the time functions.
gen() {
    g=$1
    shift
    awk "$@" -f "$here/time.awk" -f "$here/$g.awk"
}
lines() { wc -l <"$1" | tr -d ' '; }
bytes() { wc -c <"$1" | tr -d ' '; }
rfc3339() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

gnu_time=no
if /usr/bin/time -f %M -o "$work/rss" true 2>/dev/null && [ -s "$work/rss" ]; then
    gnu_time=yes
fi
# timed CMD...: run CMD; t_ns is its wall time in nanoseconds, t_kib its peak RSS in KiB ("-"
# without GNU time).
timed() {
    ns0=$(now_ns)
    if [ "$gnu_time" = yes ]; then
        /usr/bin/time -f %M -o "$work/rss" "$@"
        ns1=$(now_ns)
        t_kib=$(tail -n 1 "$work/rss")
    else
        "$@"
        ns1=$(now_ns)
        t_kib=-
    fi
    t_ns=$((ns1 - ns0))
}

# ---- the machine ----
model=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1)
printf 'gc bench, %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
printf 'machine: %s (%s), nproc %s, load average %s\n' "${model:-unknown CPU}" "$(uname -m)" \
    "$(nproc)" "$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)"
printf 'input: %d devices x 288 readings x %d day(s) = %d records (GC_BENCH_SCALE=%d); best of %d round(s); ' \
    "$devices" "$days" "$records" "$days" "$rounds"
if [ "$gnu_time" = no ]; then
    memx=0
    printf 'no peak RSS and no memory pass: no GNU time in /usr/bin/time\n'
elif [ "$memx" -gt 1 ]; then
    printf 'memory pass at %dx\n' "$memx"
else
    memx=0
    printf 'no memory pass\n'
fi

# ---- the world: keys, registry, pools, parties ----
say "keys of $devices devices"
mkdir -m 700 "$work/keys"
i=0
while [ "$i" -lt "$devices" ]; do
    dev=$(printf 'dev-%04d' "$i")
    if [ $((i % 2)) -eq 0 ]; then
        set -- --class pv --rated-w 5000
    else
        set -- --class gpu --rated-w 1400 --gpus 2
    fi
    "$bin/gc-attest" keygen --device "$dev" "$@" --zone "z$((i % zones))" -k "$work/keys/$dev.key"
    i=$((i + 1))
done >"$work/registry.ndjson"
z=0
while [ "$z" -lt "$zones" ]; do
    printf '{"type":"pool.def","v":1,"pool":"gpu-z%d","kind":"compute","classes":["gpu"],"zones":["z%d"]}\n' "$z" "$z"
    z=$((z + 1))
done >"$work/pools.ndjson"
for p in issuer h-1 h-2 h-3 h-4 val-1 val-2 val-3; do
    "$bin/gc-issue" keygen --id "$p" -k "$work/keys/$p.key"
done >"$work/parties.ndjson"
jq -c 'select(.party | startswith("val-")) | {type: "validator", v: 1, validator: .party, pubkey}' \
    "$work/parties.ndjson" >"$work/validators.ndjson"
pubkey() { jq -r --arg p "$1" 'select(.party == $p).pubkey' "$work/parties.ndjson"; }

# world DIR DAYS: the readings and nvidia-smi rows of DAYS days.
world() {
    mkdir -p "$1"
    gen readings -v devices="$devices" -v periods=$((288 * $2)) -v t0=$T0 >"$1/readings.ndjson"
    gen smi -v n=$((288 * devices * $2)) -v t0=$T0 >"$1/smi.csv"
}

# ---- the stages: each runs its program through timed, in directory $d ----
st_import() {
    timed "$bin/gc-attest" import -q --format nvidia-smi -o "$d/smi.ndjson" "$d/smi.csv"
    [ -s "$d/smi.ndjson" ] || die "import wrote no readings"
}
st_sign() {
    rm -f "$d/sign-heads.ndjson"
    timed "$bin/gc-attest" sign -q -j "${jobs:-1}" --keydir "$work/keys" --state "$d/sign-heads.ndjson" \
        -o "$d/att.ndjson" "$d/readings.ndjson"
}
st_verify() {
    timed "$bin/gc-verify" -q -j "${jobs:-1}" --registry "$work/registry.ndjson" --now 2030-01-01T00:00:00Z \
        -o "$d/verified.ndjson" "$d/att.ndjson"
    cmp -s "$d/att.ndjson" "$d/verified.ndjson" || die "verify changed records"
}
# The same on 2 threads; the baseline is the stage on 1 (st_X_j2's st_X).
st_sign_j2() { jobs=2 st_sign; }
st_verify_j2() { jobs=2 st_verify; }
# Signatures in parts on GNU parallel, 2 at once, chains judged once by merge.
st_verify_parts() {
    ns0=$(now_ns)
    parallel -j 2 --pipe -k --block 8M "$bin/gc-verify" --partial -q --registry \
        "$work/registry.ndjson" --now 2030-01-01T00:00:00Z <"$d/att.ndjson" >"$d/units.ndjson"
    "$bin/gc-verify" merge -q -o "$d/verified-parts.ndjson" "$d/units.ndjson"
    t_ns=$(($(now_ns) - ns0)) t_kib=-
    cmp -s "$d/att.ndjson" "$d/verified-parts.ndjson" || die "verify --partial + merge changed records"
    rm -f "$d/units.ndjson" "$d/verified-parts.ndjson"
}
st_match() {
    timed "$bin/gc-pool" match -q --registry "$work/registry.ndjson" -o "$d/matched.ndjson" \
        "$d/verified.ndjson"
}
st_match_sorted() {
    timed "$bin/gc-pool" match -q --sorted --registry "$work/registry.ndjson" \
        -o "$d/matched-sorted.ndjson" "$d/verified.ndjson"
    [ ! -f "$d/matched.ndjson" ] || cmp -s "$d/matched.ndjson" "$d/matched-sorted.ndjson" ||
        die "match --sorted and match disagree"
}
st_build() {
    timed "$bin/gc-pool" build -q --pools "$work/pools.ndjson" --registry "$work/registry.ndjson" \
        -o "$d/snapshots.ndjson" "$d/matched.ndjson"
    n=$(lines "$d/snapshots.ndjson")
    [ "$n" -eq $((zones * 24 * days)) ] || die "$n snapshots for $zones pools x $((24 * days)) hours"
}
st_amm_cp() { amm_run cp; }
st_amm_ys() { amm_run ys; }
amm_run() {
    rm -f "$d/amm-$1.state"
    timed "$bin/gc-amm" run -q --state "$d/amm-$1.state" -o "$d/receipts-$1.ndjson" \
        "$d/events-$1.ndjson"
    n=$(grep -c '"type":"amm.fill"' "$d/receipts-$1.ndjson" || true)
    [ "$n" -eq "$(grep -c '"type":"amm.swap"' "$d/events-$1.ndjson")" ] ||
        die "$n fills for $(grep -c '"type":"amm.swap"' "$d/events-$1.ndjson") swaps ($1)"
}
st_index() {
    timed "$bin/gc-amm" index -q --state "$d/amm-cp.state" -o "$d/index.ndjson"
    [ "$(lines "$d/index.ndjson")" -eq "$(lines "$d/amm-cp.state")" ] || die "index missed markets"
}
st_period() {
    rm -f "$d"/ledger-period.ndjson*
    timed "$bin/gc-settle" period -q --ledger "$d/ledger-period.ndjson" --package "$d/package.ndjson" \
        --positions "$d/package.ndjson" --period "$start/$end" -o "$d/payouts.ndjson" "$d/income.ndjson"
    if ! grep -q '"type":"period"' "$d/payouts.ndjson" || grep -q '"collected_micros":0,' "$d/payouts.ndjson"; then
        die "the period collected nothing"
    fi
}
st_carbon() {
    rm -f "$d"/ledger-carbon.ndjson*
    timed "$bin/gc-settle" carbon -q --ledger "$d/ledger-carbon.ndjson" --intensity "$d/intensity.ndjson" \
        -o "$d/carbon.ndjson" "$d/matched.ndjson"
    grep -q '"type":"carbon.accrual"' "$d/carbon.ndjson" || die "carbon accrued nothing"
}

# measure STAGE RECORDS INPUT BASELINE KIND AIM STREAMING FUNC: run FUNC and the baseline
# (ed25519-sign, ed25519-verify, jq, jq-raw, or j1: FUNC's stage on one thread, the function
# FUNC without its _j2 or _parts) alternately, $rounds times; append the best
# time, the highest RSS and the best baseline rate to rows.tsv.
msg_len=
measure() {
    m_stage=$1 m_records=$2 m_input=$3 m_base=$4 m_kind=$5 m_aim=$6 m_streaming=$7 m_fn=$8
    m_ns='' m_kib=0 m_rate=0
    r=1
    while [ "$r" -le "$rounds" ]; do
        say "$m_stage, round $r of $rounds"
        "$m_fn"
        if [ -z "$m_ns" ] || [ "$t_ns" -lt "$m_ns" ]; then m_ns=$t_ns; fi
        if [ "$t_kib" = - ]; then m_kib=-; elif [ "$m_kib" != - ] && [ "$t_kib" -gt "$m_kib" ]; then m_kib=$t_kib; fi
        case $m_base in
        ed25519-*)
            # The signed message is the attestation without its "sig":"<128 hex digits>", member.
            [ -n "$msg_len" ] ||
                msg_len=$(awk '{ s += length($0) } END { printf "%d", s / NR - 137 }' "$w/att.ndjson")
            raw=$("$bench/bench_ed25519" "$msg_len" 50000)
            if [ "$m_base" = ed25519-sign ]; then b_rate=${raw% *}; else b_rate=${raw#* }; fi
            ;;
        jq | jq-raw)
            if [ "$m_base" = jq ]; then opt=-c; else opt=-cR; fi
            timed jq "$opt" . "$m_input" >/dev/null
            b_rate=$(awk -v n="$m_records" -v ns="$t_ns" 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
            ;;
        j1)
            m_one=${m_fn%_j2}
            "${m_one%_parts}"
            b_rate=$(awk -v n="$m_records" -v ns="$t_ns" 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
            ;;
        esac
        b_rate=$(awk -v a="$m_rate" -v b="$b_rate" 'BEGIN { print (a > b ? a : b) }')
        m_rate=$b_rate
        r=$((r + 1))
    done
    case $m_base in
    ed25519-sign) m_label="Ed25519 sign, ${msg_len} B" ;;
    ed25519-verify) m_label="Ed25519 verify, ${msg_len} B" ;;
    jq) m_label="jq -c ." ;;
    jq-raw) m_label="jq -cR . (CSV lines)" ;;
    j1) m_label="the same, one thread" ;;
    esac
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m_stage" "$m_records" "$m_ns" \
        "$(bytes "$m_input")" "$m_kib" "$m_label" "$m_rate" "$m_kind" "$m_aim" "$m_streaming" \
        >>"$work/rows.tsv"
}

# ---- the table's pass ----
w=$work/1 d=$work/1
say "readings and nvidia-smi rows of $days day(s)"
world "$w" "$days"
measure "gc-attest import" "$records" "$w/smi.csv" jq-raw x 3 yes st_import
measure "gc-attest sign" "$records" "$w/readings.ndjson" ed25519-sign pct 85 yes st_sign
measure "gc-verify" "$records" "$w/att.ndjson" ed25519-verify pct 90 yes st_verify
measure "gc-attest sign -j 2" "$records" "$w/readings.ndjson" j1 x 1.8 no st_sign_j2
measure "gc-verify -j 2" "$records" "$w/att.ndjson" j1 x 1.8 no st_verify_j2
if command -v parallel >/dev/null; then
    measure "gc-verify --partial, merge" "$records" "$w/att.ndjson" j1 x 1.8 no st_verify_parts
fi
measure "gc-pool match" "$records" "$w/verified.ndjson" jq x 3 no st_match
measure "gc-pool match --sorted" "$records" "$w/verified.ndjson" jq x 3 yes st_match_sorted
measure "gc-pool build" "$(lines "$w/matched.ndjson")" "$w/matched.ndjson" jq x 3 no st_build

# The note: the pools' snapshots of the last day of readings, co-signed, as collateral for one
# day; the markets of that day open on the last day of readings.
start_s=$((T0 + days * DAY))
start=$(rfc3339 "$start_s") end=$(rfc3339 $((start_s + DAY)))
say "package from day $days's snapshots"
"$bin/gc-pool" cosign -q -k "$work/keys/val-1.key" "$w/snapshots.ndjson" |
    "$bin/gc-pool" cosign -q -k "$work/keys/val-2.key" >"$w/cosigned.ndjson"
pools=$(awk -v n="$zones" 'BEGIN { for (z = 0; z < n; z++) printf "%s\"gpu-z%d\"", z ? "," : "", z }')
subs=
for t in senior:h-1 senior:h-2 mezzanine:h-3 mezzanine:h-1 junior:h-4; do
    subs="$subs${subs:+,}{\"holder\":\"$(pubkey "${t#*:}")\",\"tranche\":\"${t%:*}\",\"amount_micros\":1000000000000000}"
done
cat >"$w/terms.ndjson" <<TERMS
{"type":"terms","v":1,"package":"bench-1","issuer":"issuer","spv":{"name":"Bench Receivables Ltd","jurisdiction":"KY"},"currency":"USD","pools":[$pools],"start":"$start","end":"$end","window_h":24,"price_source":"fixed","price_micros":2000000,"utilization_bps":7500,"servicer_fee_bps":300,"discount_bps":1200,"haircut_bps":500,"min_junior_bps":1000,"tranches":[{"tranche":"junior","seniority":3,"share_bps":1200,"coupon_bps":0},{"tranche":"senior","seniority":1,"share_bps":6000,"coupon_bps":600,"min_oc_bps":12500},{"tranche":"mezzanine","seniority":2,"share_bps":2000,"coupon_bps":1000,"min_oc_bps":11000}],"subscriptions":[$subs]}
TERMS
"$bin/gc-issue" package -q --terms "$w/terms.ndjson" -k "$work/keys/issuer.key" \
    --validators "$work/validators.ndjson" --quorum 2 -o "$w/package.ndjson" "$w/cosigned.ndjson"

say "market events"
gen amm-events -v n="$records" -v curve=cp -v pools="$zones" -v t0=$((start_s - DAY)) >"$w/events-cp.ndjson"
gen amm-events -v n=$((records / 10)) -v curve=ys -v pools="$zones" -v t0=$((start_s - DAY)) \
    >"$w/events-ys.ndjson"
measure "gc-amm run (cp)" "$(lines "$w/events-cp.ndjson")" "$w/events-cp.ndjson" jq x 3 no st_amm_cp
measure "gc-amm run (ys)" "$(lines "$w/events-ys.ndjson")" "$w/events-ys.ndjson" jq x 3 no st_amm_ys
measure "gc-amm index" "$(lines "$w/amm-cp.state")" "$w/amm-cp.state" jq x 3 no st_index
grep '"type":"amm.fill"' "$w/receipts-cp.ndjson" >"$w/income.ndjson"
measure "gc-settle period" "$(lines "$w/income.ndjson")" "$w/income.ndjson" jq x 3 no st_period
gen intensity -v zones="$zones" -v hours=$((24 * days)) -v t0=$T0 >"$w/intensity.ndjson"
measure "gc-settle carbon" "$(lines "$w/matched.ndjson")" "$w/matched.ndjson" jq x 3 no st_carbon
rm -rf "$w"

# ---- the memory pass: the streaming stages once on memx times the input ----
: >"$work/mem.tsv"
if [ "$memx" -gt 1 ]; then
    d=$work/mem
    say "memory pass: readings and nvidia-smi rows of $((days * memx)) days"
    world "$d" $((days * memx))
    for s in "gc-attest import:st_import" "gc-attest sign:st_sign" "gc-verify:st_verify" \
        "gc-pool match --sorted:st_match_sorted"; do
        say "${s%:*}, ${memx}x"
        "${s#*:}"
        printf '%s\t%s\n' "${s%:*}" "$t_kib" >>"$work/mem.tsv"
        # What each stage read is what the next one needs no more.
        case ${s#*:} in
        st_import) rm -f "$d/smi.csv" "$d/smi.ndjson" ;;
        st_sign) rm -f "$d/readings.ndjson" ;;
        st_verify) rm -f "$d/att.ndjson" ;;
        esac
    done
    rm -rf "$d"
fi

if [ "$memx" -gt 1 ]; then
    flat="peak RSS at ${memx}x the input at most twice that at 1x"
else
    flat="not measured without a memory pass"
fi
echo
awk -v memx="$memx" -f "$here/table.awk" "$work/mem.tsv" "$work/rows.tsv"
cat <<NOTES

records: readings (sign), attestations (verify, match), nvidia-smi rows (import), match output
  (pool build, carbon), events (amm run: the swaps plus an open and an add per market), markets
  (index: the state file), amm.fill receipts (period). MB/s: input bytes per second (1 MB = 10^6 B).
baselines: raw libsodium Ed25519 on one core over distinct ${msg_len}-byte messages (an attestation
  without its sig) under 100 keys; jq -c . over the stage's input file to /dev/null (import: jq -cR .,
  jq cannot parse CSV); for -j 2 and --partial, merge (GNU parallel, 2 jobs) the same stage on one
  thread. Aims: sign >= 85 %, verify >= 90 %, -j 2 >= 1.8x, the rest >= 3x jq, flat memory for the
  streaming stages (import, sign, verify, match --sorted): $flat.
NOTES
