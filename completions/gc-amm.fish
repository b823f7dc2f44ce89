# fish completion for gc-amm

set -l subcommands run quote index simulate
set -l nosub "not __fish_seen_subcommand_from $subcommands"
set -l run "__fish_seen_subcommand_from run"
set -l quote "__fish_seen_subcommand_from quote"
set -l index "__fish_seen_subcommand_from index"
set -l simulate "__fish_seen_subcommand_from simulate"

complete -c gc-amm -f

complete -c gc-amm -n $nosub -a run -d 'Apply market events to the markets in the state file'
complete -c gc-amm -n $nosub -a quote -d 'Price a trade without making it'
complete -c gc-amm -n $nosub -a index -d 'The time-weighted average price of each market'
complete -c gc-amm -n $nosub -a simulate -d 'Generate a seeded scenario of supply and buyers and run it'
complete -c gc-amm -n $nosub -s h -l help -d 'Print help and exit'
complete -c gc-amm -n $nosub -s V -l version -d 'Print version and exit'

complete -c gc-amm -n $run -l state -r -F -d 'The markets, carried from run to run'
complete -c gc-amm -n $run -l now -x -a '(date -u +%Y-%m-%dT%H:%M:%SZ)' -d 'The time of events without a ts, RFC 3339 UTC'
complete -c gc-amm -n $run -s o -l output -r -F -d 'Write records here'
complete -c gc-amm -n $run -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-amm -n $run -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-amm -n $run -s q -l quiet -d 'No summary line on standard error'
complete -c gc-amm -n $run -l progress -d 'Progress on standard error even when not a terminal'
complete -c gc-amm -n $run -F -d 'Event file'

complete -c gc-amm -n $quote -l state -r -F -d 'The markets'
complete -c gc-amm -n $quote -l market -x -d 'The market'
complete -c gc-amm -n $quote -l buy -x -d 'Buy N GPU-seconds'
complete -c gc-amm -n $quote -l sell -x -d 'Sell N GPU-seconds'
complete -c gc-amm -n $quote -l now -x -a '(date -u +%Y-%m-%dT%H:%M:%SZ)' -d 'The time to price at, RFC 3339 UTC'
complete -c gc-amm -n $quote -s o -l output -r -F -d 'Write records here'

complete -c gc-amm -n $index -l state -r -F -d 'The markets'
complete -c gc-amm -n $index -l now -x -a '(date -u +%Y-%m-%dT%H:%M:%SZ)' -d 'The time to price at, RFC 3339 UTC'
complete -c gc-amm -n $index -l pool -x -d 'Only the markets of this pool'
complete -c gc-amm -n $index -s o -l output -r -F -d 'Write records here'

complete -c gc-amm -n $simulate -l seed -x -d 'The random seed'
complete -c gc-amm -n $simulate -l hours -x -d 'Delivery hours to run (1 to 8760)'
complete -c gc-amm -n $simulate -l curve -x -a 'ys cp' -d 'The curve'
complete -c gc-amm -n $simulate -l supply -r -F -d 'Pool snapshots (gc-pool build) as the supply'
complete -c gc-amm -n $simulate -l demand -x -d 'Buyers per market'
complete -c gc-amm -n $simulate -l start -x -d 'The first delivery hour, RFC 3339 UTC'
complete -c gc-amm -n $simulate -l tsv -d 'One table row per hour instead of records'
complete -c gc-amm -n $simulate -s o -l output -r -F -d 'Write records here'
