# fish completion for gc-settle

set -l subcommands period carbon deliver mint burn reserve sign
set -l nosub "not __fish_seen_subcommand_from $subcommands"
set -l period "__fish_seen_subcommand_from period"
set -l carbon "__fish_seen_subcommand_from carbon"
set -l deliver "__fish_seen_subcommand_from deliver"
set -l records "__fish_seen_subcommand_from period carbon mint burn sign"
set -l vault "__fish_seen_subcommand_from mint burn"
set -l burn "__fish_seen_subcommand_from burn"
set -l reserve "__fish_seen_subcommand_from reserve"
set -l keyed "__fish_seen_subcommand_from mint burn reserve sign"
set -l any "__fish_seen_subcommand_from $subcommands"

complete -c gc-settle -f

complete -c gc-settle -n $nosub -a period -d 'Pay the income of a period down the tranche waterfall to the holders of the positions'
complete -c gc-settle -n $nosub -a carbon -d 'Accrue avoided emissions into whole-tonne credits and unclaimed energy into whole-MWh RECs'
complete -c gc-settle -n $nosub -a deliver -d 'POST each ledger record not yet delivered to a URL, under an Idempotency-Key'
complete -c gc-settle -n $nosub -a mint -d 'Draw stablecoin against positions pledged to the reserve'
complete -c gc-settle -n $nosub -a burn -d 'Repay stablecoin, or liquidate unsafe vaults'
complete -c gc-settle -n $nosub -a reserve -d "Print the reserve's signed report"
complete -c gc-settle -n $nosub -a sign -d 'Sign mint.request, burn.request, oracle and loss records'
complete -c gc-settle -n $nosub -s h -l help -d 'Print help and exit'
complete -c gc-settle -n $nosub -s V -l version -d 'Print version and exit'

complete -c gc-settle -n $any -l ledger -r -F -d 'The settlement ledger (created when missing)'
complete -c gc-settle -n "__fish_seen_subcommand_from period mint burn" -l package -r -F -d 'The package record (gc-issue package)'
complete -c gc-settle -n "__fish_seen_subcommand_from period mint burn" -l positions -r -F -d 'The positions of the package and their transfers, pledges and releases'
complete -c gc-settle -n $period -l period -x -d 'START/END, RFC 3339 UTC times'
complete -c gc-settle -n $period -F -d 'Income file'
complete -c gc-settle -n $carbon -l intensity -r -F -d 'Intensity records, g CO2e per kWh by zone-hour'
complete -c gc-settle -n $carbon -F -d 'gc-pool match output'

complete -c gc-settle -n $records -s o -l output -r -F -d 'Write records here'
complete -c gc-settle -n $records -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-settle -n $records -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-settle -n $any -s q -l quiet -d 'No summary line on standard error'
complete -c gc-settle -n $records -l progress -d 'Progress on standard error even when not a terminal'

complete -c gc-settle -n $deliver -l cursor -r -F -d 'Where delivery stands (default LEDGER.cursor)'
complete -c gc-settle -n $deliver -l token-file -r -F -d 'Bearer token, first line of the file (mode 0600)'
complete -c gc-settle -n $deliver -l timeout-s -x -d 'Limit for one attempt, seconds'
complete -c gc-settle -n $deliver -l retries -x -d 'Further attempts on timeouts, 429, 5xx'
complete -c gc-settle -n $deliver -l backoff-ms -x -d 'Wait before the first retry, milliseconds'
complete -c gc-settle -n $deliver -l ca-file -r -F -d 'CA certificates to trust'

complete -c gc-settle -n $vault -l params -r -F -d 'reserve.params records, the reserve'"'"'s terms'
complete -c gc-settle -n $vault -l oracles -r -F -d 'Party records of the keys that sign oracles'
complete -c gc-settle -n $burn -l liquidate -d 'Write off every unsafe vault of the package'
complete -c gc-settle -n $reserve -l at -x -d "The report's time, RFC 3339"
complete -c gc-settle -n $keyed -s k -l key -r -F -d "The reserve's key; sign: the signer's"
complete -c gc-settle -n $reserve -s o -l output -r -F -d 'Write the report here'
