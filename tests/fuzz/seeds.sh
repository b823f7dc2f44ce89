#!/bin/sh
# Seed corpora for the libFuzzer harnesses of tests/fuzz, made from the test fixtures
# (tests/fixtures, tests/vectors, examples/world): one directory per harness under OUT, one
# file per record line or per fixture file as the harness reads its input.
#   sh tests/fuzz/seeds.sh build/fuzz/seeds
# Nothing here is checked in: the corpora are rebuilt from the fixtures on every run. Lines
# and files are capped so that a seed stays small (libFuzzer mutates small inputs faster).
set -eu
cd "$(dirname "$0")/../.."

out=${1:?usage: seeds.sh OUTDIR}
max_lines=40  # records taken from one fixture file
max_bytes=12000 # the largest seed made of a whole file

names="fuzz_ndjson fuzz_jcs fuzz_time fuzz_csv fuzz_prom fuzz_import fuzz_records fuzz_amm
fuzz_task fuzz_settle fuzz_ledger fuzz_tz fuzz_pool fuzz_quote"
for n in $names; do
    rm -rf "${out:?}/$n"
    mkdir -p "$out/$n"
done

ndjson=$(find tests/fixtures tests/vectors examples/world -name '*.ndjson' | sort)
json=$(find tests/vectors -name '*.json' | sort)

# seed DIR: standard input becomes DIR/<checksum>, so equal seeds are one file.
seed() {
    tmp="$1/.tmp"
    cat >"$tmp"
    sum=$(cksum <"$tmp" | cut -d' ' -f1)
    mv "$tmp" "$1/$sum"
}

# lines DIR PREFIX FILE: each of the first max_lines non-blank lines of FILE, after PREFIX, as
# DIR/<FILE with / as _>-<N> (one awk for the whole file: there are hundreds of them).
lines() {
    LC_ALL=C awk -v dir="$1" -v prefix="$2" -v max="$max_lines" -v name="$(echo "$3" | tr / _)" '
        /[^[:space:]]/ {
            if (++n > max)
                exit
            f = dir "/" name "-" n
            printf "%s%s", prefix, $0 > f
            close(f)
        }' "$3"
}

# whole PREFIX FILE...: PREFIX, then the files' lines as long as they fit in max_bytes.
whole() {
    printf '%s' "$1"
    shift
    cat "$@" | LC_ALL=C awk -v max="$max_bytes" '{ n += length($0) + 1; if (n > max) exit; print }'
}

# fuzz_ndjson: whole files, plain and (when zstd is there) compressed; odd first bytes cut lines.
for f in $ndjson; do
    whole '' "$f" | seed "$out/fuzz_ndjson"
    if command -v zstd >/dev/null 2>&1; then
        whole '' "$f" | zstd -q -c | seed "$out/fuzz_ndjson"
    fi
done
{
    printf '\001'
    whole '' tests/fixtures/readings.ndjson
} | seed "$out/fuzz_ndjson"

# fuzz_jcs and fuzz_records: one record per seed; the RFC 8785 vectors whole.
for f in $ndjson; do
    lines "$out/fuzz_jcs" '' "$f"
    lines "$out/fuzz_records" '' "$f"
done
for f in $json; do
    head -c "$max_bytes" "$f" | seed "$out/fuzz_jcs"
done

# fuzz_time: every timestamp the fixtures hold, and the near misses gc_time_parse names.
# shellcheck disable=SC2086
grep -ohE '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z' $ndjson | sort -u |
    head -n 200 | while IFS= read -r t; do
    printf '%s' "$t" | seed "$out/fuzz_time"
done
for t in 2026-11-01t10:00:00Z '2026-11-01 10:00:00Z' 2026-11-01T10:00:00.5Z \
    2026-11-01T10:00:00+00:00 2026-11-01T10:00:00-00:00 2026-11-01T10:00:00z \
    2026-02-29T00:00:00Z 2024-02-29T23:59:59Z 2026-06-30T23:59:60Z 0000-01-01T00:00:00Z \
    0001-01-01T00:00:00Z 9999-12-31T23:59:59Z 1969-12-31T23:59:59Z Z UTC +02:00 -05:30 +24:00; do
    printf '%s' "$t" | seed "$out/fuzz_time"
done

# fuzz_csv: first byte odd = trimmed as nvidia-smi is.
for f in tests/fixtures/import/*.csv; do
    case $f in *nvidia-smi*) p=1 ;; *) p=0 ;; esac
    lines "$out/fuzz_csv" "$p" "$f"
done

# fuzz_prom: the exporter's lines.
lines "$out/fuzz_prom" '' tests/fixtures/import/dcgm.prom

# fuzz_import: two option bytes (see fuzz_import.c), the --map line for csv, then the export
# as tests/070-import.bats imports it. Octal: format | --device | --counter | --tz, then
# --period-s | --max-gap-s 60 (index 4).
# The formats are this script's own octal escapes, hence printf "$1" (SC2059).
imp() {
    # shellcheck disable=SC2059
    printf "$1" | cat - "$2" | head -c "$max_bytes" | seed "$out/fuzz_import"
}
i=tests/fixtures/import
imp '\020\113' "$i/nvidia-smi.csv"                # --tz +02:00, --period-s 300
imp '\004\112' "$i/nvidia-smi-nounits.csv"        # --device, --period-s 60
imp '\001\113' "$i/dcgm.prom"                     # dcgm, --period-s 300
imp '\005\113' "$i/dcgm.prom"                     # dcgm --device
imp '\002\113ts=timestamp,device=meter,energy_kwh=import_kwh\n' "$i/meter-offsets.csv"
imp '\016\115ts=read_at,energy_wh=register_wh\n' "$i/meter-register.csv"
imp '\002\117ts=interval_start_datetime,end=interval_end_datetime,device=device_id,energy_wh=interval_usage\n' \
    "$i/registry-hourly.csv"
imp '\046\115ts=start,energy_kwh=kwh\n' "$i/berlin-fall-back.csv"
imp '\046\115ts=start,energy_kwh=kwh\n' "$i/berlin-spring-forward.csv"

# fuzz_amm: event streams, and the states a run writes (in the golden file) with them.
whole '' tests/fixtures/amm/events.ndjson | seed "$out/fuzz_amm"
grep '"amm.state"' tests/fixtures/amm/events.golden.ndjson | head -n 4 | seed "$out/fuzz_amm"
lines "$out/fuzz_amm" '' tests/fixtures/amm/events.ndjson

# fuzz_task: an option byte (bit 0: sign mode), the registry, beacons, a task and what
# answers it. The fixtures hold no receipt or opening, so their shapes (gc-records(5)) follow.
fix=tests/fixtures/man
zero=0000000000000000000000000000000000000000000000000000000000000000
# receipt DEVICE, opening DEVICE: of task t1, all zeros where the harness fills in (sign mode).
receipt() {
    printf '{"type":"receipt","v":1,"task":"t1","device":"%s","started_at":"2026-11-01T14:00:00Z","ended_at":"2026-11-01T14:30:00Z","gpu_s":1800,"energy_wh":300,"chunks":16,"root":"%s","sig":"%s%s"}\n' \
        "$1" $zero $zero $zero
}
opening() {
    printf '{"type":"opening","v":1,"task":"t1","device":"%s","chunks":16,"root":"%s","opened":[{"index":3,"hash":"%s","path":["%s","%s","%s","%s"]}],"sig":"%s%s"}\n' \
        "$1" $zero $zero $zero $zero $zero $zero $zero $zero
}
challenge='{"type":"challenge","v":1,"task":"t1","task_hash":"'$zero'","beacon":"'$zero'","beacon_pool":"gpu-z1","beacon_hour":"2026-11-01T15:00:00Z","root":"'$zero'","chunks":16,"indices":[3,7,9,12],"devices":["gpu-1"]}'
# sign mode, challenges, --pay, --recompute, the honest round: see fuzz_task.c.
for opt in '\000' '\001' '\002' '\005' '\011' '\021' '\035'; do
    {
        # shellcheck disable=SC2059
        printf "$opt"
        cat "$fix/gc-verify/registry.ndjson" "$fix/gc-verify/snapshots.ndjson" \
            "$fix/gc-attest/task.ndjson" "$fix/gc-verify/market.ndjson" \
            "$fix/gc-verify/attestations.ndjson"
        receipt gpu-1
        receipt gpu-2
        receipt gpu-3
        opening gpu-1
        printf '%s\n' "$challenge"
    } | seed "$out/fuzz_task"
done

# fuzz_settle: an option byte (period hours - 1, bit 6: a second period), the package and its
# positions, transfers, the period's income, the reserve's params, intensity and allocations.
for opt in '\027' '\107' '\000'; do
    {
        # shellcheck disable=SC2059
        printf "$opt"
        cat "$fix/gc-verify/issue.ndjson" "$fix/gc-verify/transfers.ndjson" \
            tests/fixtures/settle/income.ndjson examples/world/params.ndjson
        head -n 6 tests/fixtures/pool/match.golden.ndjson
    } | head -c 16000 | seed "$out/fuzz_settle"
done

# fuzz_ledger: four option bytes (see fuzz_ledger.c: mode, appends, the byte to change), then
# records to append, or a ledger file made here, hash-chained with sha256sum, and its head.
for opt in '\001\000\000\000' '\005\000\100\001' '\015\001\000\040'; do
    {
        # shellcheck disable=SC2059
        printf "$opt"
        head -n 3 tests/fixtures/settle/income.ndjson
        echo
        head -n 3 examples/world/params.ndjson
    } | seed "$out/fuzz_ledger"
done
ledger_line() { # AMOUNT KEY PREV SEQ
    printf '{"amount_micros":%s,"key":"%s","prev":"%s","seq":%s,"type":"distribution","v":1}' \
        "$1" "$2" "$3" "$4"
}
prev=$zero
ledger=""
for i in 1 2 3; do
    line=$(ledger_line $((i * 10)) "k$i" "$prev" "$i")
    prev=$(printf '%s' "$line" | sha256sum | cut -d' ' -f1)
    ledger="$ledger$line
"
done
head='{"hash":"'$prev'","seq":3,"type":"ledger.head","v":1}'
for opt in '\000\000\000\000' '\004\000\200\001' '\014\001\020\010'; do
    # shellcheck disable=SC2059
    { printf "$opt"; printf '%s' "$ledger"; } | seed "$out/fuzz_ledger"
done
{ printf '\002\000\000\000%s\000%s\n' "$ledger" "$head"; } | seed "$out/fuzz_ledger"
{ printf '\000\000\000\000%s{"amount' "$ledger"; } | seed "$out/fuzz_ledger"

# fuzz_tz: a mode byte (see fuzz_tz.c), then the system's TZif files as they are (when tzdata
# is installed), their TZ strings alone, a zone made from a compact description, and names.
for z in Europe/Berlin America/New_York Australia/Lord_Howe Asia/Kolkata Europe/Dublin \
    Africa/Casablanca Antarctica/Troll Pacific/Chatham America/Sao_Paulo Pacific/Kiritimati; do
    f=/usr/share/zoneinfo/$z
    [ -f "$f" ] || continue
    { printf '\000'; head -c "$max_bytes" "$f"; } | seed "$out/fuzz_tz"
    { printf '\003'; tail -n 1 "$f"; } | seed "$out/fuzz_tz"
done
for rule in 'CET-1CEST,M3.5.0,M10.5.0/3' 'EST5EDT,M3.2.0,M11.1.0' \
    '<+1030>-10:30<+11>-11,M10.1.0,M4.1.0' 'IST-1GMT0,M10.5.0,M3.5.0/1' 'EST5EDT,0/0,J365/25' \
    '<-03>3<-02>,M3.5.0/-2,M10.5.0/-1' '<+00>0<+02>-2,M3.5.0/1,M10.5.0/3' 'XXX3YYY,J60/1,59' \
    'AAA-167BBB,n0/-167,n365/167'; do
    printf '\003%s\n' "$rule" | seed "$out/fuzz_tz"
done
# Two types (+01:00, +02:00 DST), transitions in 2026 at 03-29T01:00Z and about 10-25T01:00Z.
printf '\001\021\001\155\237\000\001\173\257\001\000\151\310\171\220\001\000\000\000\000\004\235\077CET-1CEST,M3.5.0,M10.5.0/3\n' |
    seed "$out/fuzz_tz"
for name in UTC Z +05:30 -00:00 +24:00 -23:59 Europe/Berlin ../etc /abs a..b Fuzz/Zone; do
    printf '\002%s' "$name" | seed "$out/fuzz_tz"
done

# fuzz_pool: an option byte (the shards), the readings of the pool tests (devices the harness
# registers), pool definitions and stakes, a matched hour, and a partial record.
partial='{"charge_wh":0,"device":"pv-a","discharge_wh":0,"energy_wh":700,"gpu_s":0,"hour":"2026-11-01T10:00:00Z","inputs":["'$zero'"],"type":"partial","v":1,"zone":"z1"}'
for opt in '\000' '\001' '\002' '\003'; do
    {
        # shellcheck disable=SC2059
        printf "$opt"
        cat tests/fixtures/pool/readings.ndjson tests/fixtures/pool/pools.ndjson \
            tests/fixtures/pool/pools-window.ndjson tests/fixtures/pool/stakes.ndjson
        head -n 6 tests/fixtures/pool/match.golden.ndjson
        printf '%s\n' "$partial"
    } | head -c "$max_bytes" | seed "$out/fuzz_pool"
done
{
    printf '\000'
    cat tests/fixtures/registry.ndjson tests/fixtures/attestations.ndjson
} | seed "$out/fuzz_pool"
# The same readings at 2^62 Wh each, where sums pass 64 bits.
{
    printf '\001'
    big=4611686018427387904
    sed -e "s/\"energy_wh\":[1-9][0-9]*/\"energy_wh\":$big/" \
        -e "s/\"charge_wh\":[1-9][0-9]*/\"charge_wh\":$big/" \
        -e "s/\"discharge_wh\":[1-9][0-9]*/\"discharge_wh\":$big/" tests/fixtures/pool/readings.ndjson
    head -n 1 tests/fixtures/pool/pools-window.ndjson
    printf '%s\n' "$partial" | sed 's/"energy_wh":700/"energy_wh":9223372036854775807/'
} | seed "$out/fuzz_pool"

# fuzz_quote: two sizes (8 bytes each, big endian), a time byte, then the markets of the amm
# fixture left open (no poll, close or remove), and the states a run writes.
quote() {
    # shellcheck disable=SC2059
    { printf "$1"; grep -v -e amm.close -e amm.remove -e amm.poll "$2"; } | seed "$out/fuzz_quote"
}
a=tests/fixtures/amm
quote '\000\000\000\000\000\000\016\017\000\000\000\000\000\000\214\237\000' "$a/events.ndjson"
quote '\000\000\000\000\000\000\000\000\000\000\001\000\000\000\000\000\200' "$a/events.ndjson"
quote '\000\000\000\000\000\000\003\347\000\000\000\000\000\001\000\000\377' "$a/events.golden.ndjson"
# A cp market of 2^62 micros against 3600 GPU-s: prices past 64 bits.
printf '%s\n' '{"type":"amm.open","v":1,"market":"m","pool":"p","hour":"2026-11-01T15:00:00Z","ts":"2026-11-01T03:00:00Z","curve":"cp","fee_bps":30,"anchor_micros":2000000}' \
    '{"type":"amm.add","v":1,"market":"m","ts":"2026-11-01T03:00:00Z","lp":"op","devices":[{"device":"gpu-1","gpu_s":3600}],"cash_micros":4611686018427387904}' >"$out/fuzz_quote/.big"
quote '\000\000\000\000\000\000\000\077\000\000\000\000\000\000\007\007\000' "$out/fuzz_quote/.big"
rm "$out/fuzz_quote/.big"
