#!/bin/sh
# Sign, verify and match on GNU parallel: past one process, and past one host, with the same
# bytes out as one process per step would write.
#
#   sh examples/scale-out.sh [-j JOBS] [-b BLOCK] [-S SSHLOGIN] [-n SHARDS] \
#       KEYDIR REGISTRY READINGS NOW OUTDIR
#
# KEYDIR holds a key per device (gc-attest keygen), REGISTRY their records, READINGS the
# readings (NDJSON), NOW the present for gc-verify --now. OUTDIR gets attestations.ndjson,
# verified.ndjson and matched.ndjson, the rejects of each step (*-rejects.ndjson) and, in
# OUTDIR/state, the chain heads carried from run to run.
#
#   -j JOBS     processes at once (default: one per core)
#   -b BLOCK    bytes per block for parallel --pipe (default 1M)
#   -S LOGIN    GNU parallel's --sshlogin, e.g. ':,4/host1,4/host2' (':' is this host); the gc
#               programs must be on each host's PATH and KEYDIR, REGISTRY and OUTDIR/state on a
#               file system every host sees at the same path
#   -n SHARDS   signing shards (default 8); fixed for an OUTDIR, as each keeps its own heads
#
# What runs where:
#   sign    sharded by device: a device's chain is one shard's, signed by one process against
#           that shard's heads (OUTDIR/state/sign-K.ndjson). Shard K takes the devices whose
#           name hashes to K, so a device always lands in the same one. The shards' records
#           are put back in input order, their rejects renumbered as one run would number them.
#   verify  parallel --pipe -k: gc-verify --partial checks each block's signatures, anywhere,
#           and gc-verify merge judges the chains once, in order, against OUTDIR/state/
#           verify.ndjson (gc-verify(1), "Scale-out").
#   match   parallel --pipe -k: gc-pool match --partial sums each block's device-hours and
#           gc-pool merge matches them once (gc-pool(1), "Merging").
#   Settlement (gc-settle period, mint, burn) never runs sharded: it moves money against one
#   ledger, once, from these outputs.
#
# Exit status: 0, or 65 when a step refused records (see OUTDIR/*-rejects.ndjson; the good ones
# went on), or the first other failure.
set -u
usage() {
    echo "usage: scale-out.sh [-j JOBS] [-b BLOCK] [-S SSHLOGIN] [-n SHARDS] KEYDIR REGISTRY READINGS NOW OUTDIR" >&2
    exit 64
}
jobs=$(nproc 2>/dev/null || echo 2) block=1M login='' shards=8
while getopts j:b:S:n: opt; do
    case $opt in
    j) jobs=$OPTARG ;;
    b) block=$OPTARG ;;
    S) login=$OPTARG ;;
    n) shards=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 5 ] || usage
keydir=$1 registry=$2 readings=$3 now=$4 out=$5
case $shards in '' | *[!0-9]* | 0) usage ;; esac

status=0
# keep RC STEP: remember the worst exit status; 65 (refusals) ranks below every failure
keep() {
    case $1 in
    0) ;;
    65) [ "$status" -ne 0 ] || status=65 ;;
    *)
        echo "scale-out: $2 failed (exit $1)" >&2
        exit "$1"
        ;;
    esac
}
# The parallel options every step shares; across hosts each job runs in the same directory.
set -- -j "$jobs"
[ -z "$login" ] || set -- "$@" --sshlogin "$login" --workdir "$PWD"

mkdir -p "$out/state" "$out/shards" || exit 73
# A device's heads live in one shard's file: another shard count would fork its chain.
if [ -f "$out/state/shards" ]; then
    [ "$(cat "$out/state/shards")" = "$shards" ] || {
        echo "scale-out: $out/state holds $(cat "$out/state/shards") signing shards, not $shards" >&2
        exit 64
    }
else
    echo "$shards" >"$out/state/shards"
fi
rm -f "$out"/shards/*

# ---- sign, sharded by device ----
# Each line goes to its device's shard with its line number and byte offset in READINGS (in
# idx-K); blank lines are skipped as gc-attest skips them, and a line without a device goes to
# shard 0, which rejects it as one run would.
LC_ALL=C awk -v n="$shards" -v dir="$out/shards" '
BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
{
    at = off
    off += length($0) + 1
    if ($0 ~ /^[ \t\r]*$/) next
    k = 0
    if (match($0, /"device"[ \t]*:[ \t]*"[^"]*"/)) {
        dev = substr($0, RSTART, RLENGTH)
        sub(/^"device"[ \t]*:[ \t]*"/, "", dev)
        h = 0
        for (i = 1; i < length(dev); i++) h = (h * 31 + ord[substr(dev, i, 1)]) % 65521
        k = h % n
    }
    print > (dir "/in-" k)
    print NR "\t" at > (dir "/idx-" k)
}' "$readings" || exit 70
: >"$out/shards/jobs"
k=0
while [ "$k" -lt "$shards" ]; do
    [ ! -f "$out/shards/in-$k" ] || echo "$k" >>"$out/shards/jobs"
    k=$((k + 1))
done
# Each shard: its attestations, its rejects, and its exit status (65 is not a failure here).
parallel "$@" "gc-attest sign -q --keydir '$keydir' --state '$out/state/sign-{}.ndjson' \
    --rejects '$out/shards/rej-{}' -o '$out/shards/out-{}' <'$out/shards/in-{}'; \
    echo \$? >'$out/shards/rc-{}'" <"$out/shards/jobs"
while read -r k; do
    rc=$(cat "$out/shards/rc-$k" 2>/dev/null || echo 70)
    keep "$rc" "gc-attest sign (shard $k)"
    # The input order of the accepted lines: idx-K without the lines the shard rejected.
    LC_ALL=C awk -F '\t' 'FILENAME == ARGV[1] { if (match($0, /,"line":[0-9]+,/)) bad[substr($0, RSTART + 8, RLENGTH - 9)] = 1; next }
        !(FNR in bad) { print $1 }' "$out/shards/rej-$k" "$out/shards/idx-$k" |
        paste - "$out/shards/out-$k" >"$out/shards/ord-$k"
    # Rejects, renumbered to READINGS's lines and offsets.
    LC_ALL=C awk -F '\t' 'FILENAME == ARGV[1] { line[FNR] = $1; at[FNR] = $2; next }
        match($0, /,"line":[0-9]+,"offset":[0-9]+,/) {
            s = substr($0, RSTART, RLENGTH); sub(/^,"line":/, "", s); sub(/,.*/, "", s)
            print line[s] "\t" substr($0, 1, RSTART - 1) ",\"line\":" line[s] ",\"offset\":" at[s] "," substr($0, RSTART + RLENGTH)
        }' "$out/shards/idx-$k" "$out/shards/rej-$k" >"$out/shards/rord-$k"
done <"$out/shards/jobs"
restore() { # SRC DEST: merge the shards' SRC-K files by input line, drop the line numbers
    find "$out/shards" -name "$1-*" -exec env LC_ALL=C sort -m -n -t "$(printf '\t')" -k 1,1 {} + |
        cut -f 2- >"$2.tmp" && mv "$2.tmp" "$2"
}
restore ord "$out/attestations.ndjson" || exit 74
restore rord "$out/sign-rejects.ndjson" || exit 74

# ---- verify: signatures in blocks anywhere, chains once ----
# The blocks' verdicts go to a file, not a pipe, so that a failed block is seen as such.
parallel "$@" --pipe -k --block "$block" gc-verify --partial -q --registry "$registry" \
    --now "$now" <"$out/attestations.ndjson" >"$out/shards/verify.partial"
keep $? "gc-verify --partial"
gc-verify merge -q --state "$out/state/verify.ndjson" --rejects "$out/verify-rejects.ndjson" \
    -o "$out/verified.ndjson" "$out/shards/verify.partial"
keep $? "gc-verify merge"

# ---- match: device-hours in blocks anywhere, matched once ----
parallel "$@" --pipe -k --block "$block" gc-pool match --partial -q --registry "$registry" \
    <"$out/verified.ndjson" >"$out/shards/match.partial"
keep $? "gc-pool match --partial"
gc-pool merge -q --registry "$registry" --rejects "$out/match-rejects.ndjson" \
    -o "$out/matched.ndjson" "$out/shards/match.partial"
keep $? "gc-pool merge"
exit "$status"
