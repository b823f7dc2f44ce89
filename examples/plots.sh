#!/bin/sh
# Draw the tables of the demo and of the scenario sweep as SVG charts with gnuplot (make plots
# does this after make demo and examples/scenarios.sh).
#   sh examples/plots.sh [DIR]      DIR: where the tables are (default build/demo)
# Each examples/plot-NAME.gp reads DIR/*.tsv and writes DIR/NAME.svg.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/../build/demo}
for gp in "$here"/plot-*.gp; do
    name=$(basename "$gp" .gp)
    name=${name#plot-}
    gnuplot -e "dir='$dir'" "$gp"
    echo "$dir/$name.svg"
done
