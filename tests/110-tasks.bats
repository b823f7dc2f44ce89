#!/usr/bin/env bats
# gc-verify tasks: receipts, replica agreement, challenges from a beacon, openings, recompute,
# payments — on a small world made for real: keys, signed readings, a market, pool snapshots.

load helpers
bats_require_minimum_version 1.5.0

MARKET=gpu-z1.20261101t14

setup_file() {
    W=$BATS_FILE_TMPDIR
    mkdir -m 700 "$W/keys"
    for d in gpu-1 gpu-2 gpu-3 gpu-4 gpu-5; do
        gc-attest keygen --device "$d" --class gpu --rated-w 1000 --zone z1 -k "$W/keys/$d.key"
    done >"$W/registry.ndjson"
    gc-attest keygen --device pv-a --class pv --rated-w 10000 --zone z1 -k "$W/keys/pv-a.key" >>"$W/registry.ndjson"
    # Each GPU attests 600 Wh and a full hour at 14:00 and 15:00; the PV covers them.
    for h in 14 15; do
        for d in gpu-1 gpu-2 gpu-3 gpu-4 gpu-5; do
            printf '{"type":"reading","v":1,"device":"%s","ts":"2026-11-01T%s:00:00Z","period_s":3600,"energy_wh":600,"gpu_s":3600,"busy_s":3600}\n' "$d" "$h"
        done
        printf '{"type":"reading","v":1,"device":"pv-a","ts":"2026-11-01T%s:00:00Z","period_s":3600,"energy_wh":8000}\n' "$h"
    done >"$W/readings.ndjson"
    gc-attest sign -q --keydir "$W/keys" --state "$W/heads.ndjson" "$W/readings.ndjson" |
        gc-verify -q --registry "$W/registry.ndjson" --now 2026-11-02T00:00:00Z >"$W/attestations.ndjson"
    # Snapshots of the pool: the one of 15:00 is the beacon of tasks delivered at 14:00.
    echo '{"type":"pool.def","v":1,"pool":"gpu-z1","kind":"compute","classes":["gpu"],"zones":["z1"]}' >"$W/pools.ndjson"
    gc-pool match -q --registry "$W/registry.ndjson" "$W/attestations.ndjson" |
        gc-pool build -q --pools "$W/pools.ndjson" --registry "$W/registry.ndjson" >"$W/snapshots.ndjson"
    # The market: four devices offer 3600 GPU-seconds each, alice buys 8000: 2000 from each.
    cat >"$W/events.ndjson" <<'EV'
{"type":"amm.open","v":1,"pool":"gpu-z1","hour":"2026-11-01T14:00:00Z","ts":"2026-11-01T02:00:00Z","anchor_micros":2000000}
{"type":"amm.add","v":1,"market":"gpu-z1.20261101t14","ts":"2026-11-01T02:00:00Z","lp":"op-1","devices":[{"device":"gpu-1","gpu_s":3600},{"device":"gpu-2","gpu_s":3600},{"device":"gpu-3","gpu_s":3600},{"device":"gpu-4","gpu_s":3600}],"cash_micros":8000000}
{"type":"amm.swap","v":1,"market":"gpu-z1.20261101t14","ts":"2026-11-01T03:00:00Z","trader":"alice","side":"buy","gpu_s":8000,"max_pay_micros":100000000}
{"type":"amm.close","v":1,"market":"gpu-z1.20261101t14","ts":"2026-11-01T14:00:00Z"}
EV
    gc-amm run -q --state "$W/amm.state" "$W/events.ndjson" >"$W/market.ndjson"
    # The example task: 16 chunks of a 32 x 32 matrix product; a device's honest result.
    SPECS=$TOP/examples/tasks
    SPEC=$("$SPECS/matmul.py" --hash "$SPECS/matmul-32.json")
    "$SPECS/matmul.py" --all "$SPEC" >"$W/honest.txt"
    # A forged result: chunk 5 made up.
    sed '6s/^./f/; 6s/^ff/0f/' "$W/honest.txt" >"$W/forged.txt"
    export W SPECS SPEC
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
    : >inputs.ndjson
}

# task ID REPLICAS CHALLENGES [BEACON_HOUR]: a task of alice in the market, appended to inputs.
task() {
    printf '{"type":"task","v":1,"task":"%s","market":"%s","buyer":"alice","spec":"%s","replicas":%s,"chunks":16,"challenges":%s,"price_micros":2000000,"beacon_pool":"gpu-z1","beacon_hour":"%s"}\n' \
        "$1" "$MARKET" "$SPEC" "$2" "$3" "${4:-2026-11-01T15:00:00Z}" >>inputs.ndjson
}

# receipt DEVICE TASK CHUNKS [GPU_S ENERGY_WH STARTED ENDED]: a signed receipt, appended.
receipt() {
    gc-attest receipt -k "$W/keys/$1.key" --task "$2" --chunks "$3" --gpu-s "${4:-1800}" \
        --energy-wh "${5:-500}" --started-at "${6:-2026-11-01T14:10:00Z}" \
        --ended-at "${7:-2026-11-01T14:50:00Z}" >>inputs.ndjson
}

# challenges: the challenge records of the inputs so far.
challenges() {
    gc-verify challenges -q --registry "$W/registry.ndjson" --snapshots "$W/snapshots.ndjson" \
        inputs.ndjson
}

# answer DEVICE CHUNKS: the device opens what the challenges ask of its root, appended.
answer() {
    challenges | gc-attest open -q -k "$W/keys/$1.key" --chunks "$2" >>inputs.ndjson
}

# judge ARGS...: gc-verify tasks over the market, the attestations and the inputs.
judge() {
    gc-verify tasks -q --registry "$W/registry.ndjson" --snapshots "$W/snapshots.ndjson" \
        "$@" "$W/market.ndjson" "$W/attestations.ndjson" inputs.ndjson
}

# verdict TASK JQ: a field of the task's verdict.
verdict() {
    jq -r --arg t "$1" "select((.type | startswith(\"task.\")) and .task == \$t) | $2" out.ndjson
}

@test "setup: alice's 8000 GPU-seconds come from four devices, 2000 each; the beacon exists" {
    run jq -c 'select(.type == "amm.delivery") | [.buyer, .device, .gpu_s]' "$W/market.ndjson"
    assert_output "$(printf '["alice","gpu-%s",2000]\n' 1 2 3 4)"
    run jq -r 'select(.type == "pool" and .pool == "gpu-z1" and .hour == "2026-11-01T15:00:00Z") | .root' "$W/snapshots.ndjson"
    assert_output --regexp '^[0-9a-f]{64}$'
}

@test "honest replicas: verified, paid price x GPU-seconds, split exactly" {
    task t1 3 4
    for d in gpu-1 gpu-2 gpu-3; do receipt "$d" t1 "$W/honest.txt"; done
    for d in gpu-1 gpu-2 gpu-3; do answer "$d" "$W/honest.txt"; done
    judge --pay >out.ndjson
    assert_equal "$(verdict t1 .type)" task.verified
    assert_equal "$(verdict t1 '[.replicas[].device] | join(" ")')" "gpu-1 gpu-2 gpu-3"
    assert_equal "$(verdict t1 '.rejected | length')" 0
    assert_equal "$(verdict t1 '.challenges | length')" 4
    # 2 000 000 micros per GPU-hour x 5400 GPU-seconds = 3 000 000 micros
    assert_equal "$(verdict t1 '[.gpu_s, .amount_micros] | join(" ")')" "5400 3000000"
    run jq -r 'select(.type == "payment") | "\(.device) \(.amount_micros)"' out.ndjson
    assert_output "$(printf 'gpu-%s 1000000\n' 1 2 3)"
}

@test "a lying replica is outvoted: verified by the other two, the liar named and unpaid" {
    task t1 3 4
    receipt gpu-1 t1 "$W/honest.txt"
    receipt gpu-2 t1 "$W/forged.txt"
    receipt gpu-3 t1 "$W/honest.txt"
    for d in gpu-1 gpu-3; do answer "$d" "$W/honest.txt"; done
    answer gpu-2 "$W/forged.txt"
    judge --pay >out.ndjson
    assert_equal "$(verdict t1 .type)" task.verified
    assert_equal "$(verdict t1 '[.replicas[].device] | join(" ")')" "gpu-1 gpu-3"
    assert_equal "$(verdict t1 '.rejected[] | "\(.device) \(.reason)"')" "gpu-2 replica_mismatch"
    run jq -r 'select(.type == "payment") | "\(.device) \(.amount_micros)"' out.ndjson
    assert_output "$(printf 'gpu-%s 1000000\n' 1 3)"
}

@test "no majority: three replicas, two roots, one of them split 1-1 with a third missing" {
    task t1 3 4
    receipt gpu-1 t1 "$W/honest.txt"
    receipt gpu-2 t1 "$W/forged.txt"
    judge >out.ndjson
    assert_equal "$(verdict t1 '[.type, .reason] | join(" ")')" "task.failed replica_mismatch"
    assert_equal "$(verdict t1 '[.rejected[].reason] | join(" ")')" "replica_mismatch replica_mismatch"
}

@test "a device that commits a root and cannot open a challenged chunk fails the task" {
    task t1 1 4
    receipt gpu-1 t1 "$W/honest.txt"
    # It answers with a result other than the one it committed to: nothing matches its root.
    answer gpu-1 "$W/forged.txt"
    judge >out.ndjson
    assert_equal "$(verdict t1 '[.type, .reason] | join(" ")')" "task.failed missing_opening"
    # An opening with a chunk left out, or altered, does not pass either.
    answer gpu-1 "$W/honest.txt"
    jq -c 'if .type == "opening" then .opened |= .[1:] else . end' inputs.ndjson >cut.ndjson
    mv cut.ndjson inputs.ndjson
    judge >out.ndjson
    assert_equal "$(verdict t1 '[.type, .reason] | join(" ")')" "task.failed bad_opening"
}

@test "of three agreeing replicas, one that does not open is dropped; two still carry it" {
    task t1 3 4
    for d in gpu-1 gpu-2 gpu-3; do receipt "$d" t1 "$W/honest.txt"; done
    for d in gpu-1 gpu-2; do answer "$d" "$W/honest.txt"; done
    judge --pay >out.ndjson
    assert_equal "$(verdict t1 .type)" task.verified
    assert_equal "$(verdict t1 '.rejected[] | "\(.device) \(.reason)"')" "gpu-3 missing_opening"
    assert_equal "$(jq -s '[.[] | select(.type == "payment")] | length' out.ndjson)" 2
}

@test "a receipt of a device not assigned to the market" {
    task t1 1 4
    receipt gpu-5 t1 "$W/honest.txt"
    answer gpu-5 "$W/honest.txt"
    judge >out.ndjson
    assert_equal "$(verdict t1 '[.type, .reason] | join(" ")')" "task.failed not_assigned"
    assert_equal "$(verdict t1 '.rejected[0].detail')" "gpu-5: device 'gpu-5' delivers nothing to 'alice' in market 'gpu-z1.20261101t14'" || true
    assert_equal "$(verdict t1 '.rejected[0].device')" gpu-5
}

@test "more GPU-seconds than delivered, more energy than attested, work outside the hour" {
    task t1 1 4
    receipt gpu-1 t1 "$W/honest.txt" 2001 500
    task t2 1 4
    receipt gpu-2 t2 "$W/honest.txt" 1800 601
    task t3 1 4
    receipt gpu-3 t3 "$W/honest.txt" 1800 500 2026-11-01T13:50:00Z 2026-11-01T14:20:00Z
    task t4 1 4
    receipt gpu-4 t4 "$W/honest.txt" 1800 500 2026-11-01T14:00:00Z 2026-11-01T14:20:00Z
    judge >out.ndjson
    assert_equal "$(verdict t1 .reason)" over_claim
    assert_equal "$(verdict t2 .reason)" over_energy
    assert_equal "$(verdict t3 .reason)" outside_hour
    # 1800 GPU-seconds in 20 minutes on one GPU
    assert_equal "$(verdict t4 .reason)" over_capacity
}

@test "no double counting: two tasks cannot spend one device's claim or energy twice" {
    task t1 1 4
    receipt gpu-1 t1 "$W/honest.txt" 1500 400
    task t2 1 4
    receipt gpu-1 t2 "$W/honest.txt" 600 100
    # one answer covers both: the device's root is challenged in each task
    answer gpu-1 "$W/honest.txt"
    task t3 1 4
    receipt gpu-2 t3 "$W/honest.txt" 1000 400
    task t4 1 4
    receipt gpu-2 t4 "$W/honest.txt" 1000 400
    judge >out.ndjson
    assert_equal "$(verdict t1 .type)" task.verified
    # 2000 delivered: 1500 + 600 is too much, in task order
    assert_equal "$(verdict t2 .reason)" over_claim
    # 600 Wh attested: 400 + 400 is too much
    assert_equal "$(verdict t4 .reason)" over_energy
}

@test "a forged signature on a receipt" {
    task t1 1 4
    receipt gpu-1 t1 "$W/honest.txt"
    jq -c 'if .type == "receipt" then .gpu_s = 1000 else . end' inputs.ndjson >x.ndjson
    mv x.ndjson inputs.ndjson
    judge >out.ndjson
    assert_equal "$(verdict t1 '[.type, .reason] | join(" ")')" "task.failed bad_signature"
}

@test "recompute: the example task reproduces honest chunks and catches a forged one" {
    task honest 1 16
    receipt gpu-1 honest "$W/honest.txt"
    answer gpu-1 "$W/honest.txt"
    task forged 1 16
    receipt gpu-2 forged "$W/forged.txt"
    answer gpu-2 "$W/forged.txt"
    # Without recomputation the forged result is consistent with its own root.
    judge >out.ndjson
    assert_equal "$(verdict forged .type)" task.verified
    judge --recompute "$SPECS/matmul.py --specs $SPECS" >out.ndjson
    assert_equal "$(verdict honest .type)" task.verified
    assert_equal "$(verdict forged '[.type, .reason] | join(" ")')" "task.failed recompute_mismatch"
    assert_equal "$(verdict forged '.rejected[0].detail')" "chunk 5 does not recompute to its hash"
}

@test "recompute: a command that fails stops the run with exit 69 and writes nothing" {
    task t1 1 4
    receipt gpu-1 t1 "$W/honest.txt"
    answer gpu-1 "$W/honest.txt"
    run -69 judge --recompute false -o never.ndjson
    assert_output --partial "--recompute of task 't1' chunk"
    assert_file_not_exists never.ndjson
    run -69 judge --recompute 'echo not-a-hash'
    assert_output --partial "no 64-digit lowercase hex hash"
}

@test "a challenge names the devices that must answer it; others pass it over" {
    # two tasks of one spec: the same root, done by different devices
    task t1 1 4
    task t2 1 4
    receipt gpu-1 t1 "$W/honest.txt"
    receipt gpu-2 t2 "$W/honest.txt"
    run jq -c '.devices' < <(challenges)
    assert_output "$(printf '%s\n' '["gpu-1"]' '["gpu-2"]')"
    answer gpu-1 "$W/honest.txt"
    answer gpu-2 "$W/honest.txt"
    assert_equal "$(grep -c '"type":"opening"' inputs.ndjson)" 2
    judge >out.ndjson
    assert_equal "$(verdict t1 .type) $(verdict t2 .type)" "task.verified task.verified"
    # a challenge whose device list was edited is refused when fed back
    challenges | jq -c '.devices = ["gpu-1","gpu-2"]' >edited.ndjson
    run -65 judge --rejects rej.ndjson edited.ndjson
    assert_equal "$(reasons rej.ndjson | sort -u)" bad_challenge
}

@test "the same inputs give the same challenges, and anyone can derive them from public records" {
    task t1 3 8
    for d in gpu-1 gpu-2; do receipt "$d" t1 "$W/honest.txt"; done
    receipt gpu-3 t1 "$W/forged.txt"
    challenges >one.ndjson
    challenges >two.ndjson
    cmp one.ndjson two.ndjson
    assert_equal "$(wc -l <one.ndjson)" 2
    # An independent derivation: SHA-256(beacon || task hash || root), then 8-byte draws.
    python3 - one.ndjson inputs.ndjson "$W/snapshots.ndjson" <<'PY'
import hashlib, json, sys
chal = [json.loads(l) for l in open(sys.argv[1])]
task = next(json.loads(l) for l in open(sys.argv[2]) if '"type":"task"' in l)
snap = next(r for r in map(json.loads, open(sys.argv[3]))
            if r["pool"] == task["beacon_pool"] and r["hour"] == task["beacon_hour"])
task_hash = hashlib.sha256(json.dumps(task, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
for c in chal:
    assert c["task_hash"] == task_hash and c["beacon"] == snap["root"], c
    seed = hashlib.sha256(bytes.fromhex(snap["root"] + task_hash + c["root"])).digest()
    n, want, got, j = task["chunks"], min(task["challenges"], task["chunks"]), set(), 0
    limit = 2**64 - 1 - ((2**64 - 1) % n + 1) % n
    while len(got) < want:
        x = int.from_bytes(hashlib.sha256(seed + j.to_bytes(8, "big")).digest()[:8], "big")
        j += 1
        if x <= limit:
            got.add(x % n)
    assert sorted(got) == c["indices"], (sorted(got), c["indices"])
print("ok")
PY
    # Challenge records fed back are checked against the derivation; an edited one is refused.
    cat one.ndjson >>inputs.ndjson
    judge >out.ndjson
    jq -c 'if .type == "challenge" then .indices = [0,1,2,3,4,5,6,7] else . end' one.ndjson >bad.ndjson
    run -65 judge --rejects rej.ndjson bad.ndjson
    assert_equal "$(reasons rej.ndjson | sort -u)" bad_challenge
}

@test "payments add up to the task's amount, rounded up for the pool, split by largest remainder" {
    task t1 3 4
    sed -i 's/"price_micros":2000000/"price_micros":1000003/' inputs.ndjson
    receipt gpu-1 t1 "$W/honest.txt" 1000 100
    receipt gpu-2 t1 "$W/honest.txt" 1000 100
    receipt gpu-3 t1 "$W/honest.txt" 1001 100
    for d in gpu-1 gpu-2 gpu-3; do answer "$d" "$W/honest.txt"; done
    judge --pay >out.ndjson
    # ceil(1000003 x 3001 / 3600)
    want=$(((1000003 * 3001 + 3599) / 3600))
    assert_equal "$(verdict t1 .amount_micros)" "$want"
    assert_equal "$(jq -s '[.[] | select(.type == "payment") | .amount_micros] | add' out.ndjson)" "$want"
    run jq -r 'select(.type == "payment") | .amount_micros' out.ndjson
    # exact shares 277 778.74…, 277 778.74…, 278 056.52…: the floors leave 2 micros, which go
    # to the two largest remainders
    assert_output "$(printf '%s\n' 277779 277779 278056)"
}

@test "beacons: a task waits for its snapshot, and one from before the delivery ends is refused" {
    task late 1 4 2026-11-01T16:00:00Z
    task early 1 4 2026-11-01T14:00:00Z
    receipt gpu-1 late "$W/honest.txt"
    receipt gpu-2 early "$W/honest.txt"
    run -0 challenges
    assert_output --partial "1 task waits for its beacon snapshot"
    judge >out.ndjson
    assert_equal "$(verdict late .reason)" no_beacon
    assert_equal "$(verdict early .reason)" early_beacon
}

@test "records that lead nowhere are rejected, never dropped" {
    task t1 1 4
    receipt gpu-1 t1 "$W/honest.txt"
    answer gpu-1 "$W/honest.txt"
    receipt gpu-1 nope "$W/honest.txt"
    receipt gpu-1 t1 "$W/honest.txt" 1700
    sed -n '/"type":"opening"/s/"task":"t1"/"task":"t9"/p' inputs.ndjson >t9.ndjson
    cat t9.ndjson >>inputs.ndjson
    run -65 judge --rejects rej.ndjson -o out.ndjson
    run reasons rej.ndjson
    assert_output "$(printf '%s\n' duplicate unknown_task unknown_task)"
    assert_equal "$(verdict t1 .type)" task.verified
    # the balance holds: every line is used or rejected
    run gc-verify tasks --registry "$W/registry.ndjson" --snapshots "$W/snapshots.ndjson" \
        --rejects rej.ndjson inputs.ndjson
    assert_output --partial "6 in, 3 used, 3 rejected; 1 records out"
}
