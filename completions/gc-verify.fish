# fish completion for gc-verify

# merge, tasks and challenges are subcommands only as the first argument;
# without one, that is an input file (files are completed throughout).
set -l subcommands merge tasks challenges
set -l first __fish_is_first_arg
set -l nosub "not __fish_seen_subcommand_from $subcommands"
set -l tasks "__fish_seen_subcommand_from tasks"
set -l merge "__fish_seen_subcommand_from merge"
set -l nomerge "not __fish_seen_subcommand_from merge"

complete -c gc-verify -n $first -a merge -d 'Judge the output of --partial runs in order, as one run would'
complete -c gc-verify -n $first -a tasks -d 'Judge tasks into task.verified or task.failed, and with --pay payment records'
complete -c gc-verify -n $first -a challenges -d 'Derive the chunks each committed task result must open'
complete -c gc-verify -n $nosub -s h -l help -d 'Print help and exit'
complete -c gc-verify -n $nosub -s V -l version -d 'Print version and exit'
complete -c gc-verify -n $nomerge -l registry -r -F -d 'Device records (NDJSON, may be zstd-compressed)'
complete -c gc-verify -n "$nosub; or $merge" -l state -r -F -d 'Chain heads, carried from run to run'
complete -c gc-verify -n $nosub -l now -x -a '(date -u +%Y-%m-%dT%H:%M:%SZ)' -d 'The present, RFC 3339 UTC'
complete -c gc-verify -n $nosub -l slack-bps -x -d 'Tolerance above rated power in basis points'
complete -c gc-verify -n $nosub -l validators -r -F -d 'Validator records: check pool snapshots co-signatures'
complete -c gc-verify -n $nomerge -l snapshots -r -F -d 'Pool snapshots: check pool.proof records against them; tasks take their beacons from them'
complete -c gc-verify -n "$nosub; or $merge" -l allowlist -r -F -d 'Party records: the only holders positions may go to'
complete -c gc-verify -n "$nosub; or $merge" -l issuers -r -F -d 'Party records: the only keys packages may be signed by'
complete -c gc-verify -n $nosub -l quorum -x -d 'Signatures of distinct listed validators a snapshot needs'
complete -c gc-verify -n $nosub -s j -l jobs -x -d 'Check signatures on N threads (0: one per core)'
complete -c gc-verify -n $nosub -l partial -d 'Write each line verdict and the line, for merge'
complete -c gc-verify -n $tasks -l recompute -x -a '(__fish_complete_command)' -d 'Re-run each challenged chunk as CMD SPEC INDEX'
complete -c gc-verify -n $tasks -l pay -d 'A payment record per paid replica'
complete -c gc-verify -s o -l output -r -F -d 'Write records here'
complete -c gc-verify -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-verify -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-verify -s q -l quiet -d 'No summary line on standard error'
complete -c gc-verify -l progress -d 'Progress on standard error even when not a terminal'
