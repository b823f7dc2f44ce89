#!/usr/bin/env bats
# The EXAMPLES of every man page run (run_examples): each command shown after "$ " runs, in order,
# with the files it needs (tests/fixtures/man/PAGE, or made here from what the page shows), and
# prints what the page shows after it. The records the pages quote are what the programs write:
# the RFC 8032 key of gc-records(5) signs the readings shown there into exactly the attestations,
# state file and reject record shown there.

load helpers
bats_require_minimum_version 1.5.0

# literal_blocks: every .Bd -literal block of a man page, escapes undone and continued lines
# (ending in a backslash) joined, blocks separated by a line "--".
literal_blocks() {
    awk '/^\.Bd -literal/ { inblock = 1; next }
         /^\.Ed/ { if (inblock) print "--"; inblock = 0; next }
         inblock { gsub(/\\&/, ""); gsub(/\\\[u2026\]/, "…"); gsub(/\\e/, "\\"); print }' "$1" |
        awk '{ if (sub(/\\$/, "")) { buf = buf $0 } else { print buf $0; buf = "" } }'
}

# block_with TEXT [PAGE]: the lines of the first block of PAGE (gc-records(5)) that contains TEXT.
block_with() {
    literal_blocks "${2:-$TOP/man/gc-records.5}" |
        awk -v t="$1" '$0 == "--" { if (found) exit; n = 0; delete b; next }
                       { b[n++] = $0; if (index($0, t)) found = 1 }
                       END { if (found) for (i = 0; i < n; i++) print b[i] }'
}

# examples PAGE: the EXAMPLES section of PAGE.
examples() {
    sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$1"
}

# incomplete FILE: the shell command in FILE goes on past its end (an open quote, a trailing |).
incomplete() {
    LC_ALL=C bash -n "$1" 2>&1 | grep -qE 'unexpected (end of file|EOF)'
}

# same_output WANT GOT: GOT is the output WANT shows, white space aside (long messages are
# wrapped), where 16 hex digits and "…" stand for any (an id made with fresh keys, abbreviated).
same_output() {
    local want got
    # shellcheck disable=SC2016 # a sed program: $ is the character
    want=$(tr -d ' \t\n' <"$1" | sed 's/[][\.*^$()+?{}|]/\\&/g; s/[0-9a-f]\{16\}…/[0-9a-f]{16}…/g')
    got=$(tr -d ' \t\n' <"$2")
    [[ $got =~ ^${want}$ ]]
}

# run_examples PAGE [FROM TO]...: runs the examples of man/PAGE in the current directory.
# The fixtures of tests/fixtures/man/PAGE are copied in, and the source tree's examples and tests
# linked, for the examples run "from the top of the gc sources". Each command ("$ " and the lines
# that continue it) runs in order, in one bash with pipefail, each FROM replaced by TO (a made-up
# server by the loopback one, in the output shown too). Every command must succeed, and where the
# page shows output after a command, that must be what it printed on stdout and stderr.
run_examples() {
    local name=$1 page=$TOP/man/$1 n=0 open=0 incmd=0 line i j cmds script
    shift
    if [ -d "$FIX/man/${name%.[1-9]}" ]; then cp -R "$FIX/man/${name%.[1-9]}/." .; fi
    find . -maxdepth 2 \( -name '*.key' -o -name '*.token' \) -exec chmod 600 {} +
    find . -maxdepth 1 -type d -name keys -exec chmod 700 {} +
    [ -e examples ] || ln -s "$TOP/examples" examples
    [ -e tests ] || ln -s "$TOP/tests" tests
    mkdir .ex
    while IFS= read -r line; do
        for ((i = 1; i < $#; i += 2)); do
            j=$((i + 1)) && line=${line//"${!i}"/"${!j}"}
        done
        if [ "$line" = -- ]; then
            incmd=0 open=0
        elif ((open)); then
            printf '%s\n' "$line" >>".ex/$n.cmd"
            incomplete ".ex/$n.cmd" || open=0
        elif [[ $line == '$ '* ]]; then
            n=$((n + 1)) incmd=1
            printf '%s\n' "${line#\$ }" >".ex/$n.cmd"
            : >".ex/$n.want"
            incomplete ".ex/$n.cmd" && open=1
        elif ((incmd)); then
            printf '%s\n' "$line" >>".ex/$n.want"
        fi
    done < <(literal_blocks <(examples "$page"))
    cmds=$(examples "$page" | grep -c '^\$ ')
    if [ "$n" -lt 1 ] || [ "$n" -ne "$cmds" ]; then
        fail "$n commands found of the $cmds of $page"
    fi
    script=.ex/run.bash
    echo 'set -o pipefail' >"$script"
    for ((i = 1; i <= n; i++)); do
        echo '{' && cat ".ex/$i.cmd"
        echo "} >.ex/$i.out 2>&1"
        echo "rc=\$?; echo \$rc >.ex/$i.rc; [ \$rc = 0 ] || exit"
    done >>"$script"
    timeout 60 bash "$script" </dev/null || true
    for ((i = 1; i <= n; i++)); do
        [ -s ".ex/$i.rc" ] || fail "not run: \$ $(cat ".ex/$i.cmd")"
        [ "$(cat ".ex/$i.rc")" = 0 ] ||
            fail "exit $(cat ".ex/$i.rc"): \$ $(cat ".ex/$i.cmd")"$'\n'"$(cat ".ex/$i.out")"
        if [ -s ".ex/$i.want" ] && ! same_output ".ex/$i.want" ".ex/$i.out"; then
            fail "\$ $(cat ".ex/$i.cmd")"$'\n'"-- ${page##*/} shows:"$'\n'"$(cat ".ex/$i.want")"$'\n'"-- it printed:"$'\n'"$(cat ".ex/$i.out")"
        fi
    done
}

# example_output TEXT: what the first command of the examples run that contains TEXT printed.
example_output() {
    local f
    f=$(grep -lF -- "$1" .ex/*.cmd | sort -t/ -k2 -n | head -n 1)
    [ -n "$f" ] || fail "no command run contains: $1"
    cat "${f%.cmd}.out"
}

# pool_registry: keys and a registry of the devices of the scenario of gc-pool(1).
pool_registry() {
    mkdir -m 700 keys
    while read -r id class rated zone eff; do
        gc-attest keygen --device "$id" --class "$class" --rated-w "$rated" --zone "$zone" \
            ${eff:+--efficiency-bps "$eff"} -k "keys/$id.key"
    done <"$FIX/pool/devices.txt" >registry.ndjson
}

setup_file() {
    # The loopback server stands in for the made-up servers of the examples.
    start_http_server --lifetime 900 --data "$FIX/man/gc-attest/inverter.ndjson"
}

teardown_file() {
    stop_http_server
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
}

@test "gc-attest(1): its examples run" {
    # Its task examples are those of gc-verify(1), in the same world.
    cp -R "$FIX/man/gc-verify/." .
    # nvidia-smi samples until stopped; this one prints what a real one printed for the page's query.
    mkdir bin
    cat >bin/nvidia-smi <<EOF
#!/bin/sh
[ "\$1" = --query-gpu=timestamp,index,uuid,name,power.draw,utilization.gpu ] || exit 2
exec cat "$FIX/import/nvidia-smi.csv"
EOF
    chmod +x bin/nvidia-smi
    PATH=$PWD/bin:$PATH run_examples gc-attest.1 /etc/gc/inverter.token inverter.token \
        https://inverter.example/api/readings "http://127.0.0.1:$PORT/readings"
    # The key and the registry record of pv-001; the readings signed and checked.
    assert_equal "$(tail -n 1 registry.ndjson | jq -r '[.type, .device, .rated_w] | join(" ")')" "device pv-001 5000"
    assert_equal "$(zstd -dc att.ndjson.zst | jq -r .type | uniq -c | xargs)" "12 attestation"
    example_output 'pv-001.ndjson' | grep -qx 'gc-verify: 2 in, 2 out, 0 rejected'
    example_output 'import --format nvidia-smi' | grep -qx 'gc-attest: 709 in, 709 used, 0 rejected; 27 records out'
    example_output 'import --format nvidia-smi' | grep -qx 'gc-attest: 27 in, 27 out, 0 rejected'
    # The inverter's three readings continue the chain of pv-001, and the cursor stands after them.
    assert_equal "$(jq -r '"\(.device) \(.seq)"' att.ndjson | xargs)" "pv-001 3 pv-001 4 pv-001 5"
    assert_equal "$(jq -r .since inverter.cursor)" 2026-11-01T11:00:00Z
    assert_equal "$(jq -r '"\(.type) \(.device) \(.task)"' receipts.ndjson openings.ndjson | xargs)" \
        "receipt gpu-1 t1 opening gpu-1 t1"
    # The crontab line, as cron runs it (sh, "\%" for "%"), in a directory of its own: the first
    # run fetches and signs all the inverter's readings; a run while another holds the lock exits 75.
    job=$(literal_blocks <(examples "$TOP/man/gc-attest.1") | grep '^\*/5 ' | cut -d' ' -f6-)
    job=${job//\\%/%}
    job=${job//\/var\/lib\/gc/$PWD/cron}
    job=${job//\/etc\/gc\/inverter.token/inverter.token}
    job=${job//https:\/\/inverter.example\/api\/readings/http://127.0.0.1:$PORT/readings}
    mkdir -m 700 cron cron/keys
    cp -p keys/pv-001.key cron/keys/
    cp -p inverter.token cron/
    run -75 flock cron/run.lock sh -c "$job"
    run -0 sh -c "$job"
    assert_equal "$(cat cron/att-*.ndjson | jq -r '"\(.device) \(.seq)"' | xargs)" "pv-001 1 pv-001 2 pv-001 3"
}

@test "gc-verify(1): its examples run and print what it shows" {
    # The day of attestations, compressed, of the world of tests/fixtures/man/gc-verify.
    zstd -q -o att.ndjson.zst "$FIX/man/gc-verify/attestations.ndjson"
    run_examples gc-verify.1
    cmp verified.ndjson attestations.ndjson
    assert_equal "$(grep -c . verdicts.ndjson)" 4
    assert_equal "$(grep -c . owned.ndjson)" 9
    [ ! -s rejects.ndjson ]
}

@test "gc-pool(1): its examples run on the fixture scenario, and every record it quotes is what gc-pool writes" {
    pool_registry
    gc-attest sign -q --keydir keys --state heads.ndjson -o att.ndjson "$FIX/pool/readings.ndjson"
    cp "$FIX/pool/intensity.ndjson" .
    run_examples gc-pool.1
    cmp matched.ndjson "$FIX/pool/match.golden.ndjson"
    example_output 'gc-pool report' | grep '^{' >report.ndjson
    # every JSON record in the page's literal blocks, continuations joined
    literal_blocks "$TOP/man/gc-pool.1" | grep '^{' >quoted.ndjson
    [ "$(grep -c . quoted.ndjson)" -ge 4 ]
    while IFS= read -r rec; do
        grep -qxF "$rec" matched.ndjson report.ndjson || fail "gc-pool(1) quotes a record gc-pool does not write: $rec"
    done <quoted.ndjson
}

@test "gc-amm(1): its examples run, and every record it quotes is what gc-amm writes" {
    page=$TOP/man/gc-amm.1
    block_with '"type":"amm.open"' "$page" >events.ndjson
    block_with '"type":"amm.close"' "$page" >later.ndjson
    [ "$(grep -c . events.ndjson)" -ge 4 ] && [ "$(grep -c . later.ndjson)" -ge 3 ]
    # The real pools of the last example: those of the scenario of gc-pool(1), as it matched them.
    pool_registry
    cp "$FIX/pool/pools.ndjson" .
    cp "$FIX/pool/match.golden.ndjson" matched.ndjson
    run_examples gc-amm.1
    # the records the page quotes as output (input events are written type first)
    literal_blocks "$page" | grep '^{' | grep -v '^{"type":' >quoted.ndjson
    [ "$(grep -c . quoted.ndjson)" -ge 5 ]
    while IFS= read -r rec; do
        grep -qxF "$rec" receipts.ndjson receipts2.ndjson .ex/*.out ||
            fail "gc-amm(1) quotes a record gc-amm does not write: $rec"
    done <quoted.ndjson
    # a table of 24 hours; each snapshot of the pools simulated with each curve
    [ "$(example_output 'column -t' | grep -c .)" -ge 25 ]
    n=$(grep -c '"type":"pool"' snapshots.ndjson)
    [ "$n" -ge 4 ]
    example_output '--supply snapshots.ndjson' >supply.tsv
    assert_equal "$(grep -c "$(printf '\tys\t')" supply.tsv) $(grep -c "$(printf '\tcp\t')" supply.tsv)" "$n $n"
}

@test "gc-issue(1): its examples run and print what it shows" {
    run_examples gc-issue.1
}

@test "gc-settle(1): its examples run and print what it shows" {
    page=$TOP/man/gc-settle.1
    block_with '"type":"amm.fill"' "$page" >fills.ndjson
    block_with '"duty":' "$page" >params.ndjson
    block_with '"global_ceiling_micros"' "$page" >>params.ndjson
    [ "$(grep -c . fills.ndjson)" -eq 3 ] && [ "$(grep -c . params.ndjson)" -eq 2 ]
    run_examples gc-settle.1 https://registry.example/settlements "http://127.0.0.1:$PORT/ingest"
    # The fixtures are what the page says: eight intensities, among them the one it shows, and the
    # oracle's record of its section Oracles.
    assert_equal "$(grep -c . intensity.ndjson)" 8
    grep -qxF "$(block_with '"gco2_per_kwh":250}' "$page")" intensity.ndjson
    assert_equal "$(jq -cS 'del(.sig, .signer)' oracle.ndjson)" "$(block_with '"type":"oracle"' "$page" | jq -cS .)"
}

@test "gc-records(5): the secret key file is RFC 8032 test 1 and keygen's record format" {
    mkdir -m 700 keys
    block_with "seed 9d61b19d" >keys/pv-001.key
    chmod 600 keys/pv-001.key
    run jq -r 'select(.id == "rfc8032-test1") | .public_key' "$TOP/tests/vectors/rfc8032-ed25519.ndjson"
    assert_output "$(sed -n 's/^pubkey //p' keys/pv-001.key)"
    block_with '"type":"device"' >device.ndjson
    assert_equal "$(jq -r .pubkey device.ndjson)" "$(sed -n 's/^pubkey //p' keys/pv-001.key)"
    jq -cS . device.ndjson | cmp - device.ndjson
}

@test "gc-records(5): signing the example readings gives the example attestations, state and reject; its example runs" {
    mkdir -m 700 keys
    block_with "seed 9d61b19d" >keys/pv-001.key
    chmod 600 keys/pv-001.key
    block_with '"energy_wh":812}' >readings.ndjson
    block_with '"energy_wh":1.5}' | head -n 1 >>readings.ndjson
    [ "$(grep -c . readings.ndjson)" -eq 3 ]
    run gc-attest sign --keydir keys --state state.ndjson --rejects rejects.ndjson \
        -o att.ndjson readings.ndjson
    assert_failure 65
    block_with '"seq":1,"sig"' | cmp - att.ndjson
    block_with '"type":"chain.head"' | cmp - state.ndjson
    block_with '"reason":"bad_field","source"' | tail -n 1 | cmp - rejects.ndjson
    # the canonical bytes and the hash shown there
    block_with '"seq":1,"ts"' >canon.txt
    head -n 1 att.ndjson | jq -cj 'del(.sig)' | cmp - <(tr -d '\n' <canon.txt)
    assert_equal "$(tr -d '\n' <canon.txt | sha256sum | cut -d' ' -f1)" \
        "$(jq -r .prev <(sed -n 2p att.ndjson))"
    run_examples gc-records.5
}

@test "every man page has examples, and this file runs them" {
    n=0
    for page in "$TOP"/man/*.[1-9]; do
        grep -q '^\.Sh EXAMPLES' "$page" || fail "no EXAMPLES in $page"
        grep -qE "^ *(PATH=[^ ]* )?run_examples ${page##*/}( |$)" "$BATS_TEST_FILENAME" ||
            fail "the examples of ${page##*/} are not run"
        n=$((n + 1))
    done
    [ "$n" -eq 7 ]
}
