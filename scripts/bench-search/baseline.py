#!/usr/bin/env python3
"""The baseline of `npm run bench:search`: the same networks trained by a plain, hand-written PyTorch
loop, as a user would write it without the engine: a DataLoader over host tensors (shuffled), each
batch copied to the device, fp32, loss.item() every step, validation at the training batch size.
The network itself is the engine's (worker.py's Net), so only the training loop differs.

Usage: baseline.py WORKER_PY JOBS_JSON OUT_JSONL
  JOBS_JSON: {"dataset": folder, "training": {...TrainingSettings}, "jobs": [{"id", "spec"}]}
  OUT_JSONL: one line per network: {"id", "setupSeconds", "wallSeconds", "device", "epochs": [...]}
"""

import importlib.util
import json
import math
import os
import sys
import time


def load_worker(path):
    spec = importlib.util.spec_from_file_location("pareto_nas_worker", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the worker sends protocol lines to its own stdout copy; none here
    return module


def load_split(folder, manifest, split, np, torch):
    s = manifest["splits"][split]
    x = np.load(os.path.join(folder, s["images"])).astype(np.float32)
    y = np.load(os.path.join(folder, s["labels"])).astype(np.int64)
    scale = {"uint8": 1.0 / 255, "uint16": 1.0 / 65535, "float32": 1.0}[manifest["dtype"]]
    return torch.from_numpy(x * scale), torch.from_numpy(y)


def main():
    worker_py, jobs_json, out_path = sys.argv[1:4]
    w = load_worker(worker_py)
    np, torch, F = w.np, w.torch, w.F
    cfg = json.load(open(jobs_json))
    folder = cfg["dataset"]
    manifest = json.load(open(os.path.join(folder, "dataset.json")))
    xtr, ytr = load_split(folder, manifest, "train", np, torch)
    xva, yva = load_split(folder, manifest, "val", np, torch)
    mean, std = xtr.mean(dim=(0, 2, 3), keepdim=True), xtr.std(dim=(0, 2, 3), keepdim=True)
    xtr, xva = (xtr - mean) / std, (xva - mean) / std
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tr = cfg["training"]
    batch, epochs = int(tr["batchSize"]), int(tr["epochs"])
    data = torch.utils.data.TensorDataset(xtr, ytr)
    val = torch.utils.data.TensorDataset(xva, yva)
    with open(out_path, "w") as out:
        for job in cfg["jobs"]:
            t_start = time.time()
            torch.manual_seed(int(tr.get("seed", 0)))
            model = w.Net(job["spec"]).to(device)
            opt = torch.optim.SGD(model.parameters(), lr=tr["learningRate"], momentum=tr["momentum"],
                                  weight_decay=tr["weightDecay"])
            loader = torch.utils.data.DataLoader(data, batch_size=batch, shuffle=True)
            val_loader = torch.utils.data.DataLoader(val, batch_size=batch)
            setup = time.time() - t_start
            history = []
            for epoch in range(epochs):
                for g in opt.param_groups:
                    g["lr"] = tr["learningRate"] / 2 * (1 + math.cos(math.pi * epoch / epochs))
                t0 = time.time()
                model.train()
                total = 0.0
                for xb, yb in loader:
                    xb, yb = xb.to(device), yb.to(device)
                    loss = F.cross_entropy(model(xb), yb)
                    opt.zero_grad()
                    loss.backward()
                    if tr.get("gradClip") is not None:
                        torch.nn.utils.clip_grad_norm_(model.parameters(), tr["gradClip"])
                    opt.step()
                    total += loss.item() * len(yb)
                t1 = time.time()
                model.eval()
                correct = 0
                with torch.no_grad():
                    for xb, yb in val_loader:
                        xb, yb = xb.to(device), yb.to(device)
                        correct += (model(xb).argmax(1) == yb).sum().item()
                t2 = time.time()
                history.append({"epoch": epoch, "trainLoss": total / len(data), "valAccuracy": 100.0 * correct / len(val),
                                "seconds": t2 - t0, "trainSeconds": t1 - t0, "valSeconds": t2 - t1})
            desc = torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu (%d threads)" % torch.get_num_threads()
            out.write(json.dumps({"id": job["id"], "setupSeconds": setup, "wallSeconds": time.time() - t_start,
                                  "device": "torch %s %s fp32 (plain loop)" % (torch.__version__, desc),
                                  "epochs": history}) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
