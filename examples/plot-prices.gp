# Market price against time to delivery, one colour per curve: YieldSpace (ys) flattens to the
# anchor price as delivery nears, constant product (cp) does not.
#   gnuplot -e "dir='build/demo'" examples/plot-prices.gp   ->  dir/prices.svg
# Input: dir/prices.tsv (curve, hours_to_delivery, usd_per_gpu_h), every fill of the demo's
# markets simulated once with each curve.
if (!exists("dir")) dir = "build/demo"
set terminal svg size 960,540 dynamic font "sans,11" background "white"
set output dir."/prices.svg"
set datafile separator "\t"
set title "Fill prices against time to delivery (gc-amm simulate --seed 45, the demo's snapshots)"
set xlabel "hours to delivery"
set ylabel "USD per GPU-hour"
stats dir."/prices.tsv" using 2 skip 1 nooutput
set xrange [ceil(STATS_max):0]  # delivery at the right
set grid lc rgb "#dddddd"
set key top right opaque
plot dir."/prices.tsv" using 2:(strcol(1) eq "cp" ? $3 : NaN) skip 1 with points pt 7 ps 0.35 \
        lc rgb "#c62828" title "cp: constant product", \
     "" using 2:(strcol(1) eq "ys" ? $3 : NaN) skip 1 with points pt 7 ps 0.35 \
        lc rgb "#1565c0" title "ys: YieldSpace, time to delivery in the curve"
