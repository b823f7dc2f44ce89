# fish completion for gc-pool

set -l subcommands match merge audit report build prove cosign
set -l nosub "not __fish_seen_subcommand_from $subcommands"
set -l match "__fish_seen_subcommand_from match"
set -l audit "__fish_seen_subcommand_from audit"
set -l merge "__fish_seen_subcommand_from merge"
set -l report "__fish_seen_subcommand_from report"
set -l build "__fish_seen_subcommand_from build"
set -l prove "__fish_seen_subcommand_from prove"
set -l cosign "__fish_seen_subcommand_from cosign"

complete -c gc-pool -f

complete -c gc-pool -n $nosub -a match -d 'Read verified attestations, write allocation, certificate and match records'
complete -c gc-pool -n $nosub -a merge -d 'Match the partial records of match --partial runs'
complete -c gc-pool -n $nosub -a audit -d 'Check that no producer-hour is claimed twice or beyond its energy'
complete -c gc-pool -n $nosub -a build -d 'Pool snapshots per pool and hour'
complete -c gc-pool -n $nosub -a prove -d 'The inclusion proof of one member of a pool snapshot'
complete -c gc-pool -n $nosub -a cosign -d 'Add a validator signature to each pool snapshot'
complete -c gc-pool -n $nosub -a report -d 'Per zone and day: hourly against volumetric CFE, emissions and SCI per GPU-hour'
complete -c gc-pool -n $nosub -s h -l help -d 'Print help and exit'
complete -c gc-pool -n $nosub -s V -l version -d 'Print version and exit'

complete -c gc-pool -n $match -l registry -r -F -d 'Device records (NDJSON, may be zstd-compressed)'
complete -c gc-pool -n $match -l partial -d 'Write per device-hour partial sums for merge'
complete -c gc-pool -n $match -l sorted -d 'Input in hour order: match each hour as it ends'
complete -c gc-pool -n $match -s o -l output -r -F -d 'Write records here'
complete -c gc-pool -n $match -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-pool -n $match -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-pool -n $match -s q -l quiet -d 'No summary line on standard error'
complete -c gc-pool -n $match -l progress -d 'Progress on standard error even when not a terminal'
complete -c gc-pool -n $match -F -d 'Input file'

complete -c gc-pool -n $audit -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-pool -n $audit -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-pool -n $audit -s q -l quiet -d 'No summary line on standard error'
complete -c gc-pool -n $audit -l progress -d 'Progress on standard error even when not a terminal'
complete -c gc-pool -n $audit -F -d 'Matched file'

complete -c gc-pool -n $merge -l registry -r -F -d 'Device records (NDJSON, may be zstd-compressed)'
complete -c gc-pool -n $merge -s o -l output -r -F -d 'Write records here'
complete -c gc-pool -n $merge -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-pool -n $merge -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-pool -n $merge -s q -l quiet -d 'No summary line on standard error'
complete -c gc-pool -n $merge -l progress -d 'Progress on standard error even when not a terminal'
complete -c gc-pool -n $merge -F -d 'Partial file'

complete -c gc-pool -n $report -l intensity -r -F -d 'Grid carbon intensity per zone-hour (intensity records)'
complete -c gc-pool -n $report -s o -l output -r -F -d 'Write records here'
complete -c gc-pool -n $report -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-pool -n $report -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-pool -n $report -s q -l quiet -d 'No summary line on standard error'
complete -c gc-pool -n $report -l progress -d 'Progress on standard error even when not a terminal'
complete -c gc-pool -n $report -F -d 'Matched file'

complete -c gc-pool -n $build -l pools -r -F -d 'Pool definitions (pool.def records)'
complete -c gc-pool -n $build -l registry -r -F -d 'Device records (NDJSON, may be zstd-compressed)'
complete -c gc-pool -n $build -s o -l output -r -F -d 'Write records here'
complete -c gc-pool -n $build -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-pool -n $build -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-pool -n $build -s q -l quiet -d 'No summary line on standard error'
complete -c gc-pool -n $build -l progress -d 'Progress on standard error even when not a terminal'
complete -c gc-pool -n $build -F -d 'Matched file'

complete -c gc-pool -n $prove -l pool -x -d 'The pool'
complete -c gc-pool -n $prove -l hour -x -d 'The hour of the snapshot, RFC 3339 UTC'
complete -c gc-pool -n $prove -l device -x -d 'The member'
complete -c gc-pool -n $prove -s o -l output -r -F -d 'Write records here'
complete -c gc-pool -n $prove -s q -l quiet -d 'No summary line on standard error'
complete -c gc-pool -n $prove -F -d 'Snapshot file'

complete -c gc-pool -n $cosign -s k -l key -r -F -d 'The validator secret key'
complete -c gc-pool -n $cosign -s o -l output -r -F -d 'Write records here'
complete -c gc-pool -n $cosign -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-pool -n $cosign -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-pool -n $cosign -s q -l quiet -d 'No summary line on standard error'
complete -c gc-pool -n $cosign -l progress -d 'Progress on standard error even when not a terminal'
complete -c gc-pool -n $cosign -F -d 'Snapshot file'
