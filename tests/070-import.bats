#!/usr/bin/env bats
# gc-attest import: telemetry exports in their real layouts into readings whose energy adds up.

load helpers

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
    IMP=$FIX/import
}

# integral_wh CSV OFFSET_S: per device, the Wh an independent integration of the samples gives
# (each power held until the next sample of that GPU, gaps over 60 s not bridged), rounded down.
integral_wh() {
    awk -F', ' -v gap=60000 'NR > 1 {
        split($1, dt, /[\/ :.]/)
        t = ((dt[4] * 60 + dt[5]) * 60 + dt[6]) * 1000 + dt[7]
        id = tolower($3)
        p = ($5 ~ /^\[/) ? -1 : $5 + 0
        if (id in last && lastp[id] >= 0 && t - last[id] <= gap)
            sum[id] += lastp[id] * 1000 * (t - last[id])   # mW x ms, exact in a double here
        last[id] = t; lastp[id] = p
    } END { for (id in sum) printf "%s %d\n", id, int(sum[id] / 3600000000) }' "$1" | sort
}

@test "nvidia-smi CSV with units, several GPUs, [N/A] and a gap: golden readings" {
    run gc-attest import --format nvidia-smi --tz +02:00 "$IMP/nvidia-smi.csv"
    assert_success
    assert_equal "$output" "$(cat "$IMP/nvidia-smi.golden.ndjson")
gc-attest: 709 in, 709 used, 0 rejected; 27 records out"
}

@test "nvidia-smi --format=csv,nounits with --device and 60 s periods: golden readings" {
    run gc-attest import -q --format nvidia-smi --device node7 --period-s 60 "$IMP/nvidia-smi-nounits.csv"
    assert_success
    assert_equal "$output" "$(cat "$IMP/nvidia-smi-nounits.golden.ndjson")"
    assert_equal "$(jq -r .device <<<"$output" | sort -u)" node7-gpu0
}

@test "the Wh of the readings equal the integral of the samples, rounded down, per GPU" {
    gc-attest import -q --format nvidia-smi --tz +02:00 "$IMP/nvidia-smi.csv" >r.ndjson
    run jq -rs 'group_by(.device)[] | "\(.[0].device) \(map(.energy_wh) | add)"' r.ndjson
    assert_output "$(integral_wh "$IMP/nvidia-smi.csv")"
    # every period is aligned, inside one hour, and busy never exceeds covered time
    run jq -e 'select((.ts | fromdateiso8601) % 300 != 0 or .busy_s > .gpu_s or .gpu_s > 300)' r.ndjson
    assert_failure
}

@test "periods of 60, 300 and 900 s book the same total energy" {
    for p in 60 300 900; do
        gc-attest import -q --format nvidia-smi --tz +02:00 --period-s "$p" "$IMP/nvidia-smi.csv" |
            jq -s 'map(.energy_wh) | add' >"total.$p"
    done
    # floors per device and period differ by under one Wh per device from the single integral
    run cat total.60 total.300 total.900
    [ "$(sort -u total.* | wc -l)" -eq 1 ]
}

@test "imported readings sign and verify" {
    mkdir -m 700 keys
    for id in $(jq -r .device "$IMP/nvidia-smi.golden.ndjson" | sort -u); do
        gc-attest keygen --device "$id" --class gpu --rated-w 700 --zone de-tennet -k "keys/$id.key" >>reg.ndjson
    done
    gc-attest import -q --format nvidia-smi --tz +02:00 "$IMP/nvidia-smi.csv" |
        gc-attest sign -q --keydir keys --state h.ndjson |
        gc-verify -q --registry reg.ndjson --now 2026-11-02T00:00:00Z >ok.ndjson
    [ "$(grep -c . ok.ndjson)" -eq 27 ]
}

@test "bad rows are rejected with their reasons; the rest is imported" {
    {
        head -n 3 "$IMP/nvidia-smi-nounits.csv"
        echo '2026/11/01 10:00:20.000, 0, GPU-5fd4c5d2-8f36-1c5e-6a5b-3f0e1b2c4d5e, A100, 250.5'
        echo '2026/13/01 10:00:20.000, 0, GPU-5fd4c5d2-8f36-1c5e-6a5b-3f0e1b2c4d5e, A100, 250.5, 3'
        echo '01/11/2026 10:00:20, 0, GPU-5fd4c5d2-8f36-1c5e-6a5b-3f0e1b2c4d5e, A100, 250.5, 3'
        echo '2026/11/01 10:00:20.000, 0, GPU-5fd4c5d2-8f36-1c5e-6a5b-3f0e1b2c4d5e, A100, 2,5 W, 3'
        echo '2026/11/01 10:00:20.000, 0, GPU-5fd4c5d2-8f36-1c5e-6a5b-3f0e1b2c4d5e, A100, -5.0, 3'
        echo '2026/11/01 10:00:20.000, 0, GPU-5fd4c5d2-8f36-1c5e-6a5b-3f0e1b2c4d5e, A100, 2.5 kW, 3'
        echo '2026/11/01 10:00:20.000, 0, GPU-5fd4c5d2-8f36-1c5e-6a5b-3f0e1b2c4d5e, A100, 250.5, 140'
        echo '2026/11/01 10:00:05.000, 0, GPU-5fd4c5d2-8f36-1c5e-6a5b-3f0e1b2c4d5e, A100, 250.5, 3'
        echo '2026/11/01 10:00:20.000, 0, GPU-5fd4c5d2-8f36-1c5e-6a5b-3f0e1b2c4d5e, "A100, 80GB", 250.5, 3'
    } >bad.csv
    run gc-attest import --format nvidia-smi --rejects rej.ndjson bad.csv
    assert_failure 65
    assert_output --partial "gc-attest: 12 in, 4 used, 8 rejected; "
    assert_equal "$(jq -r .reason rej.ndjson | tr '\n' ' ')" \
        "bad_csv bad_time bad_time bad_csv bad_number bad_number bad_number non_monotonic_time "
    assert_equal "$(jq -r .line rej.ndjson | tr '\n' ' ')" "4 5 6 7 8 9 10 11 "
    # without --rejects the first bad row stops the import
    run gc-attest import --format nvidia-smi -o out.ndjson bad.csv
    assert_failure 65
    assert_output --partial "bad.csv:4: bad_csv:"
    assert_file_not_exists out.ndjson
}

@test "a file without the needed columns is refused at its header" {
    printf 'timestamp, index, name\n2026/11/01 10:00:00.000, 0, x\n' >h.csv
    run gc-attest import --format nvidia-smi h.csv
    assert_failure 65
    assert_output --partial "h.csv:1: bad_csv: the header needs 'timestamp' and 'power.draw'"
}

@test "import options are checked" {
    run gc-attest import
    assert_failure 64
    assert_output --partial "import needs --format"
    run gc-attest import --format excel
    assert_failure 64
    run gc-attest import --format nvidia-smi --period-s 7
    assert_failure 64
    assert_output --partial "does not divide 3600"
    run gc-attest import --format nvidia-smi --tz Europe/Nowhere
    assert_failure 64
}

@test "zstd-compressed exports import the same" {
    zstd -q -c "$IMP/nvidia-smi.csv" >smi.csv.zst
    run gc-attest import -q --format nvidia-smi --tz +02:00 smi.csv.zst
    assert_success
    assert_equal "$output" "$(cat "$IMP/nvidia-smi.golden.ndjson")"
}

# counter_wh PROM: per GPU, the Wh its energy counter advanced (resets and MIG repeats left
# out), rounded down: what the readings must add up to.
counter_wh() {
    awk '/^DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION/ {
        match($0, /UUID="[^"]*"/); id = tolower(substr($0, RSTART + 6, RLENGTH - 7))
        v = $(NF - 1); t = $NF
        if (id in last && t == lt[id]) next          # MIG: the same counter on each instance
        if (id in last && v >= last[id]) sum[id] += v - last[id]
        last[id] = v; lt[id] = t
    } END { for (id in sum) printf "%s %d\n", id, int(sum[id] / 3600000) }' "$1" | sort
}

@test "dcgm: energy counters, power samples, MIG repeats and a reset: golden readings" {
    run gc-attest import --format dcgm --rejects rej.ndjson -o out.ndjson "$IMP/dcgm.prom"
    assert_failure 65
    assert_output "gc-attest: 2178 in, 2177 used, 1 rejected; 15 records out"
    cmp out.ndjson "$IMP/dcgm.golden.ndjson"
    assert_equal "$(jq -r '"\(.line) \(.reason)"' rej.ndjson)" "1095 counter_reset"
    run jq -r .detail rej.ndjson
    assert_output --partial "went back from 7537791089 to 1852 mJ"
}

@test "dcgm: with a counter the Wh are the counter's advance, MIG instances counted once" {
    gc-attest import -q --format dcgm --rejects /dev/null "$IMP/dcgm.prom" >r.ndjson || true
    run jq -rs 'map(select(.device != "gpu-aa11bb22-cc33-dd44-ee55-ff6677889900")) |
        group_by(.device)[] | "\(.[0].device) \(map(.energy_wh) | add)"' r.ndjson
    assert_output "$(counter_wh "$IMP/dcgm.prom")"
}

@test "dcgm: samples need timestamps, values must be numbers" {
    printf '%s\n' 'DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-1"} 245.5' \
        'DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-1"} NaN 1793527200000' \
        'DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-1" 245.5 1793527200000' \
        'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-1"} 120 1793527200000' \
        'DCGM_FI_DEV_SM_CLOCK{gpu="0"} 1980 1793527200000' >bad.prom
    run gc-attest import --format dcgm --device n1 --rejects rej.ndjson bad.prom
    assert_failure 65
    assert_equal "$(jq -r .reason rej.ndjson | tr '\n' ' ')" "bad_time bad_number bad_prom bad_number "
}

@test "csv: +02:00 offsets normalised to UTC, kWh read exactly, devices from a column" {
    run gc-attest import -q --format csv --period-s 300 \
        --map ts=timestamp,device=meter,energy_kwh=import_kwh "$IMP/meter-offsets.csv"
    assert_success
    assert_equal "$output" "$(cat "$IMP/meter-offsets.golden.ndjson")"
    # 0.0412+0.0398+0.0405+0.0333333+0.0390 kWh = 193.8333 Wh: 193 booked, nothing lost to floats
    assert_equal "$(jq -s 'map(select(.device == "pv-001") | .energy_wh) | add' <<<"$output")" 193
    assert_equal "$(jq -r 'select(.device == "pv-001") | .ts' <<<"$output" | head -n 1)" \
        2026-11-01T10:00:00Z
}

@test "csv --counter: register differences, a reset reported and not booked" {
    run gc-attest import --format csv --counter --device meter-9 --tz +01:00 --period-s 900 \
        --rejects rej.ndjson -o out.ndjson --map ts=read_at,energy_wh=register_wh \
        "$IMP/meter-register.csv"
    assert_failure 65
    cmp out.ndjson "$IMP/meter-register.golden.ndjson"
    assert_equal "$(jq -r '"\(.line) \(.reason)"' rej.ndjson)" "5 counter_reset"
    # 250.5 + 250.25 + 248.25 + 250.25 Wh read; the reset interval is not booked
    assert_equal "$(jq -s 'map(.energy_wh) | add' out.ndjson)" 999
}

@test "csv: the hourly layout of granular-certificate registries, with a documented --map" {
    run gc-attest import -q --format csv --period-s 3600 \
        --map ts=interval_start_datetime,end=interval_end_datetime,device=device_id,energy_wh=interval_usage \
        "$IMP/registry-hourly.csv"
    assert_success
    assert_equal "$output" "$(cat "$IMP/registry-hourly.golden.ndjson")"
    assert_equal "$(jq -r .energy_wh <<<"$output" | tr '\n' ' ')" "1234 988 1500 "
    # the documented line is in the man page
    grep -q 'ts=interval_start_datetime,end=interval_end_datetime,device=device_id' "$TOP/man/gc-attest.1"
}

@test "csv: bad rows and bad --map values" {
    printf '%s\n' 'ts,kwh' '2026-11-01T10:00:00Z,1.5' '2026-11-01T10:05:00+25:00,1' \
        '2026-11-31T10:00:00Z,1' '2026-11-01T10:10:00Z,1,5' '2026-11-01T10:10:00Z,x' \
        '2026-11-01T10:10:00Z,-1' '2026-11-01T10:00:00Z,1' >bad.csv
    run gc-attest import --format csv --device m1 --map ts=ts,energy_kwh=kwh --rejects rej.ndjson bad.csv
    assert_failure 65
    assert_equal "$(jq -r .reason rej.ndjson | tr '\n' ' ')" \
        "bad_time bad_time bad_csv bad_number bad_number non_monotonic_time "
    run gc-attest import --format csv --map ts=ts bad.csv
    assert_failure 64
    run gc-attest import --format csv --map ts=ts,energy_wh=a,energy_kwh=b --device m bad.csv
    assert_failure 64
    run gc-attest import --format csv --map ts=ts,energy_wh=kwh bad.csv
    assert_failure 64
    assert_output --partial "device=COL"
    run gc-attest import --format nvidia-smi --counter bad.csv
    assert_failure 64
    run gc-attest import --format csv --device m --map ts=nope,energy_wh=kwh bad.csv
    assert_failure 65
    assert_output --partial "the header has no column 'nope'"
}

@test "--tz Europe/Berlin: the repeated autumn hour is placed by order and reported" {
    run gc-attest import --format csv --device m1 --tz Europe/Berlin --period-s 900 \
        --map ts=start,energy_kwh=kwh -o out.ndjson "$IMP/berlin-fall-back.csv"
    assert_success
    assert_output --partial "8 local times fell in an hour repeated at a daylight-saving change"
    # 20 quarter hours, 22:00Z to 02:45Z, one after the other: nothing folded onto another
    assert_equal "$(jq -r .ts out.ndjson | head -n 1)" 2026-10-24T22:00:00Z
    assert_equal "$(jq -r .ts out.ndjson | tail -n 1)" 2026-10-25T02:45:00Z
    assert_equal "$(jq -r .ts out.ndjson | sort -u | wc -l)" 20
    assert_equal "$(jq -s 'map(.energy_wh) | add' out.ndjson)" 5190
}

@test "--tz Europe/Berlin: times in the skipped spring hour are rejected, not guessed" {
    run gc-attest import --format csv --device m1 --tz Europe/Berlin --period-s 900 \
        --map ts=start,energy_kwh=kwh --rejects rej.ndjson "$IMP/berlin-spring-forward.csv"
    assert_failure 65
    assert_equal "$(jq -r '"\(.line) \(.reason)"' rej.ndjson | tr '\n' ' ')" \
        "4 bad_time 5 bad_time 6 bad_time 7 bad_time "
    run jq -r .detail rej.ndjson
    assert_line --index 0 --partial "skipped it at a daylight-saving change"
}
