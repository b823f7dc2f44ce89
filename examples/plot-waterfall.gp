# Where each settlement period's cash went: the servicer's fee, then down the tranches.
#   gnuplot -e "dir='build/demo'" examples/plot-waterfall.gp   ->  dir/waterfall.svg
# Input: dir/waterfall.tsv, one row per period, USD: fee, senior interest and principal,
# mezzanine interest and principal, junior residual, cash carried to the next period.
if (!exists("dir")) dir = "build/demo"
set terminal svg size 960,540 dynamic font "sans,11" background "white"
set output dir."/waterfall.svg"
set datafile separator "\t"
set termoption noenhanced  # column names keep their underscores
set title "Settlement waterfall per period"
set ylabel "USD"
set xlabel "period (UTC start)"
set xtics rotate by -30
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border lc rgb "#ffffff"
set boxwidth 0.6
set yrange [0:*]
set grid ytics lc rgb "#dddddd"
set key outside right top
colours = "#9e9e9e #0d47a1 #1e88e5 #e65100 #fb8c00 #2e7d32 #bdbdbd"
plot for [c = 2:8] dir."/waterfall.tsv" using c:xtic(1) title columnhead(c) \
    lc rgb word(colours, c - 1)
