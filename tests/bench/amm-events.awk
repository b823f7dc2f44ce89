# amm-events.awk -v n=N -v curve=cp|ys: 10 markets opened and stocked, then N swaps, one a
# second, buys and sells alternating in runs of ten (a sell needs GPU-seconds bought before).
BEGIN {
    for (m = 0; m < 10; m++) {
        printf "{\"type\":\"amm.open\",\"v\":1,\"market\":\"m%d\",\"pool\":\"bench\",\"hour\":\"2027-01-01T%02d:00:00Z\",\"ts\":\"2026-11-01T00:00:00Z\",\"curve\":\"%s\",\"k_ppm\":100,\"anchor_micros\":2000000}\n", m, m, curve
        printf "{\"type\":\"amm.add\",\"v\":1,\"market\":\"m%d\",\"ts\":\"2026-11-01T00:00:00Z\",\"lp\":\"op\",\"devices\":[{\"device\":\"gpu-%d\",\"gpu_s\":1000000000}],\"cash_micros\":555555555555}\n", m, m
    }
    for (i = 0; i < n; i++) {
        s = i + 1
        t = sprintf("2026-%02d-%02dT%02d:%02d:%02dZ", 11 + int(s / 2592000), 1 + int(s % 2592000 / 86400), int(s % 86400 / 3600), int(s % 3600 / 60), s % 60)
        if (int(i / 10) % 2 == 0)
            printf "{\"type\":\"amm.swap\",\"v\":1,\"market\":\"m%d\",\"ts\":\"%s\",\"trader\":\"t%d\",\"side\":\"buy\",\"gpu_s\":%d}\n", i % 10, t, int(i / 20) % 100, 10 + i % 7
        else
            printf "{\"type\":\"amm.swap\",\"v\":1,\"market\":\"m%d\",\"ts\":\"%s\",\"trader\":\"t%d\",\"side\":\"sell\",\"gpu_s\":%d}\n", i % 10, t, int(i / 20) % 100, 5 + i % 3
    }
}
