#!/usr/bin/env bats
# What every program shares: inputs, zstd, rejects, outputs, the summary.

load helpers

setup() {
    setup_keys
    cd "$BATS_TEST_TMPDIR" || return 1
}

@test "zstd input is detected by its magic number, whatever the name" {
    zstd -q -c "$FIX/attestations.ndjson" >att.plain-name
    run verify att.plain-name
    assert_success
    assert_equal "$output" "$(cat "$FIX/attestations.ndjson")"
    # standard input, and two concatenated frames
    { zstd -q -c <(head -n 4 "$FIX/attestations.ndjson"); zstd -q -c <(tail -n +5 "$FIX/attestations.ndjson"); } >two.zst
    run verify - <two.zst
    assert_success
    assert_equal "$output" "$(cat "$FIX/attestations.ndjson")"
    zstd -q -c "$FIX/readings.ndjson" | sign | cmp - "$FIX/attestations.ndjson"
}

@test "a truncated zstd stream is an error, not a short read" {
    zstd -q -c "$FIX/attestations.ndjson" >full.zst
    head -c $(($(wc -c <full.zst) - 7)) full.zst >cut.zst
    run verify -o out.ndjson cut.zst
    assert_failure 65
    assert_output --partial "cut.zst: truncated zstd stream"
    assert_file_not_exists out.ndjson
    run sign cut.zst
    assert_failure 65
    # garbage after the magic number
    printf '\x28\xb5\x2f\xfdgarbage' >bad.zst
    run verify bad.zst
    assert_failure 65
    assert_output --partial "corrupt zstd stream"
}

@test "several input files, and - for standard input" {
    head -n 5 "$FIX/attestations.ndjson" >a.ndjson
    tail -n +6 "$FIX/attestations.ndjson" >b.ndjson
    run verify a.ndjson - <b.ndjson
    assert_success
    assert_equal "$output" "$(cat "$FIX/attestations.ndjson")"
}

@test "-o to a FIFO writes into it and leaves it a FIFO, never renamed over" {
    # What -o /dev/null does as root must not replace the device: a FIFO shows it safely.
    mkfifo out.fifo
    timeout 20 cat out.fifo >got.ndjson &
    verify -o out.fifo "$FIX/attestations.ndjson"
    wait
    [ -p out.fifo ]
    cmp got.ndjson "$FIX/attestations.ndjson"
}

@test "reject records: source, line, byte offset, reason, detail and the line verbatim" {
    { head -n 2 "$FIX/attestations.ndjson"; printf '\n   \n'; echo '{"oops"}'; } >in.ndjson
    run verify --rejects rej.ndjson in.ndjson
    assert_failure 65
    off=$(head -n 4 in.ndjson | wc -c)
    run jq -c . rej.ndjson
    assert_output "{\"detail\":\"':' expected at column 8\",\"input\":\"{\\\"oops\\\"}\",\"line\":5,\"offset\":$off,\"reason\":\"bad_json\",\"source\":\"in.ndjson\",\"type\":\"reject\",\"v\":1}"
    # the reject file is itself canonical NDJSON
    jq -cS . rej.ndjson | cmp - rej.ndjson
}

@test "rejects and output may be zstd-compressed" {
    { cat "$FIX/attestations.ndjson"; echo '{'; } >in.ndjson
    run verify --rejects rej.ndjson.zst -o out.ndjson.zst in.ndjson
    assert_failure 65
    zstd -dcq out.ndjson.zst | cmp - "$FIX/attestations.ndjson"
    assert_equal "$(zstd -dcq rej.ndjson.zst | jq -r .reason)" bad_json
}

@test "offsets count bytes of the decompressed stream" {
    { cat "$FIX/attestations.ndjson"; echo 'x'; } >in.ndjson
    zstd -q -c in.ndjson >in.zst
    run verify --rejects rej.ndjson in.zst
    assert_failure 65
    assert_equal "$(jq -r .offset rej.ndjson)" "$(wc -c <"$FIX/attestations.ndjson")"
    assert_equal "$(jq -r .line rej.ndjson)" 11
}

@test "--max-line-bytes: the limit is inclusive; an overlong line keeps its head and full length" {
    head -n 1 "$FIX/attestations.ndjson" >one.ndjson
    len=$(($(wc -c <one.ndjson) - 1))
    run verify --max-line-bytes "$len" one.ndjson
    assert_success
    run verify --max-line-bytes $((len - 1)) --rejects rej.ndjson one.ndjson
    assert_failure 65
    assert_equal "$(jq -r .input_bytes rej.ndjson)" "$len"
    # the cut never splits a UTF-8 character
    printf '{"x":"%s"}\n' "$(printf '€%.0s' $(seq 40))" >u.ndjson
    run verify --max-line-bytes 10 --rejects rej.ndjson u.ndjson
    assert_failure 65
    assert_equal "$(jq -r .input rej.ndjson)" '{"x":"€'
}

@test "a 2 MiB line is rejected by default and the next line is still read" {
    { printf '{"x":"'; head -c 2097152 /dev/zero | tr '\0' a; printf '"}\n'; cat "$FIX/attestations.ndjson"; } >big.ndjson
    run gc-verify --registry "$FIX/registry.ndjson" --now "$NOW" --rejects rej.ndjson -o out.ndjson big.ndjson
    assert_failure 65
    assert_output "gc-verify: 11 in, 10 out, 1 rejected"
    assert_equal "$(jq -r .reason rej.ndjson)" line_too_long
    assert_equal "$(jq -r .input_bytes rej.ndjson)" 2097160
    cmp out.ndjson "$FIX/attestations.ndjson"
}

@test "-q silences the summary; the summary balances on every program" {
    run gc-verify -q --registry "$FIX/registry.ndjson" --now "$NOW" -o o.ndjson "$FIX/attestations.ndjson"
    assert_success
    assert_output ""
    run gc-verify --registry "$FIX/registry.ndjson" --now "$NOW" -o o.ndjson "$FIX/attestations.ndjson"
    assert_output "gc-verify: 10 in, 10 out, 0 rejected"
    { cat "$FIX/readings.ndjson"; echo nope; } >r.ndjson
    run gc-attest sign --keydir "$KEYS" --state h.ndjson --rejects rej.ndjson -o a.ndjson r.ndjson
    assert_failure 65
    assert_output "gc-attest: 11 in, 10 out, 1 rejected"
    assert_balanced "$output"
}

@test "progress shows by itself on a terminal, and --quiet silences it" {
    for _ in $(seq 7000); do cat "$FIX/attestations.ndjson"; done >many.ndjson
    cmd="gc-verify --registry $FIX/registry.ndjson --now $NOW --rejects rej.ndjson -o o.ndjson many.ndjson"
    # script(1) gives the program a pseudo-terminal for standard error.
    run script -qec "$cmd" /dev/null
    assert_output --partial "gc-verify: 65536 records"
    run script -qec "$cmd -q" /dev/null
    refute_output --partial "records"
    # Not a terminal, no --progress: the summary only.
    run gc-verify --registry "$FIX/registry.ndjson" --now "$NOW" --rejects rej.ndjson -o o.ndjson many.ndjson
    refute_output --partial "65536 records"
}

@test "--progress writes a progress line to standard error" {
    for _ in $(seq 7000); do cat "$FIX/attestations.ndjson"; done >many.ndjson
    run gc-verify --progress --registry "$FIX/registry.ndjson" --now "$NOW" --rejects rej.ndjson -o o.ndjson many.ndjson
    assert_failure 65
    assert_output --partial "gc-verify: 65536 records"
    assert_balanced "$output"
}
