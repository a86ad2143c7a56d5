#!/usr/bin/env bash
# GPU run of `npm run bench:search` (issue 10): the 24-network sample through the production path with
# today's defaults, the tuned settings (k workers per GPU, CUDA graphs, bf16 validation
# in batches of 1024), the tuned settings with one worker (to measure the utilisation model), and the
# plain PyTorch loop; then a check that the training step never synchronises with the host. Budget:
# under 8 minutes on one H100/H200 (BUDGET_S caps the bench; the sync check takes seconds).
#
# Prepare here (the device machine has Python + PyTorch but maybe no node and no node_modules):
#   npm run build:bench-search                       # dist/bench-search.cjs, the bench as one file
#   mkdir -p .node && xz -T0 -c "$(command -v node)" > .node/node.xz
#   echo /.node/ >> .git/info/exclude                # carried, not committed
# Run on the GPU machine from the repository root, carrying dist and .node:
#   OUT=/some/folder bash scripts/gpu-bench-search.sh     (the log and the JSON line go to $OUT too)
#   BENCH_ARGS="--train 4096"   extra bench flags;   PYTHON=/path/to/python   a Python with PyTorch
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET_S=${BUDGET_S:-420}
OUT=${OUT:-/tmp/gpu-bench-search}
mkdir -p "$OUT"

find_python() {
  for p in ${PYTHON:-} python3 python /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch, numpy' >/dev/null 2>&1; then command -v "$p"; return 0; fi
  done
  echo "gpu-bench-search: no Python with torch and numpy found (set PYTHON=/path/to/python)" >&2
  return 1
}
find_node() {
  if command -v node >/dev/null 2>&1 && node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
    command -v node; return 0
  fi
  if [ -f .node/node.xz ]; then
    xz -dc .node/node.xz > /tmp/pareto-node && chmod +x /tmp/pareto-node && echo /tmp/pareto-node; return 0
  fi
  echo "gpu-bench-search: no node >= 20; carry .node/node.xz (see the header of this script)" >&2
  return 1
}
PY=$(find_python)
NODE=$(find_node)
export PARETO_NAS_PYTHON="$PY" PARETO_NAS_TORCH_WORKER="$PWD/runner/src/engines/torch/worker.py" PYTHONUNBUFFERED=1
if [ -d node_modules/tsx ]; then ENTRY=(--import tsx scripts/bench-search.ts); else ENTRY=(dist/bench-search.cjs); fi
[ -d node_modules/tsx ] || [ -f dist/bench-search.cjs ] || { echo "gpu-bench-search: carry dist/ after npm run build:bench-search" >&2; exit 1; }

{
  date -u +"date %Y-%m-%dT%H:%M:%SZ"
  command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  "$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())'
  echo "node $("$NODE" --version), cores $(nproc)"
} 2>&1 | tee "$OUT/environment.txt" >&2

"$PY" scripts/bench-search/sync-check.py "$PARETO_NAS_TORCH_WORKER" scripts/bench-seed127-spec.json 2>"$OUT/sync-check.err" | tee "$OUT/sync-check.json" || true

set -o pipefail
timeout "$BUDGET_S" "$NODE" "${ENTRY[@]}" --variants defaults,tuned,tuned-k1,baseline ${BENCH_ARGS:-} 2> >(tee "$OUT/bench-search.err" >&2) | tee "$OUT/bench-search.md"
tail -n 1 "$OUT/bench-search.md" > "$OUT/bench-search.json"
