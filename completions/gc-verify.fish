# fish completion for gc-verify

complete -c gc-verify -s h -l help -d 'Print help and exit'
complete -c gc-verify -s V -l version -d 'Print version and exit'
complete -c gc-verify -l registry -r -F -d 'Device records (NDJSON, may be zstd-compressed)'
complete -c gc-verify -l state -r -F -d 'Chain heads, carried from run to run'
complete -c gc-verify -l now -x -a '(date -u +%Y-%m-%dT%H:%M:%SZ)' -d 'The present, RFC 3339 UTC'
complete -c gc-verify -l slack-bps -x -d 'Tolerance above rated power in basis points'
complete -c gc-verify -s o -l output -r -F -d 'Write records here'
complete -c gc-verify -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-verify -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-verify -s q -l quiet -d 'No summary line on standard error'
complete -c gc-verify -l progress -d 'Progress on standard error even when not a terminal'
