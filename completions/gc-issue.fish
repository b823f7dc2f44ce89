# fish completion for gc-issue

set -l subcommands keygen package transfer pledge release
set -l nosub "not __fish_seen_subcommand_from $subcommands"
set -l keygen "__fish_seen_subcommand_from keygen"
set -l package "__fish_seen_subcommand_from package"
set -l transfer "__fish_seen_subcommand_from transfer"
set -l pledge "__fish_seen_subcommand_from pledge"
set -l release "__fish_seen_subcommand_from release"
set -l moves "__fish_seen_subcommand_from transfer pledge release"
set -l reads "__fish_seen_subcommand_from package transfer pledge release"

complete -c gc-issue -f

complete -c gc-issue -n $nosub -a keygen -d 'Make a key pair for an issuer, holder or lender and print its party record'
complete -c gc-issue -n $nosub -a package -d 'Value the term sheet, test the tranches, write the package and positions'
complete -c gc-issue -n $nosub -a transfer -d 'Move a position, or N of its units, to another holder'
complete -c gc-issue -n $nosub -a pledge -d 'Lock a position to a lender until the lender releases it'
complete -c gc-issue -n $nosub -a release -d 'End a pledge (signed by the lender)'
complete -c gc-issue -n $nosub -s h -l help -d 'Print help and exit'
complete -c gc-issue -n $nosub -s V -l version -d 'Print version and exit'

complete -c gc-issue -n $keygen -s k -l key -r -F -d 'Secret key file to create'
complete -c gc-issue -n $keygen -l id -x -d 'The party id'

complete -c gc-issue -n $package -s k -l key -r -F -d 'The issuer secret key to sign with'
complete -c gc-issue -n $package -l terms -r -F -d 'The term sheet (one terms record)'
complete -c gc-issue -n $package -l validators -r -F -d 'Validator records; snapshots need a quorum'
complete -c gc-issue -n $package -l quorum -x -d 'Signatures of distinct listed validators a snapshot needs'
complete -c gc-issue -n $package -l index -r -F -d 'Index records of gc-amm, for price_source index'
complete -c gc-issue -n $package -F -d 'Snapshot file'

complete -c gc-issue -n $transfer -s k -l key -r -F -d 'The holder secret key to sign with'
complete -c gc-issue -n $transfer -l position -x -d 'The position id (64 hex digits)'
complete -c gc-issue -n $transfer -l to -x -d 'The public key of the new holder'
complete -c gc-issue -n $transfer -l units -x -d 'Move only N units (default: all)'

complete -c gc-issue -n $pledge -s k -l key -r -F -d 'The holder secret key to sign with'
complete -c gc-issue -n $pledge -l position -x -d 'The position id (64 hex digits)'
complete -c gc-issue -n $pledge -l to -x -d 'The public key of the lender'

complete -c gc-issue -n $release -s k -l key -r -F -d 'The lender secret key to sign with'
complete -c gc-issue -n $release -l pledge -x -d 'The pledge id (64 hex digits)'

complete -c gc-issue -n $moves -F -d 'Ownership record file'

complete -c gc-issue -n $reads -s o -l output -r -F -d 'Write records here'
complete -c gc-issue -n $reads -l rejects -r -F -d 'Write bad lines here as reject records'
complete -c gc-issue -n $reads -l max-line-bytes -x -d 'Longest accepted input line'
complete -c gc-issue -n $reads -s q -l quiet -d 'No summary line on standard error'
complete -c gc-issue -n $reads -l progress -d 'Progress on standard error even when not a terminal'
