#!/usr/bin/env bats
# Every program: --help, --version, bad options, man page.

load helpers

PROGS="gc-attest gc-verify gc-pool gc-amm gc-issue gc-settle"

@test "--help prints the usage to stdout and exits 0" {
    for p in $PROGS; do
        run "$p" --help
        assert_success
        assert_line --partial "usage: $p"
        run "$p" -h
        assert_success
    done
}

@test "--version prints the program and version" {
    for p in $PROGS; do
        run "$p" --version
        assert_success
        assert_output --regexp "^$p \(gc\) [0-9]+\.[0-9]+\.[0-9]+$"
    done
}

@test "an unknown option exits 64 with a hint" {
    for p in $PROGS; do
        run "$p" --no-such-option
        assert_failure 64
        assert_output --partial "unknown option '--no-such-option'"
        assert_output --partial "Try '$p --help'"
    done
}

@test "a missing option argument exits 64" {
    run gc-verify --registry
    assert_failure 64
    assert_output --partial "needs an argument"
}

@test "gc-attest needs a known command" {
    run gc-attest
    assert_failure 64
    run gc-attest frobnicate
    assert_failure 64
    assert_output --partial "unknown command 'frobnicate'"
}

@test "required options are enforced" {
    # gc-verify checks ownership records with no option; an attestation needs the registry.
    run gc-verify "$FIX/attestations.ndjson"
    assert_failure 65
    assert_output --partial "an attestation needs --registry"
    run gc-attest sign --keydir /tmp
    assert_failure 64
    run gc-attest keygen --device a --class pv --rated-w 1 --zone z
    assert_failure 64
}

@test "gc-amm needs a known command" {
    run gc-amm
    assert_failure 64
    assert_output --partial "a command is needed"
    run gc-amm frobnicate
    assert_failure 64
    assert_output --partial "unknown command 'frobnicate'"
}

@test "gc-amm: each command's required options are enforced" {
    s=$BATS_TEST_TMPDIR/markets.ndjson
    run gc-amm run
    assert_failure 64
    assert_output --partial "--state"
    run gc-amm quote --state "$s" --buy 60
    assert_failure 64
    assert_output --partial "--market"
    run gc-amm quote --state "$s" --market m
    assert_failure 64
    run gc-amm quote --state "$s" --market m --buy 60 --sell 60
    assert_failure 64
    assert_output --partial "one of --buy and --sell"
    run gc-amm simulate
    assert_failure 64
    assert_output --partial "simulate needs --seed and --hours"
    run gc-amm simulate --seed 1
    assert_failure 64
    run gc-amm simulate --hours 24
    assert_failure 64
    run gc-amm simulate --seed 1 --hours 24 --state "$s"
    assert_failure 64
    assert_output --partial "--state does not go with simulate"
}

@test "gc-amm: options of another command, and bad values, exit 64" {
    s=$BATS_TEST_TMPDIR/markets.ndjson
    run gc-amm run --state "$s" --seed 1 --hours 24
    assert_failure 64
    assert_output --partial "go with simulate"
    run gc-amm index --state "$s" --tsv
    assert_failure 64
    assert_output --partial "go with simulate"
    run gc-amm run --state "$s" --market m
    assert_failure 64
    assert_output --partial "go with quote"
    run gc-amm quote --state "$s" --market m --buy 60 --pool p
    assert_failure 64
    assert_output --partial "--pool goes with index"
    run gc-amm index --state "$s" --rejects "$BATS_TEST_TMPDIR/rejects.ndjson"
    assert_failure 64
    assert_output --partial "--rejects goes with run"
    run gc-amm index --state "$s" "$BATS_TEST_TMPDIR/events.ndjson"
    assert_failure 64
    assert_output --partial "reads no input files"
    run gc-amm simulate --seed 1 --hours 24 --curve bogus
    assert_failure 64
    assert_output --partial "--curve must be ys or cp"
    run gc-amm simulate --seed 1 --hours 0
    assert_failure 64
    run gc-amm quote --state "$s" --market m --buy 0
    assert_failure 64
    run gc-amm run --state "$s" --now 2026-11-01T10:00:00+01:00
    assert_failure 64
    assert_output --partial "use Z"
}

@test "gc-amm: --seed or --hours alone with another command exits 64" {
    s=$BATS_TEST_TMPDIR/markets.ndjson
    : >"$BATS_TEST_TMPDIR/events.ndjson"
    run gc-amm run --state "$s" --seed 1 "$BATS_TEST_TMPDIR/events.ndjson"
    assert_failure 64
    assert_output --partial "go with simulate"
    run gc-amm index --state "$s" --hours 24
    assert_failure 64
    assert_output --partial "go with simulate"
}

@test "bad option values exit 64" {
    run gc-verify --registry x --now 2026-11-01T10:00:00+01:00
    assert_failure 64
    assert_output --partial "use Z"
    run gc-verify --registry x --slack-bps 1.5
    assert_failure 64
    run gc-attest keygen --device Bad --class pv --rated-w 1 --zone z -k k
    assert_failure 64
    run gc-attest keygen --device a --class coal --rated-w 1 --zone z -k k
    assert_failure 64
}

@test "a missing input file exits 66" {
    run gc-verify --registry "$BATS_TEST_TMPDIR/none.ndjson"
    assert_failure 66
    assert_output --partial "cannot open"
}

@test "every program has a lint-clean man page and the records page exists" {
    for p in $PROGS; do
        assert_file_exists "$TOP/man/$p.1"
        run mandoc -Tlint -Wwarning "$TOP/man/$p.1"
        assert_success
        assert_output ""
    done
    run mandoc -Tlint -Wwarning "$TOP/man/gc-records.5"
    assert_success
}

@test "every program is in the Makefile, the README (with a link to its page) and gc-records(5) SEE ALSO" {
    see_also=$(sed -n '/^\.Sh SEE ALSO/,/^\.Sh /p' "$TOP/man/gc-records.5")
    for p in $PROGS; do
        grep -qE "^PROGS *=.*\b$p\b" "$TOP/Makefile" || fail "$p is not in the Makefile's PROGS"
        grep -qF "[$p(1)](man/$p.1)" "$TOP/README.md" || fail "the README does not link $p(1)"
        grep -qx ".Xr $p 1 ," <<<"$see_also" || fail "gc-records(5) SEE ALSO lacks $p(1)"
    done
    # And no program is missing from this list: the Makefile is the one place that names them.
    [ "$(sed -n 's/^PROGS *= *//p' "$TOP/Makefile")" = "$PROGS" ]
}

@test "a write error on standard output is reported, exit 74" {
    [ -w /dev/full ] || skip "no /dev/full"
    run bash -c "gc-attest --help >/dev/full"
    assert_failure 74
    run bash -c "gc-verify -q --registry '$FIX/registry.ndjson' --now 2026-11-02T00:00:00Z '$FIX/attestations.ndjson' >/dev/full"
    assert_failure 74
    assert_output --partial "write error"
}
