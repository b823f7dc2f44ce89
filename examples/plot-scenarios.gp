# The analyst's sweep (examples/scenarios.sh): how much of a week's green GPU time each curve
# sells, and for how much, as buyers per market grow; five seeds summed per bar.
#   gnuplot -e "dir='build/demo'" examples/plot-scenarios.gp   ->  dir/scenarios.svg
# Input: dir/scenarios.tsv (curve, buyers_per_market, ..., sold_pct, revenue_usd, ...).
if (!exists("dir")) dir = "build/demo"
set terminal svg size 960,420 dynamic font "sans,11" background "white"
set output dir."/scenarios.svg"
set datafile separator "\t"
set termoption noenhanced
# ys rows come first in the table, then cp: bar pairs side by side at x = row, row - 3.
set style fill solid 0.85 border lc rgb "#ffffff"
set boxwidth 0.36
set xrange [-0.6:2.6]
set grid ytics lc rgb "#dddddd"
set yrange [0:*]
set xlabel "buyers per market"
set key top left
set multiplot layout 1,2 title "gc-amm simulate, one week, seeds 1 to 5: YieldSpace (ys) against constant product (cp)"
set title "green GPU-hours sold, %"
set yrange [0:100]
plot dir."/scenarios.tsv" using ($0 - 0.19):(strcol(1) eq "ys" ? $6 : NaN) skip 1 with boxes \
        lc rgb "#1565c0" title "ys", \
     "" using ($0 - 3 + 0.19):(strcol(1) eq "cp" ? $6 : NaN) skip 1 with boxes lc rgb "#c62828" \
        title "cp", \
     "" using 0:(NaN):xtic(strcol(1) eq "ys" ? strcol(2) : "") skip 1 notitle
set title "revenue, USD"
set yrange [0:*]
plot dir."/scenarios.tsv" using ($0 - 0.19):(strcol(1) eq "ys" ? $7 : NaN) skip 1 with boxes \
        lc rgb "#1565c0" title "ys", \
     "" using ($0 - 3 + 0.19):(strcol(1) eq "cp" ? $7 : NaN) skip 1 with boxes lc rgb "#c62828" \
        title "cp", \
     "" using 0:(NaN):xtic(strcol(1) eq "ys" ? strcol(2) : "") skip 1 notitle
unset multiplot
