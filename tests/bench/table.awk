# table.awk -v memx=X MEM ROWS: the table of run.sh. ROWS has a line per stage: stage, records,
# best nanoseconds, input bytes, peak RSS KiB ("-" unknown), baseline, baseline records/s, ratio
# kind (pct: of the baseline's rate; x: times it), aim, streaming (yes/no); tab-separated. MEM
# has the peak RSS KiB of the streaming stages at X times the input: stage, KiB.
BEGIN {
    FS = "\t"
    fmt = "%-27s %9s %10s %7s %7s  %-26s %10s %7s %5s %8s %5s\n"
    printf fmt, "stage", "records", "records/s", "MB/s", "RSS MiB", "baseline", "records/s", "ratio",
        "aim", (memx > 1 ? sprintf("RSS %dx", memx) : "RSS -"), "flat"
}
FILENAME == ARGV[1] {
    rss_x[$1] = $2
    next
}
{
    s = $3 / 1e9
    rate = $2 / s
    if ($7 > 0)
        ratio = $8 == "pct" ? sprintf("%.1f%%", 100 * rate / $7) : sprintf("%.1fx", rate / $7)
    else
        ratio = "-"
    aim = $8 == "pct" ? $9 "%" : $9 "x"
    rss = $5 == "-" ? "-" : sprintf("%.1f", $5 / 1024)
    x = "-"
    flat = "-"
    if ($10 == "yes" && ($1 in rss_x) && rss_x[$1] != "-" && $5 != "-") {
        x = sprintf("%.1f", rss_x[$1] / 1024)
        flat = rss_x[$1] <= 2 * $5 ? "yes" : "NO"
    }
    printf fmt, $1, $2, sprintf("%.0f", rate), sprintf("%.1f", $4 / 1e6 / s), rss, $6,
        sprintf("%.0f", $7), ratio, aim, x, flat
}
