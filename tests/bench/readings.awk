# readings.awk -v devices=N -v periods=P -v t0=T (with time.awk): the readings of N devices over
# P five-minute periods from T (seconds since 1970), period by period as meters send them. Even
# devices are pv (rated 5000 W, output from 06:00 to 18:00 UTC), odd ones gpu hosts (rated
# 1400 W, 2 GPUs), as in the registry run.sh makes; every reading is plausible for its device.
BEGIN {
    for (p = 0; p < periods; p++) {
        t = t0 + p * 300
        ts = rfc3339(t)
        h = int(t % 86400 / 3600)
        sun = h >= 6 && h < 18
        for (d = 0; d < devices; d++)
            if (d % 2 == 0)
                printf "{\"type\":\"reading\",\"v\":1,\"device\":\"dev-%04d\",\"ts\":\"%s\",\"period_s\":300,\"energy_wh\":%d}\n",
                    d, ts, sun ? 100 + (p * 7 + d * 13) % 300 : 0
            else
                printf "{\"type\":\"reading\",\"v\":1,\"device\":\"dev-%04d\",\"ts\":\"%s\",\"period_s\":300,\"energy_wh\":%d,\"gpu_s\":600,\"busy_s\":%d}\n",
                    d, ts, 80 + (p + d) % 40, 300 + (p * 11 + d) % 300
    }
}
