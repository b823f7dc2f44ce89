#!/usr/bin/env bats
# Under fire: kill -9 at random points of gc-amm run and gc-settle mint, and at each step of the
# commits of gc-amm run, gc-attest sign and gc-verify --state, then a re-run; cron
# runs started at the same moment on one state file or ledger; a full disk, a closed or full
# standard output. Nothing is lost, nothing doubled, no write fails silently.
# (gc-attest sign and gc-settle period have their kill -9 tests in 020 and 130.)

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
    W=$BATS_FILE_TMPDIR
    # A week of markets: 168 hours of events, about 20 000, and what one run makes of them, and
    # how long that takes (RUN_MS), so that kills land anywhere in a run, its end too.
    gc-amm simulate --seed 7 --hours 168 --demand 40 |
        grep -E '"type":"amm\.(open|add|remove|swap|poll|close)"' >"$W/events.ndjson"
    t0=$(date +%s%N)
    gc-amm run -q --state "$W/amm-want.ndjson" --rejects "$W/amm-want-rejects.ndjson" \
        -o "$W/amm-want-receipts.ndjson" "$W/events.ndjson" || [ $? -eq 65 ]
    RUN_MS=$((($(date +%s%N) - t0) / 1000000 + 1))
    # The fixture package, Alice's senior position pledged to a reserve, 300 small mint requests.
    copy_keys "$FIX/issue/keys" "$W/keys"
    gc-issue keygen --id reserve -k "$W/keys/reserve.key" >"$W/reserve.ndjson"
    PKG=$FIX/issue/package.golden.ndjson
    a=$(jq -r 'select(.type == "position" and .subscription == 0).position' "$PKG")
    gc-issue pledge -q -k "$W/keys/alice.key" --position "$a" \
        --to "$(jq -r .pubkey "$W/reserve.ndjson")" "$PKG" >"$W/pledge.ndjson"
    cat "$PKG" "$W/pledge.ndjson" >"$W/owned.ndjson"
    cat >"$W/params.ndjson" <<'EOF'
{"type":"reserve.params","v":1,"package":"gcp-z1-2026w45","duty":"1000000000627937192491029810","liquidation_bps":15000,"ceiling_micros":1000000000,"min_draw_micros":10000,"haircut_bps":1000}
{"type":"reserve.params","v":1,"global_ceiling_micros":5000000000}
EOF
    for i in $(seq 1 300); do
        printf '{"type":"mint.request","v":1,"request":"m%d","package":"gcp-z1-2026w45","amount_micros":100000,"ts":"2026-11-02T%02d:%02d:00Z"}\n' \
            "$i" $((i / 60)) $((i % 60))
    done | gc-settle sign -q -k "$W/keys/alice.key" >"$W/requests.ndjson"
    export W PKG RUN_MS
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
}

teardown() {
    if mountpoint -q "$BATS_TEST_TMPDIR/fs" 2>/dev/null; then umount "$BATS_TEST_TMPDIR/fs"; fi
}

# mint LEDGER: the 300 requests against the ledger (exec: a background mint is gc-settle's pid).
mint() {
    exec gc-settle mint -q --ledger "$1" --package "$PKG" --positions "$W/owned.ndjson" \
        --params "$W/params.ndjson" -k "$W/keys/reserve.key" "$W/requests.ndjson"
}

# amm_rerun I KILLED: after a killed run (its output in KILLED, if it committed one), the cron job
# runs again on the same events. It first finishes the commit the killed run began, if it began
# one (gc_commit: receipts, rejects and markets land as one); then the events applied are refused
# and the rest apply. The markets end as one run leaves them and every receipt is there exactly
# once: the killed run's output and the re-run's together are one run's, byte for byte.
amm_rerun() {
    run gc-amm run -q --state state.ndjson --rejects rej2.ndjson -o again.ndjson "$W/events.ndjson"
    [ "$status" -eq 0 ] || [ "$status" -eq 65 ] || fail "re-run $1: exit $status: $output"
    cmp state.ndjson "$W/amm-want.ndjson" || fail "run $1: the markets differ after kill -9"
    cat "$2" again.ndjson 2>/dev/null | cmp - "$W/amm-want-receipts.ndjson" ||
        fail "run $1: receipts lost, doubled or changed"
    # The killed run's rejects came with its receipts, or neither did.
    if [ -e "$2" ]; then
        cmp rej.ndjson "$W/amm-want-rejects.ndjson" || fail "run $1: receipts without their rejects"
    fi
    [ ! -e state.ndjson.journal ] || fail "run $1: the journal was left behind"
}

@test "gc-amm run killed at random points, then re-run: every receipt once, the markets as one run's" {
    for i in $(seq 1 20); do
        rm -f state.ndjson* receipts.ndjson rej.ndjson again.ndjson
        gc-amm run -q --state state.ndjson --rejects rej.ndjson -o receipts.ndjson \
            "$W/events.ndjson" 2>/dev/null &
        pid=$!
        # Anywhere from the start to a little past the end of an uninterrupted run.
        ms=$((RANDOM % (RUN_MS + RUN_MS / 5 + 1)))
        sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        amm_rerun "$i" receipts.ndjson
    done
}

@test "gc-amm run killed at each rename of its commit: the re-run finishes it, nothing twice" {
    # strace kills the run on entering its Nth rename: its intent's (naming the temporary files
    # it writes), its journal's (the commit point), the receipts', the rejects', the state's;
    # N=6 is past every one (a rename that never comes).
    strace -qq -o /dev/null true || skip "strace cannot trace here"
    for n in 1 2 3 4 5 6; do
        rm -f state.ndjson* receipts.ndjson rej.ndjson again.ndjson .*.tmp.*
        # LeakSanitizer cannot run under ptrace: under SANITIZE=1 leaks are checked elsewhere.
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
            run strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
                -e inject=rename,renameat,renameat2:signal=KILL:when="$n" \
                gc-amm run -q --state state.ndjson --rejects rej.ndjson -o receipts.ndjson \
                "$W/events.ndjson"
        case $n in
        1) [ ! -e receipts.ndjson ] && [ ! -e state.ndjson ] && [ ! -e state.ndjson.journal ] ;;
        2 | 3) [ ! -e receipts.ndjson ] && [ ! -e state.ndjson ] && [ -e state.ndjson.journal ] ;;
        4 | 5) cmp receipts.ndjson "$W/amm-want-receipts.ndjson" && [ ! -e state.ndjson ] ;;
        6) [ "$status" -eq 65 ] && cmp state.ndjson "$W/amm-want.ndjson" ;;
        esac || fail "kill at rename $n: exit $status, $(ls -A)"
        amm_rerun "$n" receipts.ndjson
        # Before the commit point the re-run does all the work, after removing what the killed
        # run wrote once it had named it; after the commit point it finishes the commit.
        case $n in
        1) cmp again.ndjson "$W/amm-want-receipts.ndjson" && [[ $output != *"finished the commit"* ]] ;;
        2) cmp again.ndjson "$W/amm-want-receipts.ndjson" &&
            [[ $output == *"removed 2 temporary file(s) of a run that stopped before its commit"* ]] ;;
        3 | 4 | 5) [ ! -s again.ndjson ] && [[ $output == *"finished the commit of a run that stopped part-way: $((6 - n)) of 3"* ]] ;;
        6) [ ! -s again.ndjson ] && [[ $output != *"finished the commit"* ]] ;;
        esac || fail "re-run after a kill at rename $n: $output"
        # From the intent on, nothing of the killed run is left behind.
        if [ "$n" -ge 2 ]; then
            run ls -A
            refute_output --partial ".tmp."
        fi
    done
}

# kill_each_rename WANT_OUT WANT_STATE CMD...: runs CMD -o out.ndjson --rejects rej.ndjson,
# its state in st.ndjson, killed by strace on entering its Nth rename: N = 1 (the intent's), 2
# (the journal's, the commit point) to 6 (past the last of output, rejects and state); then
# runs it again with -o again.ndjson. Each time every record is out once, the state is one
# run's, and from the intent on no temporary file is left.
kill_each_rename() {
    local want_out=$1 want_state=$2 n rc left
    shift 2
    for n in 1 2 3 4 5 6; do
        rm -f st.ndjson* out.ndjson rej.ndjson again.ndjson .*.tmp.*
        rc=0
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
            strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
            -e inject=rename,renameat,renameat2:signal=KILL:when="$n" \
            "$@" -o out.ndjson --rejects rej.ndjson 2>err.txt || rc=$?
        [ "$n" -eq 6 ] || [ "$rc" -eq 137 ] || fail "rename $n: not killed: $rc $(cat err.txt)"
        "$@" -o again.ndjson --rejects rej2.ndjson 2>err.txt || true
        cat out.ndjson again.ndjson 2>/dev/null | cmp - "$want_out" ||
            fail "rename $n: records lost or doubled: $(cat err.txt)"
        cmp st.ndjson "$want_state" || fail "rename $n: the state is not one run's"
        [ ! -e st.ndjson.journal ] || fail "rename $n: the journal was left behind"
        if [ "$n" -gt 1 ]; then
            for left in .*.tmp.*; do
                [ ! -e "$left" ] || fail "rename $n: '$left' was left behind"
            done
        fi
    done
}

@test "gc-attest sign and gc-verify --state killed at each rename of their commit: nothing twice" {
    strace -qq -o /dev/null true || skip "strace cannot trace here"
    setup_keys
    gc-attest sign -q --keydir "$KEYS" --state want-heads.ndjson -o want.ndjson \
        "$FIX/readings.ndjson" || true
    kill_each_rename want.ndjson want-heads.ndjson \
        gc-attest sign -q --keydir "$KEYS" --state st.ndjson "$FIX/readings.ndjson"
    gc-verify -q --registry "$FIX/registry.ndjson" --now "$NOW" --state want-vheads.ndjson \
        -o want-valid.ndjson --rejects /dev/null "$FIX/attestations.ndjson" || true
    [ -s want-valid.ndjson ]
    kill_each_rename want-valid.ndjson want-vheads.ndjson \
        gc-verify -q --registry "$FIX/registry.ndjson" --now "$NOW" --state st.ndjson \
        "$FIX/attestations.ndjson"
}

@test "the same command run again after a kill in its commit keeps the killed run's output: 75" {
    strace -qq -o /dev/null true || skip "strace cannot trace here"
    setup_keys
    sign=(gc-attest sign -q --keydir "$KEYS" --state st.ndjson --rejects rej.ndjson -o out.ndjson
        "$FIX/readings.ndjson")
    gc-attest sign -q --keydir "$KEYS" --state want-st.ndjson --rejects want-rej.ndjson \
        -o want.ndjson "$FIX/readings.ndjson" || true
    # Killed on the receipts' rename, past the commit point.
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        run -137 strace -f -qq -o /dev/null -e inject=rename,renameat,renameat2:signal=KILL:when=3 \
        "${sign[@]}"
    [ ! -e out.ndjson ] && [ -e st.ndjson.journal ]
    # The cron job runs the very same command: it finishes the commit and stops there, since
    # its own run would find every reading signed and replace the attestations with nothing.
    run -75 "${sign[@]}"
    assert_output --partial "finished the commit of a run that stopped part-way: 3 of 3"
    assert_output --partial "'out.ndjson' holds the output of a run that was killed"
    cmp out.ndjson want.ndjson
    cmp rej.ndjson want-rej.ndjson
    cmp st.ndjson want-st.ndjson
    run ls -A
    refute_output --partial ".tmp."
}

@test "gc-settle mint killed at random points, then re-run: the ledger is one run's, no mint twice" {
    (mint want.ndjson >/dev/null)
    [ "$(grep -c '"type":"mint"' want.ndjson)" -eq 300 ]
    for i in $(seq 1 20); do
        rm -f ledger.ndjson ledger.ndjson.*
        (mint ledger.ndjson >/dev/null 2>&1) &
        pid=$!
        sleep "0.0$((RANDOM % 10))"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        (mint ledger.ndjson >/dev/null 2>err) || fail "re-run $i: $(cat err)"
        cmp ledger.ndjson want.ndjson || fail "run $i: the ledger differs after kill -9 and a re-run"
    done
}

# at_once N CMD...: start CMD N times at the same moment, on the same files; wait for all and
# print their exit statuses, sorted. Their outputs are in out.1 ... out.N.
at_once() {
    local n=$1 i pids=() st=()
    shift
    for i in $(seq 1 "$n"); do
        "$@" >"out.$i" 2>"err.$i" &
        pids+=($!)
    done
    for i in "${pids[@]}"; do
        if wait "$i"; then st+=(0); else st+=($?); fi
    done
    printf '%s\n' "${st[@]}" | sort -n | tr '\n' ' '
}

@test "four cron runs at once on one state file: one signs, the others exit 75, nothing twice" {
    setup_keys
    awk 'BEGIN { for (i = 0; i < 40000; i++)
        printf "{\"type\":\"reading\",\"v\":1,\"device\":\"pv-001\",\"ts\":\"2026-10-%02dT%02d:%02d:00Z\",\"period_s\":60,\"energy_wh\":%d}\n",
            1 + int(i / 1440), int(i % 1440 / 60), i % 60, i % 50 }' >r.ndjson
    gc-attest sign -q --keydir "$KEYS" --state want-heads.ndjson -o want.ndjson r.ndjson
    assert_equal "$(at_once 4 gc-attest sign -q --keydir "$KEYS" --state heads.ndjson r.ndjson)" "0 75 75 75 "
    cmp heads.ndjson want-heads.ndjson
    cat out.* | cmp - want.ndjson
    grep -h . err.* | sort -u | grep -q 'in use by another run'
}

@test "four cron runs at once on one market state: one applies the events, the others exit 75" {
    assert_equal "$(at_once 4 gc-amm run -q --state state.ndjson --rejects rej.ndjson "$W/events.ndjson")" \
        "65 75 75 75 "
    cmp state.ndjson "$W/amm-want.ndjson"
    cat out.* | cmp - "$W/amm-want-receipts.ndjson"
}

@test "four cron runs at once on one ledger: one mints, the others exit 75, no mint twice" {
    (mint want.ndjson >/dev/null)
    assert_equal "$(at_once 4 mint ledger.ndjson)" "0 75 75 75 "
    cmp ledger.ndjson want.ndjson
    [ "$(cat out.* | grep -c '"type":"mint"')" -eq 300 ]
}

@test "every program: a full disk under -o or standard output is an error, exit 74, never silent" {
    [ -w /dev/full ] || skip "no /dev/full"
    setup_keys
    for cmd in "gc-attest sign -q --keydir $KEYS --state h.ndjson $FIX/readings.ndjson" \
        "gc-verify -q --registry $FIX/registry.ndjson --now $NOW $FIX/attestations.ndjson" \
        "gc-pool match -q --registry $FIX/registry.ndjson $FIX/attestations.ndjson" \
        "gc-amm index -q --state $W/amm-want.ndjson" \
        "gc-issue package -q --terms $FIX/issue/terms.ndjson -k $W/keys/issuer.key --validators $FIX/issue/validators.ndjson --quorum 2 --index $FIX/issue/index.ndjson $FIX/issue/snapshots.ndjson" \
        "gc-settle sign -q -k $W/keys/alice.key $W/requests.ndjson"; do
        rm -f h.ndjson
        run -74 bash -c "$cmd -o /dev/full"
        assert_output --partial /dev/full
        rm -f h.ndjson
        run -74 bash -c "$cmd >/dev/full"
        [ -n "$output" ] || fail "silent on a full stdout: $cmd"
        rm -f h.ndjson
        run bash -c "$cmd >&-"
        [ "$status" -ne 0 ] && [ -n "$output" ] || fail "closed stdout, exit $status, silent: $cmd"
    done
    # a run that could not write its output leaves the chain heads where they were
    run -74 gc-attest sign -q --keydir "$KEYS" --state h.ndjson -o /dev/full "$FIX/readings.ndjson"
    [ ! -s h.ndjson ]
}

@test "a full file system under a state file or ledger: exit 74, the old file whole" {
    [ "$(id -u)" -eq 0 ] || skip "mounting a small tmpfs needs root"
    mkdir fs
    mount -t tmpfs -o size=256k tmpfs fs || skip "cannot mount a tmpfs here"
    setup_keys
    # A first day signed while there is room; then the disk fills; the next day cannot be kept.
    head -n 8 "$FIX/readings.ndjson" >day1.ndjson
    tail -n +9 "$FIX/readings.ndjson" >day2.ndjson
    gc-attest sign -q --keydir "$KEYS" --state fs/heads.ndjson -o fs/day1.ndjson day1.ndjson
    cp fs/heads.ndjson heads.before
    dd if=/dev/zero of=fs/filler bs=4k 2>/dev/null || true
    run -74 gc-attest sign -q --keydir "$KEYS" --state fs/heads.ndjson -o fs/day2.ndjson day2.ndjson
    cmp fs/heads.ndjson heads.before
    assert_file_not_exists fs/day2.ndjson
    [ -z "$(find fs -name '*.tmp*')" ] || fail "temporary files left: $(ls fs)"
    # The ledger: a mint run that cannot append leaves the ledger as it was.
    rm -f fs/filler
    (mint fs/ledger.ndjson >/dev/null)
    cp fs/ledger.ndjson ledger.before
    dd if=/dev/zero of=fs/filler bs=4k 2>/dev/null || true
    printf '{"type":"mint.request","v":1,"request":"late","package":"gcp-z1-2026w45","amount_micros":100000,"ts":"2026-11-03T00:00:00Z"}\n' |
        gc-settle sign -q -k "$W/keys/alice.key" >late.ndjson
    run -74 gc-settle mint -q --ledger fs/ledger.ndjson --package "$PKG" --positions "$W/owned.ndjson" \
        --params "$W/params.ndjson" -k "$W/keys/reserve.key" late.ndjson
    cmp fs/ledger.ndjson ledger.before
}
