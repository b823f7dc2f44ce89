# amm-events.awk -v n=N -v curve=cp|ys -v pools=P -v t0=T (with time.awk): the markets of pools
# gpu-z0 .. gpu-z(P-1) for each hour of the day after T (seconds since 1970), opened and stocked
# at T, then N swaps spread over the day of T. Each market in turn gets a buy, then each market a
# sell by the same trader of less than it bought (a sell needs GPU-seconds bought before).
BEGIN {
    m = 0
    opened = rfc3339(t0)
    for (p = 0; p < pools; p++)
        for (h = 0; h < 24; h++) {
            hour = t0 + 86400 + h * 3600
            market[m] = sprintf("gpu-z%d.%st%02d", p, ymd(hour), h)
            printf "{\"type\":\"amm.open\",\"v\":1,\"market\":\"%s\",\"pool\":\"gpu-z%d\",\"hour\":\"%s\",\"ts\":\"%s\",\"curve\":\"%s\",\"k_ppm\":100,\"anchor_micros\":2000000}\n",
                market[m], p, rfc3339(hour), opened, curve
            printf "{\"type\":\"amm.add\",\"v\":1,\"market\":\"%s\",\"ts\":\"%s\",\"lp\":\"op-%d\",\"devices\":[{\"device\":\"dev-%04d\",\"gpu_s\":1000000000}],\"cash_micros\":555555555555}\n",
                market[m], opened, p, 2 * m + 1
            m++
        }
    for (i = 0; i < n; i++) {
        ts = rfc3339(t0 + 1 + int(i * 86000 / n))
        k = i % m
        trader = int(i / (2 * m)) % 100
        if (int(i / m) % 2 == 0)
            printf "{\"type\":\"amm.swap\",\"v\":1,\"market\":\"%s\",\"ts\":\"%s\",\"trader\":\"t%d\",\"side\":\"buy\",\"gpu_s\":%d}\n",
                market[k], ts, trader, 10 + i % 7
        else
            printf "{\"type\":\"amm.swap\",\"v\":1,\"market\":\"%s\",\"ts\":\"%s\",\"trader\":\"t%d\",\"side\":\"sell\",\"gpu_s\":%d}\n",
                market[k], ts, trader, 5 + i % 3
    }
}
