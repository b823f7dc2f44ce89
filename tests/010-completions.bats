#!/usr/bin/env bats
# Completions for bash, zsh and fish cover every long option and subcommand
# that a program's --help prints, and each completion file parses.

load helpers

COMPDIR="$BATS_TEST_DIRNAME/../completions"
export LC_ALL=C

# help_of PROG: run PROG --help into $help_text, failing unless it exits 0.
help_of() {
    [ -x "$GC_BIN/$1" ] || {
        echo "no program $GC_BIN/$1 (build it first)"
        return 1
    }
    help_text=$("$GC_BIN/$1" --help) || {
        echo "$1 --help exited with status $?"
        return 1
    }
}

# long_options: the long options in $help_text, one per line.
long_options() {
    printf '%s\n' "$help_text" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# subcommands PROG: the subcommands in the usage lines of $help_text
# ("gc-attest keygen ...", "gc-attest sign ..."), one per line.
subcommands() {
    printf '%s\n' "$help_text" | grep -oE -- "^(usage:)? *$1 [a-z][a-z0-9-]*" |
        awk '{ print $NF }' | sort -u
}

# has_long FILE OPT: FILE completes the long option OPT (--name).
# Bash and zsh files spell it --name; fish files spell it -l name.
# The name must stand alone: --key is not found in --keydir.
has_long() {
    local name=${2#--}
    case $1 in
    *.fish)
        grep -qE -- "(^|[[:space:]])(-l|--long|--long-option)([[:space:]]+|=)[\"']?$name([\"']|[[:space:]]|$)" "$1"
        ;;
    *)
        grep -qE -- "(^|[^a-z0-9-])--$name([^a-z0-9-]|$)" "$1"
        ;;
    esac
}

# has_word FILE WORD: WORD appears in FILE as a whole word.
has_word() {
    grep -qE -- "(^|[^a-z0-9_-])$2([^a-z0-9_-]|$)" "$1"
}

# check_completions PROG: fail, naming every option or subcommand and the
# file that lacks it, unless each completion file for PROG has them all.
check_completions() {
    local prog=$1 file opt sub missing=""
    local files=("$COMPDIR/gc.bash" "$COMPDIR/_gc" "$COMPDIR/$prog.fish")
    help_of "$prog"
    local opts subs
    opts=$(long_options)
    subs=$(subcommands "$prog")
    # Guard against a vacuous pass: --help must list at least these.
    for opt in --help --version; do
        printf '%s\n' "$opts" | grep -qx -- "$opt" || {
            echo "$prog --help does not list $opt; option extraction is broken"
            return 1
        }
    done
    for file in "${files[@]}"; do
        if [ ! -f "$file" ]; then
            missing+="missing completion file completions/${file##*/}"$'\n'
            continue
        fi
        for opt in $opts; do
            has_long "$file" "$opt" ||
                missing+="completions/${file##*/} lacks option $opt of $prog"$'\n'
        done
        for sub in $subs; do
            has_word "$file" "$sub" ||
                missing+="completions/${file##*/} lacks subcommand $sub of $prog"$'\n'
        done
    done
    if [ -n "$missing" ]; then
        printf '%s' "$missing"
        return 1
    fi
}

@test "gc-attest: bash, zsh and fish completions cover every long option and subcommand" {
    check_completions gc-attest
}

@test "gc-verify: bash, zsh and fish completions cover every long option" {
    check_completions gc-verify
}

@test "gc-pool: bash, zsh and fish completions cover every long option and subcommand" {
    help_of gc-pool
    # Guard against a vacuous pass: the usage lines name the subcommands.
    [ "$(subcommands gc-pool | tr '\n' ' ')" = "audit build cosign match merge prove report " ] || {
        echo "gc-pool --help: subcommands '$(subcommands gc-pool)', not 'audit build cosign match merge prove report'; extraction is broken"
        return 1
    }
    check_completions gc-pool
}

@test "gc-amm: bash, zsh and fish completions cover every long option and subcommand" {
    help_of gc-amm
    # Guard against a vacuous pass: the usage lines name the subcommands.
    [ "$(subcommands gc-amm | tr '\n' ' ')" = "index quote run simulate " ] || {
        echo "gc-amm --help: subcommands '$(subcommands gc-amm)', not 'index quote run simulate'; extraction is broken"
        return 1
    }
    check_completions gc-amm
}

@test "gc-issue: bash, zsh and fish completions cover every long option and subcommand" {
    help_of gc-issue
    # Guard against a vacuous pass: the usage lines name the subcommands.
    [ "$(subcommands gc-issue | tr '\n' ' ')" = "keygen package pledge release transfer " ] || {
        echo "gc-issue --help: subcommands '$(subcommands gc-issue)', not 'keygen package pledge release transfer'; extraction is broken"
        return 1
    }
    check_completions gc-issue
}

@test "gc-settle: bash, zsh and fish completions cover every long option and subcommand" {
    help_of gc-settle
    # Guard against a vacuous pass: the usage lines name the subcommands.
    [ "$(subcommands gc-settle | tr '\n' ' ')" = "burn carbon deliver mint period reserve sign " ] || {
        echo "gc-settle --help: subcommands '$(subcommands gc-settle)', not 'burn carbon deliver mint period reserve sign'; extraction is broken"
        return 1
    }
    check_completions gc-settle
}

@test "completions/gc.bash parses and registers every program" {
    run bash -n "$COMPDIR/gc.bash"
    [ "$status" -eq 0 ] || {
        echo "bash -n completions/gc.bash: $output"
        return 1
    }
    run bash -c '. "$1" && complete -p gc-attest && complete -p gc-verify && complete -p gc-pool &&
        complete -p gc-amm && complete -p gc-issue && complete -p gc-settle' _ "$COMPDIR/gc.bash"
    [ "$status" -eq 0 ] || {
        echo "sourcing completions/gc.bash does not register every program: $output"
        return 1
    }
}

@test "completions/gc.bash: gc-pool offers its subcommands first, then options and files" {
    # complete_pool WORD...: the completions bash offers for the last WORD of 'gc-pool WORD...'.
    complete_pool() {
        bash -c '. "$1"; shift; COMP_WORDS=(gc-pool "$@"); COMP_CWORD=$#; _gc_pool
            printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPDIR/gc.bash" "$@"
    }
    run complete_pool ""
    assert_output "$(printf 'match\nmerge\naudit\nreport\nbuild\nprove\ncosign')"
    run complete_pool match --re
    assert_output --regexp '^--registry'$'\n''--rejects$'
    cd "$BATS_TEST_TMPDIR" || return 1
    : >registry.ndjson
    run complete_pool match --registry reg
    assert_output registry.ndjson
    run complete_pool report --in
    assert_output --intensity
    : >intensity.ndjson
    run complete_pool report --intensity int
    assert_output intensity.ndjson
    run complete_pool report --intensity = int # bash splits --intensity=int at the =
    assert_output intensity.ndjson
}

@test "completions/gc.bash: gc-amm offers its subcommands first, then each one's options" {
    # complete_amm WORD...: the completions bash offers for the last WORD of 'gc-amm WORD...'.
    complete_amm() {
        bash -c '. "$1"; shift; COMP_WORDS=(gc-amm "$@"); COMP_CWORD=$#; _gc_amm
            printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPDIR/gc.bash" "$@"
    }
    run complete_amm ""
    assert_output "$(printf 'run\nquote\nindex\nsimulate')"
    run complete_amm simulate --curve ""
    assert_output "$(printf 'ys\ncp')"
    run complete_amm simulate --curve = c # bash splits --curve=c at the =
    assert_output cp
    run complete_amm quote --s
    assert_output "$(printf -- '--state\n--sell')"
    run complete_amm index --re
    assert_output ""
    run complete_amm run --re
    assert_output --rejects
    cd "$BATS_TEST_TMPDIR" || return 1
    : >markets.ndjson
    run complete_amm run --state mar
    assert_output markets.ndjson
    run complete_amm run mar
    assert_output markets.ndjson
    : >snapshots.ndjson
    run complete_amm simulate --supply snap
    assert_output snapshots.ndjson
}

@test "completions/_gc parses (zsh -n)" {
    command -v zsh >/dev/null || skip "zsh is not installed"
    run zsh -n "$COMPDIR/_gc"
    [ "$status" -eq 0 ] || {
        echo "zsh -n completions/_gc: $output"
        return 1
    }
    head -n 1 "$COMPDIR/_gc" | grep -qx '#compdef gc-attest gc-verify gc-pool gc-amm gc-issue gc-settle' || {
        echo "completions/_gc does not start with '#compdef gc-attest gc-verify gc-pool gc-amm gc-issue gc-settle'"
        return 1
    }
    local p
    for p in gc-pool gc-amm gc-issue gc-settle; do
        grep -qE "^$p\\) _$p " "$COMPDIR/_gc" || {
            echo "completions/_gc does not dispatch $p to _$p"
            return 1
        }
    done
}

@test "completions/*.fish parse (fish -n)" {
    command -v fish >/dev/null || skip "fish is not installed"
    local f
    for f in "$COMPDIR/gc-attest.fish" "$COMPDIR/gc-verify.fish" "$COMPDIR/gc-pool.fish" \
        "$COMPDIR/gc-amm.fish" "$COMPDIR/gc-issue.fish" "$COMPDIR/gc-settle.fish"; do
        run fish -n "$f"
        [ "$status" -eq 0 ] || {
            echo "fish -n completions/${f##*/}: $output"
            return 1
        }
    done
}
