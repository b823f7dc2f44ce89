#!/usr/bin/env bats
# Scale-out: -j N threads in gc-attest sign and gc-verify, gc-verify --partial + merge, and
# examples/scale-out.sh on GNU parallel. Whatever the threads, blocks and jobs, the records,
# rejects and state files are those of one process, byte for byte.

load helpers

WORLD=$TOP/examples/world
WNOW=2026-11-06T00:00:00Z

# The sample world's devices, with keys; the last has no key, so its readings are refused.
setup_file() {
    local w=$BATS_FILE_TMPDIR
    world_keys "$w/keys" >"$w/registry.ndjson"
    rm "$w/keys/$(tail -n 1 "$WORLD/devices.tsv" | cut -f 1).key"
    # Faults among the readings: blank lines, a line that is no JSON, one without a device,
    # one repeated (stale the second time), one over --max-line-bytes.
    awk 'NR == 100 { print ""; print "not json" }
         NR == 300 { print "   "; print "{\"type\":\"reading\",\"v\":1}" }
         NR == 500 { keep = $0 }
         NR == 520 { print keep }
         NR == 700 { printf "{\"type\":\"reading\",\"pad\":\"%0300d\"}\n", 0 }
         { print }' "$WORLD/readings.ndjson" >"$w/readings.ndjson"
    # Two runs' worth: the first two days, then the third.
    grep -v '"ts":"2026-11-04' "$w/readings.ndjson" >"$w/day12.ndjson"
    grep '"ts":"2026-11-04' "$WORLD/readings.ndjson" >"$w/day3.ndjson"
}

# one_process DIR INPUT: sign, verify and match INPUT as one process per step, into DIR, with
# the state of DIR/state carried over; the file names are scale-out.sh's.
one_process() {
    local d=$1
    mkdir -p "$d/state"
    gc-attest sign -q --keydir "$BATS_FILE_TMPDIR/keys" --state "$d/state/sign.ndjson" \
        --rejects "$d/sign-rejects.ndjson" -o "$d/attestations.ndjson" <"$2" || [ $? -eq 65 ]
    gc-verify -q --registry "$BATS_FILE_TMPDIR/registry.ndjson" --now "$WNOW" \
        --state "$d/state/verify.ndjson" --rejects "$d/verify-rejects.ndjson" \
        -o "$d/verified.ndjson" <"$d/attestations.ndjson" || [ $? -eq 65 ]
    gc-pool match -q --registry "$BATS_FILE_TMPDIR/registry.ndjson" \
        --rejects "$d/match-rejects.ndjson" -o "$d/matched.ndjson" <"$d/verified.ndjson"
}

# same_as ONE MANY: every output, rejects file and state of a scale-out run equals one process's.
same_as() {
    local f
    for f in attestations.ndjson sign-rejects.ndjson verified.ndjson verify-rejects.ndjson \
        matched.ndjson match-rejects.ndjson state/verify.ndjson; do
        cmp "$1/$f" "$2/$f" || fail "$f differs"
    done
    # The signing heads are split by shard: together they are one run's.
    cmp "$1/state/sign.ndjson" <(cat "$2"/state/sign-*.ndjson | LC_ALL=C sort)
}

@test "scale-out.sh at 2 and 4 jobs writes what one process per step writes, byte for byte" {
    local w=$BATS_FILE_TMPDIR t=$BATS_TEST_TMPDIR
    one_process "$t/one" "$w/day12.ndjson"
    # The faults were met: each kind of sign reject, and a clean chain for verify.
    run reasons "$t/one/sign-rejects.ndjson"
    assert_output --partial bad_json
    assert_output --partial bad_field
    assert_output --partial stale
    assert_output --partial unknown_device
    [ "$(wc -l <"$t/one/attestations.ndjson")" -gt 700 ]
    # The world's planted fault: one reading over its device's capacity.
    run reasons "$t/one/verify-rejects.ndjson"
    assert_output over_capacity
    [ "$(wc -l <"$t/one/matched.ndjson")" -gt 0 ]
    for jobs in 2 4; do
        # Small blocks, so that each step runs as many parts.
        run sh "$TOP/examples/scale-out.sh" -j "$jobs" -b 16k -n 5 "$w/keys" "$w/registry.ndjson" \
            "$w/day12.ndjson" "$WNOW" "$t/j$jobs"
        [ "$status" -eq 65 ] || fail "exit $status: $output"
        [ "$(grep -c '"type":"verify.begin"' "$t/j$jobs/shards/verify.partial")" -gt 4 ]
        same_as "$t/one" "$t/j$jobs"
    done
    # The next day continues every chain from the state, sharded as before.
    one_process "$t/one" "$w/day3.ndjson"
    run sh "$TOP/examples/scale-out.sh" -j 4 -b 16k -n 5 "$w/keys" "$w/registry.ndjson" \
        "$w/day3.ndjson" "$WNOW" "$t/j4"
    [ "$status" -eq 65 ] || fail "exit $status: $output"
    [ "$(jq -s 'map(select(.seq > 48)) | length' "$t/j4/attestations.ndjson")" -gt 0 ]
    same_as "$t/one" "$t/j4"
    # Another shard count would fork chains: refused.
    run sh "$TOP/examples/scale-out.sh" -j 2 -n 3 "$w/keys" "$w/registry.ndjson" \
        "$w/day3.ndjson" "$WNOW" "$t/j4"
    [ "$status" -eq 64 ]
    assert_output --partial "holds 5 signing shards, not 3"
}

@test "gc-attest sign -j N writes the records, rejects and heads of -j 1" {
    local w=$BATS_FILE_TMPDIR t=$BATS_TEST_TMPDIR
    for j in 1 2 3 8; do
        run gc-attest sign -j "$j" --keydir "$w/keys" --state "$t/heads-$j" \
            --rejects "$t/rej-$j" -o "$t/att-$j" "$w/readings.ndjson"
        [ "$status" -eq 65 ]
        assert_balanced "$output"
    done
    for j in 2 3 8; do
        cmp "$t/att-1" "$t/att-$j"
        cmp "$t/rej-1" "$t/rej-$j"
        cmp "$t/heads-1" "$t/heads-$j"
    done
    [ "$(wc -l <"$t/att-1")" -gt 1000 ]
    # Without --rejects the run stops at the first bad line, as always: the records before it.
    run gc-attest sign -q -j 4 --keydir "$w/keys" --state "$t/heads-stop" -o "$t/att-stop" \
        "$w/readings.ndjson"
    [ "$status" -eq 65 ]
    assert_output --partial "readings.ndjson:15: unknown_device"
    [ ! -e "$t/att-stop" ]
    run gc-attest sign -q -j 4 --keydir "$w/keys" --state "$t/heads-stop" "$w/readings.ndjson"
    [ "$status" -eq 65 ]
    [ "$(printf '%s\n' "$output" | grep -c '"type":"attestation"')" -eq 14 ]
    # -j goes with sign only, and takes 0 to 64.
    run gc-attest import -j 2 --format nvidia-smi /dev/null
    [ "$status" -eq 64 ]
    run gc-attest sign -j 65 --keydir "$w/keys" --state "$t/h" /dev/null
    [ "$status" -eq 64 ]
}

# tampered ATT OUT: ATT with faults a verifier must catch, in lines that cross many blocks.
tampered() {
    python3 - "$1" >"$2" <<'EOF'
import json, random, sys
random.seed(11)
lines = open(sys.argv[1]).read().splitlines()
out = []
for i, line in enumerate(lines):
    r = random.random()
    if r < 0.01:
        out.append("")
    if r < 0.005:
        out.append("{\"type\":")
    if 0.01 < r < 0.02:                      # forged: bad_signature, then chain_gap
        rec = json.loads(line)
        rec["ts"] = rec["ts"].replace("T0", "T1", 1)
        out.append(json.dumps(rec))
        continue
    out.append(line)
    if 0.02 < r < 0.03:                      # replayed later: duplicate (or stale if far back)
        out.append(lines[max(0, i - random.randint(1, 400))])
    if 0.03 < r < 0.035:
        out.append("x" * 2000)               # line_too_long
    if 0.035 < r < 0.04:
        out.append("{\"type\":\"\udcff\"}")     # bad_utf8: a lone 0xff byte
out.append("   ")
sys.stdout.buffer.write(("\n".join(out) + "\n").encode("utf-8", "surrogateescape"))
EOF
}

@test "gc-verify --partial and merge give one run's records, rejects and heads, whatever the blocks" {
    local w=$BATS_FILE_TMPDIR t=$BATS_TEST_TMPDIR
    gc-attest sign -q --keydir "$w/keys" --state "$t/sh" --rejects /dev/null -o "$t/att" \
        "$w/readings.ndjson" || [ $? -eq 65 ]
    tampered "$t/att" "$t/bad"
    run gc-verify --registry "$w/registry.ndjson" --now "$WNOW" --max-line-bytes 1500 \
        --state "$t/heads-1" --rejects "$t/rej-1" -o "$t/out-1" "$t/bad"
    [ "$status" -eq 65 ]
    one=$output
    run reasons "$t/rej-1"
    for r in bad_json bad_utf8 bad_signature chain_gap duplicate line_too_long; do
        assert_output --partial "$r"
    done
    for block in 3k 20k 1M; do
        rm -f "$t/heads-p"
        parallel --pipe -k --block "$block" gc-verify --partial -q -j 2 \
            --registry "$w/registry.ndjson" --now "$WNOW" --max-line-bytes 1500 <"$t/bad" >"$t/units"
        run gc-verify merge --max-line-bytes 1500 --state "$t/heads-p" --rejects "$t/rej-p" \
            -o "$t/out-p" "$t/units"
        [ "$status" -eq 65 ]
        # The same summary too: every line counted once.
        [ "$output" = "$one" ] || fail "block $block: '$output' vs '$one'"
        cmp "$t/out-1" "$t/out-p"
        cmp "$t/heads-1" "$t/heads-p"
        # Rejects name the line and offset in the whole input; its name is the parts' ("-").
        cmp <(jq -c '.source = "-"' "$t/rej-1") "$t/rej-p"
    done
    # Threads alone: the same bytes.
    run gc-verify -j 3 --registry "$w/registry.ndjson" --now "$WNOW" --max-line-bytes 1500 \
        --state "$t/heads-3" --rejects "$t/rej-3" -o "$t/out-3" "$t/bad"
    [ "$status" -eq 65 ]
    cmp "$t/out-1" "$t/out-3"
    cmp "$t/rej-1" "$t/rej-3"
    cmp "$t/heads-1" "$t/heads-3"
    # Parts of two named inputs, merged: each input numbered on its own.
    head -n 300 "$t/bad" >"$t/a"
    tail -n +301 "$t/bad" >"$t/b"
    gc-verify --registry "$w/registry.ndjson" --now "$WNOW" --max-line-bytes 1500 \
        --rejects "$t/rej-ab" -o "$t/out-ab" "$t/a" "$t/b" 2>/dev/null || [ $? -eq 65 ]
    gc-verify --partial -q --registry "$w/registry.ndjson" --now "$WNOW" --max-line-bytes 1500 \
        "$t/a" "$t/b" >"$t/units-ab"
    gc-verify merge -q --max-line-bytes 1500 --rejects "$t/rej-ab2" -o "$t/out-ab2" \
        "$t/units-ab" || [ $? -eq 65 ]
    cmp "$t/out-ab" "$t/out-ab2"
    cmp "$t/rej-ab" "$t/rej-ab2"
}

@test "gc-verify --partial and merge judge ownership records in order, replays across parts too" {
    local m=$FIX/man/gc-verify t=$BATS_TEST_TMPDIR
    # A package, its positions and transfers, then the package and positions again: replays.
    cat "$m/issue.ndjson" "$m/transfers.ndjson" "$m/attestations.ndjson" "$m/issue.ndjson" >"$t/in"
    run gc-verify --allowlist "$m/parties.ndjson" --issuers "$m/parties.ndjson" \
        --registry "$m/registry.ndjson" --now "$WNOW" --rejects "$t/rej-1" -o "$t/out-1" <"$t/in"
    [ "$status" -eq 65 ]
    one=$output
    [ "$(reasons "$t/rej-1" | sort -u)" = replay ]
    for block in 200 2k; do
        parallel --pipe -k --block "$block" gc-verify --partial -q --registry "$m/registry.ndjson" \
            --now "$WNOW" <"$t/in" >"$t/units"
        run gc-verify merge --allowlist "$m/parties.ndjson" --issuers "$m/parties.ndjson" \
            --rejects "$t/rej-p" -o "$t/out-p" "$t/units"
        [ "$status" -eq 65 ]
        [ "$output" = "$one" ]
        [ "$(grep -c '"type":"verify.begin"' "$t/units")" -gt 2 ]
        cmp "$t/out-1" "$t/out-p"
        cmp "$t/rej-1" "$t/rej-p"
    done
}

@test "gc-verify merge refuses what --partial did not write, and a part that did not finish" {
    local w=$BATS_FILE_TMPDIR t=$BATS_TEST_TMPDIR
    gc-attest sign -q --keydir "$w/keys" --state "$t/sh" --rejects /dev/null -o "$t/att" \
        "$WORLD/readings.ndjson" || [ $? -eq 65 ]
    gc-verify --partial -q --registry "$w/registry.ndjson" --now "$WNOW" "$t/att" >"$t/units"
    # Every line a unit: a verdict, then the line.
    [ "$(wc -l <"$t/units")" -eq $((2 * $(wc -l <"$t/att") + 2)) ]
    head -n 1 "$t/units" | jq -e '.type == "verify.begin" and .source != null'
    # Cut short: no end record.
    head -n 101 "$t/units" >"$t/short"
    run gc-verify merge -o "$t/out" "$t/short"
    [ "$status" -eq 65 ]
    assert_output --partial "a --partial run did not finish"
    [ ! -e "$t/out" ]
    # Attestations are not verdicts.
    run gc-verify merge "$t/att"
    [ "$status" -eq 65 ]
    assert_output --partial "att:1: not the output of gc-verify --partial"
    # A verdict without its line.
    head -n 2 "$t/units" >"$t/noline"
    run gc-verify merge "$t/noline"
    [ "$status" -eq 65 ]
    assert_output --partial "without the unit's line"
    # Options that belong to one side or the other.
    run gc-verify merge --registry "$w/registry.ndjson" "$t/units"
    [ "$status" -eq 64 ]
    run gc-verify --partial --registry "$w/registry.ndjson" --state "$t/h" "$t/att"
    [ "$status" -eq 64 ]
    run gc-verify --partial --registry "$w/registry.ndjson" --rejects "$t/r" "$t/att"
    [ "$status" -eq 64 ]
}
