# bash completion for gc-attest, gc-verify, gc-pool, gc-amm, gc-issue and gc-settle   -*- shell-script -*-
#
# Install as completions/gc-attest, completions/gc-verify, completions/gc-pool,
# completions/gc-amm, completions/gc-issue and completions/gc-settle under the
# bash-completion directory (make install does), or source this file.
# All programs accept --opt VALUE and --opt=VALUE (getopt_long).

# _gc_reply WORDS... : complete the current word from a list of words.
_gc_reply() {
    mapfile -t COMPREPLY < <(compgen -W "$*" -- "$_gc_cur")
}

# _gc_files [-d|-c]: complete file names (directories only with -d, command
# names with -c).
_gc_files() {
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen "${1:--f}" -- "$_gc_cur")
}

# _gc_subcommand WORDS...: at the first argument, complete a subcommand of
# WORDS (or -h, -V) and succeed; elsewhere fail. For programs that take their
# subcommand only as the first argument.
_gc_subcommand() {
    ((${#_gc_args[@]} == 0)) || return 1
    if [[ $_gc_cur == -* ]]; then
        _gc_reply "-h --help -V --version"
    else
        _gc_reply "$*"
    fi
}

# _gc_words: set _gc_cur, _gc_prev and _gc_args (the words before the
# current one, without the command name), undoing the split that bash makes
# at '=' so that --state=FI completes like --state FI.
_gc_words() {
    local i w
    _gc_cur=${COMP_WORDS[COMP_CWORD]}
    _gc_prev=""
    _gc_args=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == "=" && ${#_gc_args[@]} -gt 0 ]]; then
            _gc_args[${#_gc_args[@]} - 1]+="="
        elif [[ ${#_gc_args[@]} -gt 0 && ${_gc_args[${#_gc_args[@]} - 1]} == --*= ]]; then
            _gc_args[${#_gc_args[@]} - 1]+=$w
        else
            _gc_args+=("$w")
        fi
    done
    if [[ $_gc_cur == "=" ]]; then
        _gc_cur=""
        _gc_prev=${COMP_WORDS[COMP_CWORD - 1]}
    elif ((COMP_CWORD >= 2)) && [[ ${COMP_WORDS[COMP_CWORD - 1]} == "=" ]]; then
        _gc_prev=${COMP_WORDS[COMP_CWORD - 2]}
    elif ((${#_gc_args[@]} > 0)); then
        _gc_prev=${_gc_args[${#_gc_args[@]} - 1]}
    fi
}

# _gc_after_dashdash: true if "--" came before the current word.
_gc_after_dashdash() {
    local w
    for w in "${_gc_args[@]}"; do
        [[ $w == "--" ]] && return 0
    done
    return 1
}

_gc_attest() {
    local _gc_cur _gc_prev
    local -a _gc_args
    local sub="" w skip=0
    local keygen_opts="-k --key --device --class --rated-w --zone --geohash --gpus
        --efficiency-bps --owner"
    local sign_opts="--keydir --state -j --jobs -o --output --rejects --max-line-bytes -q --quiet
        --progress"
    local import_opts="--format --device --period-s --tz --max-gap-s --map --counter -o --output
        --rejects --max-line-bytes -q --quiet --progress"
    local fetch_opts="--cursor --since-param --token-file --timeout-s --retries --backoff-ms --ca-file
        --max-bytes --format --device --period-s --tz --max-gap-s --map --counter -o --output
        --rejects -q --quiet --progress"
    local receipt_opts="-k --key --task --chunks --started-at --ended-at --gpu-s --energy-wh -o
        --output"
    local open_opts="-k --key --chunks -o --output --rejects --max-line-bytes -q --quiet --progress"
    COMPREPLY=()
    _gc_words

    # The subcommand is the first word that is not an option or its value.
    for w in "${_gc_args[@]}"; do
        if ((skip)); then
            skip=0
            continue
        fi
        case $w in
        -k | --key | --device | --class | --rated-w | --zone | --geohash | --gpus | \
            --efficiency-bps | --owner | --keydir | --state | -o | --output | --rejects | \
            --max-line-bytes | --format | --period-s | --tz | --max-gap-s | --map | \
            --cursor | --since-param | --token-file | --timeout-s | --retries | --backoff-ms | --ca-file | \
            --max-bytes | --task | --chunks | --started-at | --ended-at | --gpu-s | --energy-wh | \
            -j | --jobs)
            skip=1
            ;;
        -*) ;;
        *)
            sub=$w
            break
            ;;
        esac
    done

    case $_gc_prev in
    --class)
        _gc_reply "pv wind hydro battery gpu asic charger"
        return
        ;;
    --format)
        _gc_reply "nvidia-smi dcgm csv"
        return
        ;;
    --tz)
        _gc_reply "Z UTC"
        return
        ;;
    --keydir)
        _gc_files -d
        return
        ;;
    -k | --key | --state | -o | --output | --rejects | --cursor | --token-file | --ca-file | \
        --chunks)
        _gc_files
        return
        ;;
    --device | --rated-w | --zone | --geohash | --gpus | --efficiency-bps | --owner | \
        --max-line-bytes | --period-s | --max-gap-s | --map | --since-param | --timeout-s | \
        --retries | --backoff-ms | --max-bytes | --task | --started-at | --ended-at | --gpu-s | \
        --energy-wh | -j | --jobs)
        return
        ;;
    esac

    case $sub in
    "")
        if [[ $_gc_cur == -* ]]; then
            _gc_reply "-h --help -V --version"
        else
            _gc_reply "keygen sign import fetch receipt open"
        fi
        ;;
    keygen)
        _gc_reply "$keygen_opts"
        ;;
    sign)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$sign_opts --"
        else
            _gc_files
        fi
        ;;
    import)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$import_opts --"
        else
            _gc_files
        fi
        ;;
    fetch)
        # The one operand is a URL: nothing to offer for it.
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$fetch_opts --"
        fi
        ;;
    receipt)
        _gc_reply "$receipt_opts"
        ;;
    open)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$open_opts --"
        else
            _gc_files
        fi
        ;;
    esac
}

_gc_verify() {
    local _gc_cur _gc_prev
    local -a _gc_args
    local opts="--registry --state --now --slack-bps --validators --quorum --snapshots --allowlist
        --issuers -j --jobs --partial -o --output --rejects --max-line-bytes -q --quiet --progress
        -h --help -V --version"
    local merge_opts="--state --allowlist --issuers -o --output --rejects --max-line-bytes -q
        --quiet --progress"
    local tasks_opts="--registry --snapshots --recompute --pay -o --output --rejects
        --max-line-bytes -q --quiet --progress"
    local challenges_opts="--registry --snapshots -o --output --rejects --max-line-bytes -q --quiet
        --progress"
    local files
    COMPREPLY=()
    _gc_words

    # gc-verify takes its subcommand only as the first argument; without one,
    # that is an input file.
    if ((${#_gc_args[@]} == 0)) && [[ $_gc_cur != -* ]]; then
        _gc_files
        files=("${COMPREPLY[@]}")
        _gc_reply "merge tasks challenges"
        COMPREPLY+=("${files[@]}")
        return
    fi

    case $_gc_prev in
    --registry | --state | --validators | --snapshots | --allowlist | --issuers | -o | --output | --rejects)
        _gc_files
        return
        ;;
    --recompute)
        _gc_files -c
        return
        ;;
    --now)
        # Offer the present, in the form --now wants.
        _gc_reply "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        return
        ;;
    --slack-bps | --quorum | --max-line-bytes | -j | --jobs)
        return
        ;;
    esac

    case ${_gc_args[0]} in
    merge)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$merge_opts --"
        else
            _gc_files
        fi
        ;;
    tasks)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$tasks_opts --"
        else
            _gc_files
        fi
        ;;
    challenges)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$challenges_opts --"
        else
            _gc_files
        fi
        ;;
    *)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$opts --"
        else
            _gc_files
        fi
        ;;
    esac
}

_gc_pool() {
    local _gc_cur _gc_prev
    local -a _gc_args
    local match_opts="--registry --sorted --partial -o --output --rejects --max-line-bytes -q
        --quiet --progress"
    local merge_opts="--registry -o --output --rejects --max-line-bytes -q --quiet --progress"
    local audit_opts="--rejects --max-line-bytes -q --quiet --progress"
    local report_opts="--intensity -o --output --rejects --max-line-bytes -q --quiet --progress"
    local build_opts="--pools --registry -o --output --rejects --max-line-bytes -q --quiet
        --progress"
    local prove_opts="--pool --hour --device -o --output -q --quiet"
    local cosign_opts="-k --key -o --output --rejects --max-line-bytes -q --quiet --progress"
    COMPREPLY=()
    _gc_words

    _gc_subcommand match merge audit report build prove cosign && return

    case $_gc_prev in
    --registry | --intensity | --pools | -k | --key | -o | --output | --rejects)
        _gc_files
        return
        ;;
    --max-line-bytes | --pool | --hour | --device)
        return
        ;;
    esac

    case ${_gc_args[0]} in
    match)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$match_opts --"
        else
            _gc_files
        fi
        ;;
    merge)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$merge_opts --"
        else
            _gc_files
        fi
        ;;
    audit)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$audit_opts --"
        else
            _gc_files
        fi
        ;;
    report)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$report_opts --"
        else
            _gc_files
        fi
        ;;
    build)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$build_opts --"
        else
            _gc_files
        fi
        ;;
    prove)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$prove_opts --"
        else
            _gc_files
        fi
        ;;
    cosign)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$cosign_opts --"
        else
            _gc_files
        fi
        ;;
    esac
}

_gc_amm() {
    local _gc_cur _gc_prev
    local -a _gc_args
    local run_opts="--state --now -o --output --rejects --max-line-bytes -q --quiet --progress"
    local quote_opts="--state --market --buy --sell --now -o --output"
    local index_opts="--state --now --pool -o --output"
    local simulate_opts="--seed --hours --curve --supply --demand --start --tsv -o --output"
    COMPREPLY=()
    _gc_words

    _gc_subcommand run quote index simulate && return

    case $_gc_prev in
    --state | --supply | -o | --output | --rejects)
        _gc_files
        return
        ;;
    --now)
        # Offer the present, in the form --now wants.
        _gc_reply "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        return
        ;;
    --curve)
        _gc_reply "ys cp"
        return
        ;;
    --market | --buy | --sell | --pool | --seed | --hours | --demand | --start | \
        --max-line-bytes)
        return
        ;;
    esac

    # Only run reads input files; the other commands take options alone.
    case ${_gc_args[0]} in
    run)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$run_opts --"
        else
            _gc_files
        fi
        ;;
    quote)
        _gc_reply "$quote_opts"
        ;;
    index)
        _gc_reply "$index_opts"
        ;;
    simulate)
        _gc_reply "$simulate_opts"
        ;;
    esac
}

_gc_issue() {
    local _gc_cur _gc_prev
    local -a _gc_args
    local keygen_opts="-k --key --id"
    local package_opts="-k --key --terms --validators --quorum --index -o --output --rejects
        --max-line-bytes -q --quiet --progress"
    local transfer_opts="-k --key --position --to --units -o --output --rejects --max-line-bytes
        -q --quiet --progress"
    local pledge_opts="-k --key --position --to -o --output --rejects --max-line-bytes -q --quiet
        --progress"
    local release_opts="-k --key --pledge -o --output --rejects --max-line-bytes -q --quiet
        --progress"
    COMPREPLY=()
    _gc_words

    _gc_subcommand keygen package transfer pledge release && return

    case $_gc_prev in
    -k | --key | --terms | --validators | --index | -o | --output | --rejects)
        _gc_files
        return
        ;;
    --id | --quorum | --position | --to | --units | --pledge | --max-line-bytes)
        return
        ;;
    esac

    # keygen takes options alone; the other commands read input files.
    case ${_gc_args[0]} in
    keygen)
        _gc_reply "$keygen_opts"
        ;;
    package)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$package_opts --"
        else
            _gc_files
        fi
        ;;
    transfer)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$transfer_opts --"
        else
            _gc_files
        fi
        ;;
    pledge)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$pledge_opts --"
        else
            _gc_files
        fi
        ;;
    release)
        if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
            _gc_reply "$release_opts --"
        else
            _gc_files
        fi
        ;;
    esac
}

_gc_settle() {
    local _gc_cur _gc_prev
    local -a _gc_args
    local common_opts="--ledger -o --output --rejects --max-line-bytes -q --quiet --progress"
    local period_opts="$common_opts --package --positions --period"
    local carbon_opts="$common_opts --intensity"
    local deliver_opts="--ledger --cursor --token-file --timeout-s --retries --backoff-ms --ca-file
        -q --quiet"
    local mint_opts="$common_opts --package --positions --params --oracles -k --key"
    local burn_opts="$mint_opts --liquidate"
    local reserve_opts="--ledger -k --key --at -o --output -q --quiet"
    local sign_opts="-k --key -o --output --rejects --max-line-bytes -q --quiet --progress"
    COMPREPLY=()
    _gc_words

    _gc_subcommand period carbon deliver mint burn reserve sign && return

    case $_gc_prev in
    --ledger | --package | --positions | --intensity | --cursor | --token-file | --ca-file | \
        --params | --oracles | -k | --key | -o | --output | --rejects)
        _gc_files
        return
        ;;
    --period | --max-line-bytes | --timeout-s | --retries | --backoff-ms | --at)
        return
        ;;
    esac

    # period reads income files, carbon gc-pool match output.
    local opts
    case ${_gc_args[0]} in
    period) opts=$period_opts ;;
    carbon) opts=$carbon_opts ;;
    mint) opts=$mint_opts ;;
    burn) opts=$burn_opts ;;
    sign) opts=$sign_opts ;;
    reserve)
        [[ $_gc_cur == -* ]] && _gc_reply "$reserve_opts"
        return
        ;;
    deliver)
        [[ $_gc_cur == -* ]] && _gc_reply "$deliver_opts"
        return
        ;;
    *) return ;;
    esac
    if [[ $_gc_cur == -* ]] && ! _gc_after_dashdash; then
        _gc_reply "$opts --"
    else
        _gc_files
    fi
}

complete -F _gc_attest gc-attest
complete -F _gc_verify gc-verify
complete -F _gc_pool gc-pool
complete -F _gc_amm gc-amm
complete -F _gc_issue gc-issue
complete -F _gc_settle gc-settle
