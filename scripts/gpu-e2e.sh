#!/usr/bin/env bash
# The whole method on a GPU machine, end to end through the runner: simulate a 64×64 XFEL dataset
# (3,000 patterns, coarse grid), search with the torch engine (population and offspring 8,
# 3 generations, 4 epochs, 2 workers on one GPU), refine the Pareto networks up to the middle of the
# front for 6 epochs, write the report. Prints the time of each step; the run goes to $OUT/run.
#   OUT=/tmp/e2e bash scripts/gpu-e2e.sh      (NODE=/path/to/node and RUNNER=dist/runner.js override)
set -euo pipefail
OUT=${OUT:?set OUT to a folder for the run}
R="${NODE:-node} ${RUNNER:-dist/runner.js}"
DATA=${DATA:-$OUT/xfel64}
t() { local s=$EPOCHREALTIME; "$@"; awk -v a="$s" -v b="$EPOCHREALTIME" -v c="$*" 'BEGIN{printf "TIME %.1f s: %s\n", b-a, c}' >&2; }
mkdir -p "$OUT"
t $R dataset simulate --preset xpsi --fluence 1e15 --count "${COUNT:-3000}" --size 64 --oversample 0.5 --seed 1 --out "$DATA"
cat > "$OUT/search.json" <<JSON
{"name":"gpu-e2e","dataset":"$DATA","search":{"population":${POP:-8},"offspring":${POP:-8},"generations":3,"seed":1},
 "training":{"epochs":${EPOCHS:-4}},"engine":{"name":"torch"},"executor":{"workersPerGpu":2}}
JSON
t $R search --config "$OUT/search.json" --run-dir "$OUT/run"
middle=$($R pareto "$OUT/run" --json | ${NODE:-node} -e 'const r=require("fs").readFileSync(0,"utf8").trim().split("\n").map(JSON.parse);console.log(r[Math.floor(r.length/2)].mflops)')
t $R refine "$OUT/run" --cutoff "$middle" --epochs "${REFINE_EPOCHS:-6}"
t $R report "$OUT/run"
cat "$OUT/run/table1.md"
