#!/usr/bin/env python3
"""The sample world of the demo: three grid zones, 72 hours from 2 November 2026 00:00 UTC.

    python3 examples/world.py [DIR]        (default: examples/world next to this script)

Writes, deterministically (the same files byte for byte on every run and machine):

  devices.tsv      one device per line: id class rated_w zone gpus efficiency_bps geohash
  readings.ndjson  hourly meter readings of every device, in time order
  intensity.ndjson the grid's carbon intensity per zone and hour (g CO2e per kWh)
  pools.ndjson     pool definitions: one compute pool of GPU racks per zone
  terms.ndjson     the term sheet of a note over the three pools; holders are @names
  requests.ndjson  mint requests of the holders, unsigned; gc-settle sign seals them
  params.ndjson    the reserve's terms for the note: fee, liquidation ratio, ceilings

What is in it:
  de-tennet  a 75 kW PV roof, a 150 kW wind turbine, a 50 kW battery, GPU racks of 40, 40, 20
  fr-rte     two PV roofs (60, 40 kW), GPU racks of 40, 20, 20; a low-carbon grid
  es-ree     two PV plants (200, 125 kW), a 100 kW battery, three GPU racks of 40
  A rack draws 700 W per GPU at full load and 15 % of that idle.
  PV follows the November sun (07:00 to 16:00 UTC), dimmed on cloudy days; the wind blows
  as a seeded random walk; batteries store midday surplus and give it back in the evening;
  GPU racks run training (flat), inference (busy by day) and batch (busy by night).

Faults, for the demo to catch: pv-es-2's meter reads above its rating once (over_capacity).
The demo forges one signed reading of pv-fr-2 and replays one of gpu-es-3 on the way to
gc-verify: both are caught there (bad_signature, duplicate).
"""
import json
import math
import os
import random
import sys

START_DAY = 2  # 2026-11-02
HOURS = 72
SEED = 20261102

# id, class, rated_w, zone, gpus, efficiency_bps, geohash
DEVICES = [
    ("pv-de-1", "pv", 75000, "de-tennet", 0, 0, "u0yj"),
    ("wind-de-1", "wind", 150000, "de-tennet", 0, 0, "u1x0"),
    ("bat-de-1", "battery", 50000, "de-tennet", 0, 9000, "u0yj"),
    ("gpu-de-1", "gpu", 28000, "de-tennet", 40, 0, "u0yj"),
    ("gpu-de-2", "gpu", 28000, "de-tennet", 40, 0, "u0yj"),
    ("gpu-de-3", "gpu", 14000, "de-tennet", 20, 0, "u0yj"),
    ("pv-fr-1", "pv", 60000, "fr-rte", 0, 0, "u09t"),
    ("pv-fr-2", "pv", 40000, "fr-rte", 0, 0, "u09t"),
    ("gpu-fr-1", "gpu", 28000, "fr-rte", 40, 0, "u09t"),
    ("gpu-fr-2", "gpu", 14000, "fr-rte", 20, 0, "u09t"),
    ("gpu-fr-3", "gpu", 14000, "fr-rte", 20, 0, "u09t"),
    ("pv-es-1", "pv", 200000, "es-ree", 0, 0, "ezjm"),
    ("pv-es-2", "pv", 125000, "es-ree", 0, 0, "ezjm"),
    ("bat-es-1", "battery", 100000, "es-ree", 0, 9000, "ezjm"),
    ("gpu-es-1", "gpu", 28000, "es-ree", 40, 0, "ezjm"),
    ("gpu-es-2", "gpu", 28000, "es-ree", 40, 0, "ezjm"),
    ("gpu-es-3", "gpu", 28000, "es-ree", 40, 0, "ezjm"),
]
# the kind of work each GPU rack does
WORKLOAD = {"gpu-de-1": "training", "gpu-de-2": "inference", "gpu-de-3": "batch",
            "gpu-fr-1": "inference", "gpu-fr-2": "batch", "gpu-fr-3": "inference",
            "gpu-es-1": "training", "gpu-es-2": "inference", "gpu-es-3": "inference"}
# how clear each zone's sky is on each of the three days (share of a clear day's sun)
SKY = {"de-tennet": (0.35, 0.9, 0.2), "fr-rte": (0.8, 0.3, 0.7), "es-ree": (1.0, 0.95, 0.4)}
# peak capacity factor of a PV plant under a clear November sky
PV_PEAK = {"de-tennet": 0.45, "fr-rte": 0.55, "es-ree": 0.7}
OVER_RATING = ("pv-es-2", 36)  # device and hour of the meter that reads above its rating


def ts(hour):
    return "2026-11-%02dT%02d:00:00Z" % (START_DAY + hour // 24, hour % 24)


def sun(hour):
    """Clear-sky share of peak for the UTC hour starting at hour: 0 at night, a bell by day."""
    h = hour % 24 + 0.5
    if h < 7 or h > 16:
        return 0.0
    return math.sin(math.pi * (h - 7) / 9)


def utilization(kind, hour, rng):
    h = hour % 24
    if kind == "training":
        base = 0.95
    elif kind == "inference":
        base = 0.85 if 7 <= h < 21 else 0.3
    else:  # batch: queued work runs at night
        base = 0.9 if h < 6 or h >= 22 else 0.2
    return min(1.0, max(0.0, base + rng.uniform(-0.08, 0.08)))


def world(out):
    rng = random.Random(SEED)
    os.makedirs(out, exist_ok=True)
    rated = {d[0]: d[2] for d in DEVICES}
    gpus = {d[0]: d[4] for d in DEVICES}
    wind = 0.5
    stores = {d[0]: 0 for d in DEVICES if d[1] == "battery"}
    readings, intensity = [], []
    for hour in range(HOURS):
        day = hour // 24
        wind = min(0.9, max(0.05, wind + rng.gauss(0, 0.12)))
        supply = {z: 0 for z in SKY}
        demand = {z: 0 for z in SKY}
        rows = []
        for dev, cls, rw, zone, ngpu, eff, _ in DEVICES:
            if cls == "pv":
                cf = PV_PEAK[zone] * sun(hour) * SKY[zone][day] * rng.uniform(0.9, 1.0)
                wh = int(rw * cf)
                if (dev, hour) == OVER_RATING:
                    wh = rw * 13 // 10
                else:
                    supply[zone] += wh
                rows.append({"device": dev, "energy_wh": wh})
            elif cls == "wind":
                wh = int(rw * wind * rng.uniform(0.85, 1.0))
                supply[zone] += wh
                rows.append({"device": dev, "energy_wh": wh})
            elif cls == "gpu":
                u = utilization(WORKLOAD[dev], hour, rng)
                gpu_s = ngpu * 3600
                busy_s = int(gpu_s * u)
                wh = int(rw * (0.15 + 0.85 * u))  # a rack idles at 15 % of its rating
                demand[zone] += wh
                rows.append({"device": dev, "energy_wh": wh, "gpu_s": gpu_s, "busy_s": busy_s})
        for dev, cls, rw, zone, _, eff, _ in DEVICES:
            if cls != "battery":
                continue
            # Store what the zone's generation leaves over; give it back when the sun is gone.
            surplus = supply[zone] - demand[zone]
            charge = discharge = 0
            if surplus > 0:
                charge = min(rw, surplus)
                stores[dev] += charge * eff // 10000
            elif sun(hour) == 0 and stores[dev] > 0:
                discharge = min(rw, -surplus, stores[dev])
                stores[dev] -= discharge
            rows.append({"device": dev, "charge_wh": charge, "discharge_wh": discharge})
        for r in rows:
            rec = {"type": "reading", "v": 1, "device": r.pop("device"), "ts": ts(hour),
                   "period_s": 3600}
            rec.update(r)
            readings.append(rec)
        h = hour % 24
        evening = 1.0 if 16 <= h < 21 else 0.0
        zone_g = {
            "de-tennet": 520 - 320 * wind + 60 * evening - 80 * sun(hour) * SKY["de-tennet"][day],
            "fr-rte": 48 + 22 * evening + rng.uniform(-6, 6),
            "es-ree": 210 - 130 * sun(hour) * SKY["es-ree"][day] + 40 * evening,
        }
        for zone in sorted(zone_g):
            intensity.append({"type": "intensity", "v": 1, "zone": zone, "hour": ts(hour),
                              "gco2_per_kwh": int(round(zone_g[zone]))})

    def lines(name, recs):
        with open(os.path.join(out, name), "w") as f:
            for r in recs:
                f.write(json.dumps(r, separators=(",", ":")) + "\n")

    with open(os.path.join(out, "devices.tsv"), "w") as f:
        f.write("# id\tclass\trated_w\tzone\tgpus\tefficiency_bps\tgeohash\n")
        for d in DEVICES:
            f.write("\t".join(str(x) for x in d) + "\n")
    lines("readings.ndjson", readings)
    lines("intensity.ndjson", intensity)
    lines("pools.ndjson", [
        {"type": "pool.def", "v": 1, "pool": "gpu-" + z[:2], "kind": "compute",
         "classes": ["gpu"], "zones": [z]} for z in sorted(SKY)])
    # A one-week note from 3 November on the three pools, valued on the day before; the senior
    # tranche is oversubscribed and scaled down.
    lines("terms.ndjson", [{
        "type": "terms", "v": 1, "package": "gcn-eu-2026w45", "issuer": "issuer",
        "spv": {"name": "Green Compute Notes EU 1 Ltd", "jurisdiction": "IE"},
        "currency": "USD", "pools": ["gpu-de", "gpu-es", "gpu-fr"],
        "start": "2026-11-03T00:00:00Z", "end": "2026-11-10T00:00:00Z", "window_h": 24,
        "price_source": "index", "utilization_bps": 7000, "servicer_fee_bps": 300,
        "discount_bps": 1200, "haircut_bps": 1000, "min_junior_bps": 1000,
        "tranches": [
            {"tranche": "senior", "seniority": 1, "share_bps": 6000, "coupon_bps": 600,
             "min_oc_bps": 12500},
            {"tranche": "mezzanine", "seniority": 2, "share_bps": 2000, "coupon_bps": 1000,
             "min_oc_bps": 11000},
            {"tranche": "junior", "seniority": 3, "share_bps": 1000, "coupon_bps": 0}],
        "subscriptions": [
            {"holder": "@alice", "tranche": "senior", "amount_micros": 10000000000},
            {"holder": "@bob", "tranche": "senior", "amount_micros": 7500000000},
            {"holder": "@carol", "tranche": "senior", "amount_micros": 4000000000},
            {"holder": "@bob", "tranche": "mezzanine", "amount_micros": 5000000000},
            {"holder": "@carol", "tranche": "junior", "amount_micros": 3000000000}]}])
    lines("requests.ndjson", [
        {"type": "mint.request", "v": 1, "request": "alice-1", "package": "gcn-eu-2026w45",
         "amount_micros": 3000000000, "ts": "2026-11-04T09:00:00Z"},
        {"type": "mint.request", "v": 1, "request": "alice-2", "package": "gcn-eu-2026w45",
         "amount_micros": 1000000000, "ts": "2026-11-04T15:00:00Z"}])
    # 2 % a year (Maker's duty for it, per second), 150 % to be safe, a 10 % haircut.
    lines("params.ndjson", [
        {"type": "reserve.params", "v": 1, "package": "gcn-eu-2026w45",
         "duty": "1000000000627937192491029810", "liquidation_bps": 15000,
         "ceiling_micros": 10000000000, "min_draw_micros": 10000000, "haircut_bps": 1000},
        {"type": "reserve.params", "v": 1, "global_ceiling_micros": 50000000000}])


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    world(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "world"))
