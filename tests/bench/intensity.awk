# intensity.awk -v zones=Z -v hours=H -v t0=T (with time.awk): the grid carbon intensity of zones
# z0 .. z(Z-1) for H hours from T (seconds since 1970), one intensity record per zone-hour.
BEGIN {
    for (h = 0; h < hours; h++)
        for (z = 0; z < zones; z++)
            printf "{\"type\":\"intensity\",\"v\":1,\"zone\":\"z%d\",\"hour\":\"%s\",\"gco2_per_kwh\":%d}\n",
                z, rfc3339(t0 + h * 3600), 150 + (h * 37 + z * 101) % 400
}
