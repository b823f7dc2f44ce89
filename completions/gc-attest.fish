# fish completion for gc-attest

set -l subcommands keygen sign import fetch receipt open
set -l nosub "not __fish_seen_subcommand_from $subcommands"
set -l keygen "__fish_seen_subcommand_from keygen"
set -l sign "__fish_seen_subcommand_from sign"
set -l import "__fish_seen_subcommand_from import"
set -l fetch "__fish_seen_subcommand_from fetch"
set -l receipt "__fish_seen_subcommand_from receipt"
set -l open "__fish_seen_subcommand_from open"

complete -c gc-attest -f

complete -c gc-attest -n $nosub -a keygen -d 'Write a new secret key and print the device record'
complete -c gc-attest -n $nosub -a sign -d 'Sign readings into attestations'
complete -c gc-attest -n $nosub -a import -d 'Turn telemetry exports into readings'
complete -c gc-attest -n $nosub -a fetch -d 'Get readings over HTTP'
complete -c gc-attest -n $nosub -a receipt -d 'Sign a task receipt committing to the Merkle root of its chunks'
complete -c gc-attest -n $nosub -a open -d 'Answer challenge records with the challenged chunks and their proofs'
complete -c gc-attest -n $nosub -s h -l help -d 'Print help and exit'
complete -c gc-attest -n $nosub -s V -l version -d 'Print version and exit'

complete -c gc-attest -n $keygen -s k -l key -r -F -d 'Secret key file to create'
complete -c gc-attest -n $keygen -l device -x -d 'Device id'
complete -c gc-attest -n $keygen -l class -x -a 'pv wind hydro battery gpu asic charger' -d 'Device class'
complete -c gc-attest -n $keygen -l rated-w -x -d 'Rated power in watts'
complete -c gc-attest -n $keygen -l zone -x -d 'Grid zone id'
complete -c gc-attest -n $keygen -l geohash -x -d 'Location of the device'
complete -c gc-attest -n $keygen -l gpus -x -d 'GPUs behind the meter (gpu class)'
complete -c gc-attest -n $keygen -l efficiency-bps -x -d 'Round-trip efficiency (battery class)'
complete -c gc-attest -n $keygen -l owner -x -d 'Owner id'

complete -c gc-attest -n $sign -l keydir -x -a '(__fish_complete_directories (commandline -ct))' -d 'Directory of the device keys'
complete -c gc-attest -n $sign -l state -r -F -d 'Chain heads, carried from run to run'
complete -c gc-attest -n $sign -s j -l jobs -x -d 'Sign on N threads (0: one per core)'
complete -c gc-attest -n $sign -s o -l output -r -F -d 'Write records here'
complete -c gc-attest -n $sign -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-attest -n $sign -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-attest -n $sign -s q -l quiet -d 'No summary line on standard error'
complete -c gc-attest -n $sign -l progress -d 'Progress on standard error even when not a terminal'
complete -c gc-attest -n $sign -F -d 'Input file'

complete -c gc-attest -n $import -l format -x -a 'nvidia-smi dcgm csv' -d 'Format of the input'
complete -c gc-attest -n $import -l device -x -d 'Device id prefix'
complete -c gc-attest -n $import -l period-s -x -d 'Period length, divides 3600'
complete -c gc-attest -n $import -l tz -x -a 'Z UTC' -d 'UTC offset of local timestamps'
complete -c gc-attest -n $import -l max-gap-s -x -d 'Longest gap bridged between samples'
complete -c gc-attest -n $import -l map -x -d 'csv: the columns to read (ts=COL,device=COL,energy_wh=COL)'
complete -c gc-attest -n $import -l counter -d 'csv: the energy column is a cumulative register'
complete -c gc-attest -n $import -s o -l output -r -F -d 'Write records here'
complete -c gc-attest -n $import -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-attest -n $import -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-attest -n $import -s q -l quiet -d 'No summary line on standard error'
complete -c gc-attest -n $import -l progress -d 'Progress on standard error even when not a terminal'
complete -c gc-attest -n $import -F -d 'Input file'

complete -c gc-attest -n $fetch -l cursor -r -F -d 'Per URL, the last reading time; fetch from there'
complete -c gc-attest -n $fetch -l since-param -x -d 'Query parameter carrying the cursor time'
complete -c gc-attest -n $fetch -l token-file -r -F -d 'Bearer token, first line of the file (mode 0600)'
complete -c gc-attest -n $fetch -l timeout-s -x -d 'Limit for one attempt, in seconds'
complete -c gc-attest -n $fetch -l retries -x -d 'Further attempts on timeouts, 429, 5xx'
complete -c gc-attest -n $fetch -l backoff-ms -x -d 'Wait before the first retry, milliseconds'
complete -c gc-attest -n $fetch -l ca-file -r -F -d 'CA certificates to trust'
complete -c gc-attest -n $fetch -l max-bytes -x -d 'Largest response accepted'
complete -c gc-attest -n $fetch -l format -x -a 'nvidia-smi dcgm csv' -d 'Format of the response, imported'
complete -c gc-attest -n $fetch -l device -x -d 'Device id prefix'
complete -c gc-attest -n $fetch -l period-s -x -d 'Period length, divides 3600'
complete -c gc-attest -n $fetch -l tz -x -a 'Z UTC' -d 'UTC offset of local timestamps'
complete -c gc-attest -n $fetch -l max-gap-s -x -d 'Longest gap bridged between samples'
complete -c gc-attest -n $fetch -l map -x -d 'csv: the columns to read (ts=COL,device=COL,energy_wh=COL)'
complete -c gc-attest -n $fetch -l counter -d 'csv: the energy column is a cumulative register'
complete -c gc-attest -n $fetch -s o -l output -r -F -d 'Write records here'
complete -c gc-attest -n $fetch -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-attest -n $fetch -s q -l quiet -d 'No summary line on standard error'
complete -c gc-attest -n $fetch -l progress -d 'Progress on standard error even when not a terminal'

complete -c gc-attest -n $receipt -s k -l key -r -F -d 'The device secret key to sign with'
complete -c gc-attest -n $receipt -l task -x -d 'The task the work was done for'
complete -c gc-attest -n $receipt -l chunks -r -F -d 'SHA-256 hashes of the result chunks, one per line'
complete -c gc-attest -n $receipt -l started-at -x -d 'When the work started, RFC 3339 UTC'
complete -c gc-attest -n $receipt -l ended-at -x -d 'When the work ended, RFC 3339 UTC'
complete -c gc-attest -n $receipt -l gpu-s -x -d 'GPU-seconds the work took'
complete -c gc-attest -n $receipt -l energy-wh -x -d 'Energy the work took'
complete -c gc-attest -n $receipt -s o -l output -r -F -d 'Write records here'

complete -c gc-attest -n $open -s k -l key -r -F -d 'The device secret key to sign with'
complete -c gc-attest -n $open -l chunks -r -F -d 'SHA-256 hashes of the result chunks, one per line'
complete -c gc-attest -n $open -s o -l output -r -F -d 'Write records here'
complete -c gc-attest -n $open -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-attest -n $open -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-attest -n $open -s q -l quiet -d 'No summary line on standard error'
complete -c gc-attest -n $open -l progress -d 'Progress on standard error even when not a terminal'
complete -c gc-attest -n $open -F -d 'Challenge file'
