#!/usr/bin/env bash
# GPU check: training throughput of the seed-size network (NSGA-Net macro genome 000110111000000110010,
# N=4, C=24, 1×127×127 input, 2 classes, 442,586 params, 893.37 MFLOPs) with the torch engine in fp32
# and in bf16 + channels-last, batch 128, random data resident on the GPU. Prints one JSON document
# on stdout (progress on stderr). Goal on one H100/H200: ≥ 9,000 img/s in bf16.
#
# Run from the repository root on the GPU machine:   bash scripts/gpu-check.sh
#   STEPS=50 WARMUP=10 BATCH=128   timed steps, warm-up steps, batch size
#   CONCURRENT=4                   also measure 4 trainings at once on the GPU (total img/s); 0 skips
#   COMPILE=1                      also measure with torch.compile (PyTorch ≥ 2; compiling takes a while)
#   MODE=python                    skip node: drive the worker from Python only
#   PYTHON=/path/to/python         a Python with PyTorch (default: the first of python3, python, /usr/bin/python3 that has it)
# With node ≥ 20 and node_modules it runs `scripts/bench.ts`; without node it drives the torch worker
# directly with Python, using the spec in scripts/bench-seed127-spec.json (checked against decode() by a test).
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${STEPS:-50}
WARMUP=${WARMUP:-10}
BATCH=${BATCH:-128}
CONCURRENT=${CONCURRENT:-4}
COMPILE=${COMPILE:-0}

find_python() {
  for p in ${PYTHON:-} python3 python /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch, numpy' >/dev/null 2>&1; then echo "$p"; return 0; fi
  done
  echo "gpu-check: no Python with torch and numpy found (set PYTHON=/path/to/python)" >&2
  return 1
}
PY=$(find_python)
export PARETO_NAS_PYTHON="$PY"
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2 || true
"$PY" -c 'import torch; print("gpu-check: torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "", flush=True)' >&2

if [ "${MODE:-auto}" != python ] && command -v node >/dev/null 2>&1 && [ -d node_modules/tsx ]; then
  common=(--gpu --sizes 127 --engines torch --batch "$BATCH" --steps "$STEPS" --warmup "$WARMUP" --json)
  {
    echo '{"runs": ['
    node --import tsx scripts/bench.ts "${common[@]}"
    if [ "$CONCURRENT" -gt 1 ]; then
      echo ','; node --import tsx scripts/bench.ts "${common[@]}" --precision bf16 --concurrent "$CONCURRENT"
    fi
    if [ "$COMPILE" = 1 ]; then
      echo ','; node --import tsx scripts/bench.ts "${common[@]}" --compile
    fi
    echo ']}'
  }
  exit 0
fi

echo "gpu-check: node/node_modules not found; driving runner/src/engines/torch/worker.py directly" >&2
STEPS=$STEPS WARMUP=$WARMUP BATCH=$BATCH CONCURRENT=$CONCURRENT COMPILE=$COMPILE "$PY" - <<'PY'
import json, os, subprocess, sys, threading
spec = json.load(open("scripts/bench-seed127-spec.json"))
steps, warmup, batch = int(os.environ["STEPS"]), int(os.environ["WARMUP"]), int(os.environ["BATCH"])

def start(compile_model=False):
    env = dict(os.environ)
    if compile_model:
        env["PARETO_NAS_TORCH_COMPILE"] = "1"
    return subprocess.Popen([sys.executable, "-u", "runner/src/engines/torch/worker.py"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)

def ask(proc, msg):
    proc.stdin.write(json.dumps(msg) + "\n"); proc.stdin.flush()
    for line in proc.stdout:
        reply = json.loads(line)
        if reply.get("id") == msg["id"]:
            if reply["type"] == "error":
                return {"error": reply["kind"] + ": " + reply["message"]}
            return reply.get("result", reply)
    return {"error": "worker exited"}

def bench(proc, precision, tag):
    return ask(proc, {"type": "bench", "id": tag, "spec": spec, "batchSize": batch, "steps": steps, "warmup": warmup,
                      "mixedPrecision": "bf16" if precision == "bf16" else "off"})

runs = []
w = start()
hello = ask(w, {"type": "hello", "id": "hello"})
for precision in ("fp32", "bf16"):
    r = bench(w, precision, precision)
    runs.append({"engine": "torch", "precision": precision, "size": 127, "batch": batch, "steps": steps, "concurrent": 1, **r})
    print("gpu-check: %s %s" % (precision, r.get("imagesPerSecond", r.get("error"))), file=sys.stderr)
w.stdin.close(); w.wait()
k = int(os.environ["CONCURRENT"])
if k > 1:
    procs = [start() for _ in range(k)]
    out = [None] * k
    threads = [threading.Thread(target=lambda i=i: out.__setitem__(i, bench(procs[i], "bf16", "c%d" % i))) for i in range(k)]
    [t.start() for t in threads]; [t.join() for t in threads]
    for p in procs:
        p.stdin.close(); p.wait()
    total = sum(r.get("imagesPerSecond", 0) for r in out)
    runs.append({"engine": "torch", "precision": "bf16", "size": 127, "batch": batch, "steps": steps, "concurrent": k,
                 "imagesPerSecond": total, "each": out})
if os.environ["COMPILE"] == "1":
    w = start(True)
    for precision in ("fp32", "bf16"):
        runs.append({"engine": "torch compile", "precision": precision, "size": 127, "batch": batch, "steps": steps,
                     "concurrent": 1, **bench(w, precision, "compile-" + precision)})
    w.stdin.close(); w.wait()
print(json.dumps({"genome": "000110111000000110010", "channels": 24, "worker": hello, "runs": runs}, indent=2))
PY
