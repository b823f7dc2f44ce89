#!/bin/sh
# An analyst's scenario sweep: a week of simulated markets under each curve, for several seeds
# and demand levels; one table per run, summed per scenario, ready for a chart or a spreadsheet.
#
#   sh examples/scenarios.sh [DIR]      writes DIR/scenarios-hourly.tsv and DIR/scenarios.tsv
#   gnuplot -e "dir='DIR'" examples/plot-scenarios.gp      ->  DIR/scenarios.svg
#
# The same seed gives the same bytes on every machine, so a result can be re-run and checked.
set -eu
dir=${1:-build/demo}
mkdir -p "$dir"
PATH=${GC_BIN:+$GC_BIN:}$PATH

# Every market hour of every run, with the run's seed and demand in front.
{
    printf 'seed\tdemand\t'
    gc-amm simulate --seed 1 --hours 1 --tsv | head -n 1
    for curve in ys cp; do
        for demand in 10 20 40; do
            for seed in 1 2 3 4 5; do
                gc-amm simulate --seed "$seed" --hours 168 --curve "$curve" --demand "$demand" \
                    --tsv | awk -v s="$seed" -v d="$demand" 'NR > 1 { print s "\t" d "\t" $0 }'
            done
        done
    done
} >"$dir/scenarios-hourly.tsv"

# Per curve and demand, over the seeds: GPU-hours offered, sold and expired; revenue in USD.
# Integers are summed exactly (awk holds them exactly below 2^53); only the shares divide.
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { k = $(col["curve"]) "\t" $(col["demand"])
      if (!(k in n)) order[++keys] = k
      n[k]++; supply[k] += $(col["supply_gpu_s"]); sold[k] += $(col["sold_gpu_s"])
      expired[k] += $(col["expired_gpu_s"]); revenue[k] += $(col["revenue_micros"]) }
    END { print "curve\tbuyers_per_market\tsupply_gpu_h\tsold_gpu_h\texpired_gpu_h\tsold_pct\trevenue_usd\tusd_per_sold_gpu_h"
          for (i = 1; i <= keys; i++) { k = order[i]
              printf "%s\t%d\t%d\t%d\t%.1f\t%.2f\t%.4f\n", k, supply[k] / 3600, sold[k] / 3600,
                  expired[k] / 3600, 100 * sold[k] / supply[k], revenue[k] / 1e6,
                  revenue[k] / 1e6 / (sold[k] / 3600) } }' "$dir/scenarios-hourly.tsv" >"$dir/scenarios.tsv"
echo "$dir/scenarios.tsv"
