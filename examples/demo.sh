#!/bin/sh
# The gc pipeline so far, on the sample readings in examples/:
#   device keys -> signed attestations -> verified records, every bad line kept with its reason.
#
#   GC_BIN=build/bin sh examples/demo.sh [WORKDIR]
#
# Copy any step into your own scripts: each is one command.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin=${GC_BIN:-$here/../build/bin}
work=${1:-$here/../build/demo}
PATH=$bin:$PATH

rm -rf "$work"
mkdir -p "$work/keys"
chmod 700 "$work/keys"
cd "$work"
work=$(pwd)

say() { printf '\n== %s\n' "$*"; }
count() { grep -c . "$1" || true; }
reasons() { sed -n 's/.*"reason":"\([a-z_]*\)".*/\1/p' "$1" | sort | uniq -c; }

say "1. keygen: one Ed25519 key per device, registry records on standard output"
{
    gc-attest keygen --device pv-001 --class pv --rated-w 5000 --zone de-tennet \
        --geohash u0yj -k keys/pv-001.key
    gc-attest keygen --device wind-001 --class wind --rated-w 20000 --zone de-tennet \
        -k keys/wind-001.key
    gc-attest keygen --device bat-001 --class battery --rated-w 10000 --zone de-tennet \
        --efficiency-bps 9000 -k keys/bat-001.key
    gc-attest keygen --device gpu-001 --class gpu --rated-w 1400 --gpus 2 --zone de-tennet \
        -k keys/gpu-001.key
} >registry.ndjson
cat registry.ndjson

say "2. sign: $(count "$here/readings.ndjson") readings -> attestations (hash-chained per device)"
# Exit 65 means some lines were rejected; they are in sign-rejects.ndjson, the rest went on.
gc-attest sign --keydir keys --state sign-heads.ndjson --rejects sign-rejects.ndjson \
    -o attestations.ndjson.zst "$here/readings.ndjson" || [ $? -eq 65 ]
echo "rejected while signing, by reason:"
reasons sign-rejects.ndjson

say "3. tamper: forge one reading, replay another"
zstd -dcq attestations.ndjson.zst >attestations.ndjson
# Forgery: one more digit of energy in the first attestation that has energy_wh, signature unchanged.
awk '!done && sub(/"energy_wh":[0-9]+/, "&5") { done = 1 } { print }' attestations.ndjson \
    >received.ndjson
# Replay: the 8th attestation arrives twice.
sed -n 8p attestations.ndjson >>received.ndjson

say "4. verify against the registry"
gc-verify --registry registry.ndjson --state verify-heads.ndjson --now 2026-11-02T00:00:00Z \
    --rejects verify-rejects.ndjson -o verified.ndjson received.ndjson || [ $? -eq 65 ]
echo "rejected while verifying, by reason:"
reasons verify-rejects.ndjson

say "5. match: green generation to compute, per zone and UTC hour"
gc-pool match --registry registry.ndjson -o matched.ndjson verified.ndjson
# one line per zone-hour: supply, demand, matched, hourly carbon-free share
sed -n 's/.*"cfe_bps":\([0-9]*\),"demand_wh":\([0-9]*\),"hour":"\([^"]*\)","matched_wh":\([0-9]*\),"supply_wh":\([0-9]*\),"type":"match".*"zone":"\([^"]*\)".*/\6 \3  supply \5 Wh, demand \2 Wh, matched \4 Wh, CFE \1 bps/p' \
    matched.ndjson

say "summary"
printf '%6d readings in\n' "$(count "$here/readings.ndjson")"
printf '%6d signed, %d refused by gc-attest\n' "$(count attestations.ndjson)" \
    "$(count sign-rejects.ndjson)"
printf '%6d verified, %d refused by gc-verify\n' "$(count verified.ndjson)" \
    "$(count verify-rejects.ndjson)"
printf '%6d allocations, %d certificates, %d zone-hours matched\n' \
    "$(grep -c '"type":"allocation"' matched.ndjson)" \
    "$(grep -c '"type":"certificate"' matched.ndjson)" "$(grep -c '"type":"match"' matched.ndjson)"
echo "files are in $work; each reject record keeps the original line in 'input'"
