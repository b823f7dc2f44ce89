# time.awk: rfc3339(T), the UTC time of T seconds since 1970 as YYYY-MM-DDTHH:MM:SSZ, and
# ymd(T), its day as YYYYMMDD; for the generators of run.sh (awk -f time.awk -f GEN.awk).
# Days to a civil date after H. Hinnant's civil_from_days; integer parts only, so any POSIX awk.
function civil_(t,    z, era, doe, yoe, doy, mp) {
    z = int(t / 86400) + 719468
    era = int(z / 146097)
    doe = z - era * 146097
    yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
    doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
    mp = int((5 * doy + 2) / 153)
    D_ = doy - int((153 * mp + 2) / 5) + 1
    M_ = mp < 10 ? mp + 3 : mp - 9
    Y_ = yoe + era * 400 + (M_ <= 2)
}
function rfc3339(t,    s) {
    civil_(t)
    s = t % 86400
    return sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", Y_, M_, D_, int(s / 3600), int(s % 3600 / 60), s % 60)
}
function ymd(t) {
    civil_(t)
    return sprintf("%04d%02d%02d", Y_, M_, D_)
}
