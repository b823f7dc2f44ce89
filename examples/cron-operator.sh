#!/bin/sh
# An asset operator's hourly cron job: fetch what the devices' gateway collected since the last
# run, sign it with the devices' keys, verify it, and archive each day's files compressed.
#
#   7 * * * *  cd /srv/gc && sh examples/cron-operator.sh https://gateway.example/readings
#
#   sh examples/cron-operator.sh URL [FETCH-OPTIONS...]     (e.g. --retries 5)
#
# Run it in a directory that holds keys/ (one key per device, from gc-attest keygen),
# registry.ndjson (the records keygen printed) and, if the gateway wants one, gateway.token
# (mode 0600). It keeps there: fetch.cursor, sign-heads.ndjson, verify-heads.ndjson (state,
# carried from run to run), spool/ (fetched, not yet archived) and archive/DAY/ (per run: the
# readings, attestations and verified records as .zst, and any rejects with their reasons).
#
# Exit status, for cron's mail or your alerting:
#   0    everything fetched was signed and verified
#   65   some records were refused: alert on archive/DAY/*rejects.ndjson (a device, its meter
#        or the path from it is at fault); the good records went on
#   75   the gateway was unavailable, the last run still holds run.lock, or a step finished
#        the commit of a run killed part-way and left the rest to the next run: nothing lost,
#        the next run catches up; alert only when it persists
#   76   the gateway refused the request (the token?)          -- alert
#   77   a key or the token is readable by others              -- alert
#   any other                                                  -- alert
set -u
[ $# -ge 1 ] || { echo "usage: cron-operator.sh URL [FETCH-OPTIONS...]" >&2; exit 64; }
url=$1
shift

# One run at a time: a slow run makes the next one exit 75 instead of racing it.
exec 9>>run.lock
flock -n 9 || { echo "cron-operator: an earlier run still holds run.lock" >&2; exit 75; }

status=0
# keep STATUS: remember the worst exit status; 65 (refusals) ranks below every failure
keep() {
    if [ "$1" -eq 65 ]; then
        [ "$status" -ne 0 ] || status=65
    elif [ "$1" -ne 0 ]; then
        status=$1
    fi
}

# 1. Fetch into the spool. The cursor moves only once the file is written, so a crash here
#    fetches the same readings again next time.
mkdir -p spool archive
run=$(date -u +%Y-%m-%dT%H%M%SZ)-$$
token=""
[ -f gateway.token ] && token="--token-file gateway.token"
# shellcheck disable=SC2086 # $token is one option and its argument, or nothing
gc-attest fetch -q --cursor fetch.cursor $token "$@" -o "spool/$run.ndjson" "$url"
keep $?

# 2. Sign and verify every spooled file, the oldest first, including any an earlier run left.
#    -o writes atomically, so a file in the archive is a finished step: a re-run after a crash
#    skips it rather than signing the same readings twice.
for f in spool/*.ndjson; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .ndjson)
    if [ ! -s "$f" ]; then
        rm -f "$f" # nothing new this hour
        continue
    fi
    day=archive/$(echo "$name" | cut -c1-10)
    mkdir -p "$day"
    if [ ! -e "$day/$name.att.ndjson.zst" ]; then
        gc-attest sign -q --keydir keys --state sign-heads.ndjson \
            --rejects "$day/$name.sign-rejects.ndjson" -o "$day/$name.att.ndjson.zst" "$f"
        rc=$?
        keep $rc
        [ $rc -eq 0 ] || [ $rc -eq 65 ] || continue
    fi
    if [ ! -e "$day/$name.verified.ndjson.zst" ]; then
        gc-verify -q --registry registry.ndjson --state verify-heads.ndjson \
            --rejects "$day/$name.verify-rejects.ndjson" -o "$day/$name.verified.ndjson.zst" \
            "$day/$name.att.ndjson.zst"
        rc=$?
        keep $rc
        [ $rc -eq 0 ] || [ $rc -eq 65 ] || continue
    fi
    # 3. Archive the readings themselves; the spool is empty when all went well.
    zstd -q -f --rm "$f" -o "$day/$name.readings.ndjson.zst" || keep 74
done
# Reject files that stayed empty say nothing; keep only the ones with something in them.
find archive -name '*rejects.ndjson' -size 0 -delete
exit "$status"
