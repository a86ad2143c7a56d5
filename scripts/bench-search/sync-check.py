#!/usr/bin/env python3
"""GPU check that the torch engine's training step never waits for the device: runs the worker's own
EpochSteps (eager, then with CUDA graphs: warm-up, capture, replays) and LossWatch on the seed-size
network under torch.cuda.set_sync_debug_mode("error"), which raises on any host synchronisation.
Prints one JSON line. Usage: sync-check.py WORKER_PY SPEC_JSON  (CUDA only; on CPU it says so and exits 0)."""

import importlib.util
import json
import sys


def main():
    spec_mod = importlib.util.spec_from_file_location("pareto_nas_worker", sys.argv[1])
    w = importlib.util.module_from_spec(spec_mod)
    spec_mod.loader.exec_module(w)
    torch = w.torch
    if not torch.cuda.is_available():
        print(json.dumps({"syncCheck": "skipped: no CUDA"}), file=sys.__stdout__)
        return 0
    spec = json.load(open(sys.argv[2]))
    device = torch.device("cuda:0")
    torch.backends.cudnn.benchmark = True
    x = torch.randn(1024, 1, 127, 127, device=device)
    y = torch.randint(0, 2, (1024,), device=device)
    out = {}
    for graphs in (False, True):
        training = {"learningRate": 0.025, "momentum": 0.9, "weightDecay": 3e-4, "gradClip": 5, "seed": 0, "epochs": 1}
        trainer = w.Trainer(spec, training, device, False, graphs)
        steps = w.EpochSteps(trainer, x, y, 128)
        watch = w.LossWatch(device)
        perm = torch.randperm(1024, device=device)
        for _ in range(2):  # the first pass warms up (and captures); the second is checked
            steps.begin()
            torch.cuda.set_sync_debug_mode("error" if _ else 0)
            try:
                for i in range(0, 1024, 128):
                    steps.run(perm[i:i + 128])
                    watch.finite(steps.loss_sum)
                status = "no host sync"
            except RuntimeError as e:
                status = "SYNC: %s" % str(e).splitlines()[0]
            finally:
                torch.cuda.set_sync_debug_mode(0)
        out["cudaGraphs" if graphs else "eager"] = status + "; loss %.4f" % (steps.loss_sum.item() / 1024)
    print(json.dumps({"syncCheck": out}), file=sys.__stdout__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
