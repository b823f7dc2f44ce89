# Hourly green supply against GPU demand, and the hourly carbon-free share, per grid zone.
#   gnuplot -e "dir='build/demo'" examples/plot-supply-demand.gp   ->  dir/supply-demand.svg
# Input: dir/hourly.tsv (zone, hour, supply_kwh, demand_kwh, matched_kwh, cfe_pct), from the demo.
if (!exists("dir")) dir = "build/demo"
set terminal svg size 960,900 dynamic font "sans,11" background "white"
set output dir."/supply-demand.svg"
set datafile separator "\t"
set xdata time
set timefmt "%Y-%m-%dT%H:%M:%SZ"
set format x "%d %b\n%H:%M"
set xtics 6 * 3600
set ylabel "kWh per hour"
set y2label "hourly CFE, %"
set y2range [0:125]  # the same headroom as the left axis
set y2tics 0, 25, 100
set ytics nomirror
set yrange [0:*]
set grid xtics ytics lc rgb "#dddddd"
set key top left horizontal opaque font ",10"
set offsets 0, 0, graph 0.25, 0  # headroom for the key
set style fill transparent solid 0.35 noborder
set multiplot layout 3,1 title "Green supply, demand and hourly CFE per zone (72 h from 2 November 2026)"
do for [z in "de-tennet es-ree fr-rte"] {
    set title z
    plot dir."/hourly.tsv" using 2:(strcol(1) eq z ? $5 : NaN) skip 1 with filledcurves x1 \
            lc rgb "#4caf50" title "matched", \
         "" using 2:(strcol(1) eq z ? $3 : NaN) skip 1 with lines lw 2 lc rgb "#2e7d32" \
            title "green supply", \
         "" using 2:(strcol(1) eq z ? $4 : NaN) skip 1 with lines lw 2 lc rgb "#1565c0" \
            title "demand (GPUs, battery charging)", \
         "" using 2:(strcol(1) eq z ? $6 : NaN) skip 1 axes x1y2 with lines dt 2 lc rgb "#ef6c00" \
            title "CFE %"
}
unset multiplot
