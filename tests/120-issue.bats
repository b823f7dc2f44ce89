#!/usr/bin/env bats
# gc-issue: a package valued over co-signed pool snapshots and a gc-amm index, its tranches and
# positions, and the transfers, pledges and releases gc-verify replays. The fixtures come from
# tests/fixtures/issue/make.sh: real keys, signed readings, snapshots, a closed market's index.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
    W=$BATS_FILE_TMPDIR
    IX=$FIX/issue
    copy_keys "$IX/keys" "$W/keys"
    gc-issue package -q --terms "$IX/terms.ndjson" -k "$W/keys/issuer.key" \
        --validators "$IX/validators.ndjson" --quorum 2 --index "$IX/index.ndjson" \
        "$IX/snapshots.ndjson" >"$W/issue.ndjson"
    export W IX
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
}

# pk PARTY: the party's public key.
pk() {
    jq -r --arg p "$1" 'select(.party == $p).pubkey' "$IX/parties.ndjson"
}

# pos N: the id of the position issued for subscription N.
pos() {
    jq -r --argjson n "$1" 'select(.type == "position" and .subscription == $n).position' "$W/issue.ndjson"
}

# package ARGS...: gc-issue package over the fixtures with a term sheet given as a file.
package() {
    gc-issue package -k "$W/keys/issuer.key" --validators "$IX/validators.ndjson" --quorum 2 "$@"
}

# terms_with JQ: the fixture term sheet changed by a jq filter.
terms_with() {
    jq -c "$1" "$IX/terms.ndjson" >terms.ndjson
}

@test "package: the golden package and positions, byte for byte" {
    cmp "$W/issue.ndjson" "$IX/package.golden.ndjson"
    run jq -r .type "$W/issue.ndjson"
    assert_output "$(printf 'package\nposition\nposition\nposition\nposition\nposition')"
}

@test "package: NAV, tranche sizes and units recomputed by hand from the inputs" {
    # Python recomputes everything from the fixture files alone: the window's snapshots, the
    # index, the ray rate, Maker's rpow, the tranche shares, largest-remainder units.
    python3 - "$IX" "$W/issue.ndjson" <<'PY'
import json, sys
from datetime import datetime, timezone
ix, out = sys.argv[1], sys.argv[2]
rd = lambda p: [json.loads(l) for l in open(p) if l.strip()]
terms = rd(ix + "/terms.ndjson")[0]
pkg, *positions = rd(out)
t = lambda s: int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
start, end, win = t(terms["start"]), t(terms["end"]), terms["window_h"]
used = [s for s in rd(ix + "/snapshots.ndjson") if start - win * 3600 <= t(s["hour"]) < start]
assert len(used) == 6 and "2026-11-01T17:00:00Z" not in [s["hour"] for s in used]
gpu_s = sum(s["green_gpu_s"] for s in used) // win
assert gpu_s == (14400 + 14400 + 10800 + 7200 + 3600 + 1800) // 6 == 8700 == pkg["gpu_s_per_hour"]
price = rd(ix + "/index.ndjson")[0]["twap_micros"]
assert price == pkg["price_micros"] == pkg["price_index"]["twap_micros"]
cash = gpu_s * price // 3600 * terms["utilization_bps"] // 10000
cash = cash * (10000 - terms["servicer_fee_bps"]) // 10000
assert cash == pkg["cash_micros_per_hour"], (cash, pkg["cash_micros_per_hour"])
RAY = 10**27
rate = RAY + RAY // 10000 * terms["discount_bps"] // 31536000
assert str(rate) == pkg["rate_per_second_ray"]
def rpow(x, n):  # MakerDAO's rpow: square and multiply, each product rounded half up
    z = x if n % 2 else RAY
    n //= 2
    while n:
        x = (x * x + RAY // 2) // RAY
        if n % 2:
            z = (z * x + RAY // 2) // RAY
        n //= 2
    return z
hours = (end - start) // 3600
nav = sum(cash * RAY // rpow(rate, 3600 * h) for h in range(1, hours + 1))
assert nav == pkg["nav_micros"], (nav, pkg["nav_micros"])
assert pkg["undiscounted_micros"] == cash * 168 and nav < cash * 168
tr = {x["tranche"]: x for x in pkg["tranches"]}
assert [x["tranche"] for x in pkg["tranches"]] == ["senior", "mezzanine", "junior"]
for name, share in (("senior", 6000), ("mezzanine", 2000), ("junior", 1200)):
    assert tr[name]["size_micros"] == nav * share // 10000, name
total = sum(x["size_micros"] for x in pkg["tranches"])
assert total <= nav * (10000 - 500) // 10000                       # over_nav
assert tr["junior"]["size_micros"] * 10000 >= total * 1000           # junior_share
assert nav * 10000 >= 12500 * tr["senior"]["size_micros"]            # oc_test, senior
assert nav * 10000 >= 11000 * (tr["senior"]["size_micros"] + tr["mezzanine"]["size_micros"])
# The senior tranche is oversubscribed: its size split by largest remainder over the amounts.
subs = [s for s in terms["subscriptions"] if s["tranche"] == "senior"]
size, amounts = tr["senior"]["size_micros"], [s["amount_micros"] for s in subs]
base = [size * a // sum(amounts) for a in amounts]
rem = [size * a % sum(amounts) for a in amounts]
for i in sorted(range(len(subs)), key=lambda i: (-rem[i], i))[: size - sum(base)]:
    base[i] += 1
got = [p["units"] for p in positions if p["tranche"] == "senior"]
assert got == base and sum(got) == size == tr["senior"]["units"], (got, base)
# The others are undersubscribed: units are the amounts.
assert [p["units"] for p in positions if p["tranche"] != "senior"] == [40000000, 25000000]
assert tr["mezzanine"]["units"] == 40000000 and tr["junior"]["units"] == 25000000
PY
}

@test "package: the collateral root is the RFC 9162 root over the snapshot hashes" {
    python3 - "$IX/snapshots.ndjson" "$W/issue.ndjson" <<'PY'
import hashlib, json, sys
from datetime import datetime
snaps = [json.loads(l) for l in open(sys.argv[1])]
pkg = json.loads(open(sys.argv[2]).readline())
canon = lambda o: json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
h = lambda b: hashlib.sha256(b).digest()
used = [s for s in snaps if s["hour"] >= "2026-11-01T18:00:00Z"]
hashes = [h(canon({k: v for k, v in s.items() if k != "sigs"})) for s in used]
assert [bytes.fromhex(x["snapshot"]) for x in pkg["snapshots"]] == hashes
def root(leaves):
    if len(leaves) == 1:
        return h(b"\x00" + leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return h(b"\x01" + root(leaves[:k]) + root(leaves[k:]))
assert root(hashes).hex() == pkg["collateral_root"]
PY
}

@test "package: a junior tranche below the minimum share is refused, naming the test" {
    terms_with '(.tranches[] | select(.tranche == "junior") | .share_bps) = 500'
    run -65 package --terms terms.ndjson --index "$IX/index.ndjson" -o out.ndjson "$IX/snapshots.ndjson"
    assert_output --partial "the package is refused: junior_share: tranche 'junior' is less than 1000 bps"
    assert_file_not_exists out.ndjson
}

@test "package: tranches over the NAV less the haircut, and a failed OC test, are refused" {
    terms_with '(.tranches[] | select(.tranche == "senior") | .share_bps) = 7000'
    run -65 package --terms terms.ndjson --index "$IX/index.ndjson" "$IX/snapshots.ndjson"
    assert_output --partial "refused: over_nav"
    terms_with '(.tranches[] | select(.tranche == "senior") | .min_oc_bps) = 17000'
    run -65 package --terms terms.ndjson --index "$IX/index.ndjson" "$IX/snapshots.ndjson"
    assert_output --partial "refused: oc_test: tranche 'senior'"
}

@test "package: snapshots without a quorum are rejected and no package is made" {
    run -65 gc-issue package -k "$W/keys/issuer.key" --terms "$IX/terms.ndjson" \
        --validators "$IX/validators.ndjson" --quorum 3 --index "$IX/index.ndjson" \
        --rejects rej.ndjson -o out.ndjson "$IX/snapshots.ndjson"
    assert_output --partial "no package: 7 snapshot(s) rejected"
    [ "$(reasons rej.ndjson | sort -u)" = no_quorum ]
    [ ! -s out.ndjson ]
}

@test "package: the price comes from the index or is fixed, and must be found" {
    run -64 package --terms "$IX/terms.ndjson" "$IX/snapshots.ndjson"
    assert_output --partial "give --index"
    terms_with '.price_source = "fixed" | .price_micros = 2000000'
    run -64 package --terms terms.ndjson --index "$IX/index.ndjson" "$IX/snapshots.ndjson"
    run -0 package -q --terms terms.ndjson -o fixed.ndjson "$IX/snapshots.ndjson"
    [ "$(head -n 1 fixed.ndjson | jq '[.price_micros, has("price_index")]' -c)" = '[2000000,false]' ]
    # An index older than the window prices nothing.
    terms_with '.start = "2026-11-02T06:00:00Z" | .end = "2026-11-03T06:00:00Z"'
    run -65 package --terms terms.ndjson --index "$IX/index.ndjson" "$IX/snapshots.ndjson"
    assert_output --partial "(no_price)"
    # The key must be the issuer's.
    run -65 gc-issue package -k "$W/keys/alice.key" --terms "$IX/terms.ndjson" \
        --validators "$IX/validators.ndjson" --quorum 2 --index "$IX/index.ndjson" "$IX/snapshots.ndjson"
    assert_output --partial "the key is 'alice', the terms name the issuer 'issuer'"
}

@test "gc-verify: the package and positions pass; an edited or forged one does not" {
    run -0 gc-verify "$W/issue.ndjson"
    assert_output "$(cat "$W/issue.ndjson")"$'\n'"gc-verify: 6 in, 6 out, 0 rejected"
    # The NAV raised by one micro: the valuation no longer follows from its inputs.
    jq -c 'if .type == "package" then .nav_micros += 1 else . end' "$W/issue.ndjson" >edited.ndjson
    run -65 gc-verify -q --rejects rej.ndjson edited.ndjson
    [ "$(reasons rej.ndjson | paste -sd' ')" = "bad_valuation unknown_package unknown_package unknown_package unknown_package unknown_package" ]
    # A position re-issued with more units, its id recomputed, signed by someone else.
    jq -c 'select(.type == "position" and .subscription == 3) | .units += 1' "$W/issue.ndjson" >more.ndjson
    run -65 gc-verify -q --rejects rej.ndjson "$W/issue.ndjson" more.ndjson
    [ "$(reasons rej.ndjson)" = bad_id ]
}

# transfer KEY POSITION TO [UNITS] FILES...: a transfer of KEY's position.
transfer() {
    local key=$1 position=$2 to=$3
    shift 3
    gc-issue transfer -q -k "$W/keys/$key.key" --position "$position" --to "$(pk "$to")" "$@"
}

@test "transfers: a chain alice -> bob (partial) -> carol verifies and conserves units" {
    transfer alice "$(pos 0)" bob --units 1000003 "$W/issue.ndjson" >t1.ndjson
    run jq -r .type t1.ndjson
    assert_output "$(printf 'transfer\nposition\nposition')"
    held=$(jq -r 'select(.type == "position" and .subscription == 0).units' "$W/issue.ndjson")
    [ "$(jq -s '[.[] | select(.type == "position") | .units] | add' t1.ndjson)" -eq "$held" ]
    [ "$(jq -r 'select(.output == 0).units' t1.ndjson)" -eq 1000003 ]
    [ "$(jq -r 'select(.output == 1).holder' t1.ndjson)" = "$(pk alice)" ]
    to_bob=$(jq -r 'select(.output == 0).position' t1.ndjson)
    transfer bob "$to_bob" carol "$W/issue.ndjson" t1.ndjson >t2.ndjson
    [ "$(jq -c 'select(.type == "position") | [.holder, .units, .output]' t2.ndjson)" = "[\"$(pk carol)\",1000003,0]" ]
    run -0 gc-verify -q "$W/issue.ndjson" t1.ndjson t2.ndjson
    [ "${#lines[@]}" -eq 11 ]
    # Live positions of the senior tranche still add up to its units.
    cat "$W/issue.ndjson" t1.ndjson t2.ndjson | jq -s '
        [.[] | select(.type == "transfer") | .position] as $spent
        | [.[] | select(.type == "position" and .tranche == "senior")
               | select(.position as $p | $spent | index($p) | not) | .units] | add' >live.txt
    [ "$(cat live.txt)" -eq "$(head -n 1 "$W/issue.ndjson" | jq '.tranches[0].units')" ]
}

@test "transfers: a position consumed twice is a double spend" {
    transfer alice "$(pos 0)" bob "$W/issue.ndjson" >t1.ndjson
    # gc-issue refuses once it sees the first transfer ...
    run -65 transfer alice "$(pos 0)" carol "$W/issue.ndjson" t1.ndjson
    assert_output --partial "no transfer: double_spend"
    # ... but a holder who hides it can sign a second one; gc-verify sees both.
    transfer alice "$(pos 0)" carol "$W/issue.ndjson" >t1b.ndjson
    run -65 gc-verify -q --rejects rej.ndjson "$W/issue.ndjson" t1.ndjson t1b.ndjson
    [ "$(reasons rej.ndjson | paste -sd' ')" = "double_spend unknown_transfer" ]
    [ "$(jq -r .input rej.ndjson | head -n 1)" = "$(head -n 1 t1b.ndjson)" ]
    # The same transfer twice is a replay, not a second spend.
    run -65 gc-verify -q --rejects rej.ndjson "$W/issue.ndjson" t1.ndjson t1.ndjson
    [ "$(reasons rej.ndjson | paste -sd' ')" = "replay replay" ]
}

@test "pledges: a pledged position cannot move until the lender releases it" {
    transfer bob "$(pos 1)" alice --units 5 "$W/issue.ndjson" >t0.ndjson
    gc-issue pledge -q -k "$W/keys/bob.key" --position "$(pos 3)" --to "$(pk lender)" "$W/issue.ndjson" >p1.ndjson
    run -65 transfer bob "$(pos 3)" carol "$W/issue.ndjson" p1.ndjson
    assert_output --partial "no transfer: pledged"
    # Signed without the pledge in view: gc-verify refuses it with the pledge in the stream.
    transfer bob "$(pos 3)" carol "$W/issue.ndjson" >t1.ndjson
    run -65 gc-verify -q --rejects rej.ndjson "$W/issue.ndjson" p1.ndjson t1.ndjson
    [ "$(reasons rej.ndjson | head -n 1)" = pledged ]
    # A second pledge of it is refused too; only the lender can release it.
    gc-issue pledge -q -k "$W/keys/bob.key" --position "$(pos 3)" --to "$(pk alice)" "$W/issue.ndjson" >p2.ndjson
    run -65 gc-verify -q --rejects rej.ndjson "$W/issue.ndjson" p1.ndjson p2.ndjson
    [ "$(reasons rej.ndjson)" = pledged ]
    pledge=$(jq -r .pledge p1.ndjson)
    run -65 gc-issue release -k "$W/keys/bob.key" --pledge "$pledge" "$W/issue.ndjson" p1.ndjson
    assert_output --partial "not_holder"
    gc-issue release -q -k "$W/keys/lender.key" --pledge "$pledge" "$W/issue.ndjson" p1.ndjson >r1.ndjson
    run -0 gc-verify -q "$W/issue.ndjson" p1.ndjson r1.ndjson t1.ndjson
    run -65 gc-verify -q --rejects rej.ndjson "$W/issue.ndjson" p1.ndjson r1.ndjson r1.ndjson
    [ "$(reasons rej.ndjson)" = replay ]
}

@test "transfers: a forged holder signature, or a transfer by someone else, is refused" {
    transfer alice "$(pos 0)" bob "$W/issue.ndjson" >t1.ndjson
    # The receiver changed after alice signed.
    jq -c --arg c "$(pk carol)" 'if .type == "transfer" then .to = $c else . end' t1.ndjson | head -n 1 >forged.ndjson
    run -65 gc-verify -q --rejects rej.ndjson "$W/issue.ndjson" forged.ndjson
    [ "$(reasons rej.ndjson)" = bad_signature ]
    # carol cannot move alice's position with her own key ...
    run -65 transfer carol "$(pos 0)" carol "$W/issue.ndjson"
    assert_output --partial "not_holder"
    # ... nor by naming herself as the sender of a record she signed.
    head -n 1 t1.ndjson | jq -c --arg c "$(pk carol)" 'del(.sig) | .from = $c' >unsigned.ndjson
    run -65 gc-verify -q --rejects rej.ndjson "$W/issue.ndjson" unsigned.ndjson
    [ "$(reasons rej.ndjson)" = bad_field ]
    head -n 1 t1.ndjson | jq -c --arg c "$(pk carol)" '.from = $c' >other.ndjson
    run -65 gc-verify -q --rejects rej.ndjson "$W/issue.ndjson" other.ndjson
    [ "$(reasons rej.ndjson)" = not_holder ]
    # The signed names of what moves must be the position's own.
    head -n 1 t1.ndjson | jq -c '.tranche = "junior"' >renamed.ndjson
    run -65 gc-verify -q --rejects rej.ndjson "$W/issue.ndjson" renamed.ndjson
    [ "$(reasons rej.ndjson)" = bad_field ]
}

@test "transfers: the units of a partial transfer must add up" {
    transfer alice "$(pos 0)" bob --units 7 "$W/issue.ndjson" >t1.ndjson
    # The change raised by one: not what the transfer made.
    jq -c 'if .output == 1 then .units += 1 else . end' t1.ndjson >edited.ndjson
    run -65 gc-verify -q --rejects rej.ndjson "$W/issue.ndjson" edited.ndjson
    [ "$(reasons rej.ndjson)" = units_not_conserved ]
    # A made position with its units and id both rewritten is still not the transfer's.
    jq -c 'if .output == 1 then .units = 7 | .output = 0 | .holder = "'"$(pk carol)"'" else . end' t1.ndjson |
        sed -n 3p >stolen.ndjson
    run -65 gc-verify -q --rejects rej.ndjson "$W/issue.ndjson" <(head -n 2 t1.ndjson) stolen.ndjson
    [ "$(reasons rej.ndjson)" = bad_id ]
    # More units than the position holds.
    run -65 transfer carol "$(pos 4)" bob --units 25000001 "$W/issue.ndjson"
    assert_output --partial "over_units"
}

@test "gc-verify --allowlist: only listed holders may receive positions" {
    jq -c 'select(.party == "alice" or .party == "bob" or .party == "carol")' "$IX/parties.ndjson" >allow.ndjson
    transfer alice "$(pos 0)" lender "$W/issue.ndjson" >t1.ndjson
    run -0 gc-verify -q --allowlist allow.ndjson "$W/issue.ndjson"
    run -65 gc-verify -q --allowlist allow.ndjson --rejects rej.ndjson "$W/issue.ndjson" t1.ndjson
    [ "$(reasons rej.ndjson | paste -sd' ')" = "not_allowed unknown_transfer" ]
    assert_equal "$(jq -r .detail rej.ndjson | head -n 1)" "the receiver $(pk lender | cut -c1-16)… is not on the allow-list"
    run -64 gc-verify tasks --registry x --snapshots y --allowlist allow.ndjson
}

@test "gc-verify --issuers: a package signed by a key not listed is refused, and what names it" {
    jq -c 'select(.party == "issuer")' "$IX/parties.ndjson" >issuers.ndjson
    run -0 gc-verify -q --issuers issuers.ndjson "$W/issue.ndjson"
    # The same term sheet packaged by alice, with herself as the issuer.
    mkdir -m 700 k && cp "$W/keys/alice.key" k/ && chmod 600 k/alice.key
    jq -c '.issuer = "alice"' "$IX/terms.ndjson" >terms.ndjson
    gc-issue package -q -k k/alice.key --terms terms.ndjson --validators "$IX/validators.ndjson" \
        --quorum 2 --index "$IX/index.ndjson" "$IX/snapshots.ndjson" >rogue.ndjson
    run -0 gc-verify -q rogue.ndjson
    run -65 gc-verify -q --issuers issuers.ndjson --rejects rej.ndjson rogue.ndjson
    [ "$(reasons rej.ndjson | paste -sd' ')" = "unknown_issuer unknown_package unknown_package unknown_package unknown_package unknown_package" ]
}

@test "gc-issue keygen: a party record for a new key, and options only with their commands" {
    mkdir -m 700 k
    run -0 gc-issue keygen --id dave -k k/dave.key
    [ "$(jq -r '[.type, .party] | join(" ")' <<<"$output")" = "party dave" ]
    [ "$(stat -c %a k/dave.key)" = 600 ]
    run -73 gc-issue keygen --id dave -k k/dave.key
    run -64 gc-issue keygen --id Dave -k k/other.key
    run -64 gc-issue keygen --id eve -k k/eve.key -o eve.ndjson
    assert_file_not_exists k/eve.key
    run -64 gc-issue transfer -k k/dave.key --position "$(pos 0)" --to "$(pk bob)" --terms x
    assert_output --partial -- "--terms does not go with transfer"
    run -64 gc-issue pledge -k k/dave.key --position "$(pos 0)" --to "$(pk bob)" --units 3
    run -64 gc-issue transfer -k k/dave.key --position xyz --to "$(pk bob)"
    run -64 gc-issue release -k k/dave.key
    run -64 gc-issue package -k k/dave.key --terms x
}
