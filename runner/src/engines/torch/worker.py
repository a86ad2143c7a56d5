#!/usr/bin/env python3
"""Pareto NAS torch worker: a long-lived process that trains networks described by a NetworkSpec.

Protocol: one JSON object per line on stdin (requests) and stdout (replies); logs go to stderr.
Only PyTorch (>= 1.13) and NumPy are needed.

Requests                                       Replies
  {"type": "hello"}                             {"type": "hello", "torch": ..., "device": ..., ...}
  {"type": "train", "id", "spec", "dataset",    {"type": "epoch", "id", "metrics"} per epoch, then
   "training", "weights", "saveWeightsTo"?,     {"type": "result", "id", "result"} or
   "checkpointDir"?, "measureInference"?,       {"type": "error", "id", "kind", "message"}
   "probeLogits"?}
  {"type": "predict", "id", "spec", "weights",  {"type": "logits", "id", "logits": [[...]]}
   "inputs"? | "dataset"+"split"+"limit"?}
  {"type": "bench", "id", "spec", "batchSize",  {"type": "bench", "id", "result": {"imagesPerSecond",
   "steps", "warmup", "mixedPrecision",          "seconds", "steps", "batchSize", "params", "device",
   "compile"?, "training"?}                      "maxMemoryMiB"? (CUDA only)}}
  {"type": "export", "id", "spec", "weights",   {"type": "exported", "id", "result": {"file", "format", ...}}
   "format": "onnx"|"torchscript", "out"}
  {"type": "bench-model", "id", "file",          {"type": "bench-model", "id", "result": {"imagesPerSecond", ...}}
   "input": [c, h, w], "batchSize", "seconds"}
  {"type": "cancel", "id"}                      (the running job ends with kind "cancelled")
  {"type": "stop", "id"}                        (early termination: the running training ends at its
                                                 next batch; its result holds the epochs finished so far)
  {"type": "shutdown"}                          (exits)

The network follows NSGA-Net's residual macro decoder (common/model/decode.ts): per phase an entry
conv (created always, applied only when entryConv.applied; 3x3 valid or 1x1, no bias), nodes
conv3x3(no bias) -> BN -> ReLU with concat + 1x1 conv processors for more than one input, an output
node concat (+ 1x1) -> BN -> ReLU, 2x2 max-pool after phases with poolAfter, GAP and a linear head.
Parameter names equal runner/src/engines/weights.ts (PyTorch layout); weights are saved as TF.js
model.json + weights.bin (float32 little-endian).

Inputs: images stay on the device in their stored dtype (uint8 / uint16 photon counts, or float32)
and are standardised per batch, per channel, with the training split's mean and standard deviation
of the values as stored (saved with the weights as userDefinedMetadata), so a uint8 dataset and a
float32 one holding the same values give the same inputs.

Speed ("speed" in a train request; how it trains, never what): "cudaGraphs" replays each full training
batch as one captured CUDA graph (learning rate in a device tensor, TensorSgd); "evalBatchSize" sets
the validation batch. Images always stay in their stored dtype (see Inputs). Epoch metrics carry trainSeconds/valSeconds, results setupSeconds.
"""

import json
import math
import os
import queue
import sys
import socket
import threading
import time
import traceback

# Protocol output goes to the real stdout; anything else that prints (libraries, warnings) goes to stderr.
_PROTO = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
sys.stdout = sys.stderr

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # pragma: no cover - reported to the TS side, which names the python path
    _PROTO.write(json.dumps({"type": "fatal", "kind": "engine-error", "message": "cannot import torch/numpy: %s" % e}) + "\n")
    _PROTO.flush()
    sys.exit(3)

_WRITE_LOCK = threading.Lock()
_TORCH_VERSION = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2] if p.isdigit())


def send(obj):
    line = json.dumps(obj, allow_nan=False) if _finite(obj) else json.dumps(_sanitize(obj))
    with _WRITE_LOCK:
        _PROTO.write(line + "\n")
        _PROTO.flush()


def _finite(obj):
    try:
        json.dumps(obj, allow_nan=False)
        return True
    except ValueError:
        return False


def _sanitize(obj):
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _sanitize(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_sanitize(v) for v in obj]
    return obj


def log(msg):
    sys.stderr.write("[torch-worker] %s\n" % msg)
    sys.stderr.flush()


class JobError(Exception):
    def __init__(self, kind, message):
        Exception.__init__(self, message)
        self.kind = kind


class Cancelled(JobError):
    def __init__(self):
        JobError.__init__(self, "cancelled", "cancelled")


# ---------------------------------------------------------------------------------------------
# Device and precision


def pick_device():
    want = os.environ.get("PARETO_NAS_DEVICE", "auto")
    if want == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda:0")
    if want == "cuda":
        raise JobError("bad-input", "engine.device is cuda but torch.cuda.is_available() is false (CUDA_VISIBLE_DEVICES=%s)"
                       % os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>"))
    return torch.device("cpu")


def bf16_supported(device):
    if device.type != "cuda":
        return False
    try:
        return bool(torch.cuda.is_bf16_supported())
    except Exception:
        return False


def precision_for(device, mode):
    """Returns (use_bf16, channels_last, note)."""
    if mode == "off":
        return False, False, "fp32"
    if bf16_supported(device):
        return True, True, "bf16+channels-last"
    if mode == "bf16":
        return False, False, "fp32 (bf16 requested; unsupported on %s)" % device
    return False, False, "fp32"


def device_description(device):
    if device.type == "cuda":
        return "torch %s %s (%s)" % (torch.__version__, device, torch.cuda.get_device_name(device))
    return "torch %s cpu (%d threads)" % (torch.__version__, torch.get_num_threads())


# ---------------------------------------------------------------------------------------------
# Network from spec


class Merging(nn.Module):
    """A node fed by several inputs concatenates them and merges them with a 1x1 conv."""

    def __init__(self, c, n_inputs):
        nn.Module.__init__(self)
        self.merge = nn.Conv2d(n_inputs * c, c, 1, bias=False) if n_inputs > 1 else None

    def merged(self, xs):
        return xs[0] if len(xs) == 1 else self.merge(torch.cat(xs, 1))


class Node(Merging):
    def __init__(self, c, n_inputs):
        # Registration order = weights.ts order: merge, conv, bn.
        Merging.__init__(self, c, n_inputs)
        self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c)

    def forward(self, xs):
        return F.relu(self.bn(self.conv(self.merged(xs))))


class Output(Merging):
    def __init__(self, c, n_inputs):
        Merging.__init__(self, c, n_inputs)
        self.bn = nn.BatchNorm2d(c)

    def forward(self, xs):
        return F.relu(self.bn(self.merged(xs)))


class Phase(nn.Module):
    def __init__(self, p, where):
        nn.Module.__init__(self)
        c = _int(p, "channels", where)
        cin = _int(p, "inChannels", where)
        entry = p.get("entryConv") or {}
        k = entry.get("kernel")
        if k not in (1, 3):
            raise JobError("bad-input", "%s.entryConv.kernel must be 1 or 3, got %r" % (where, k))
        self.entry = nn.Conv2d(cin, c, k, bias=False)
        self.entry_applied = bool(entry.get("applied"))
        if not self.entry_applied and cin != c:
            raise JobError("bad-input", "%s: entryConv.applied is false but inChannels %d != channels %d" % (where, cin, c))
        self.nodes = nn.ModuleDict()
        self.order = []
        seen = {0}
        for n in p.get("nodes", []):
            nid = _int(n, "id", where + ".nodes")
            inputs = [int(i) for i in n.get("inputs", [])]
            if not inputs or any(i not in seen for i in inputs):
                raise JobError("bad-input", "%s.nodes[id=%d].inputs %r must be non-empty and name the phase input (0) "
                               "or earlier nodes" % (where, nid, inputs))
            self.nodes[str(nid)] = Node(c, len(inputs))
            self.order.append((nid, inputs))
            seen.add(nid)
        out_inputs = [int(i) for i in (p.get("output") or {}).get("inputs", [])]
        if not out_inputs or any(i not in seen for i in out_inputs):
            raise JobError("bad-input", "%s.output.inputs %r must be non-empty and name the phase input or its nodes"
                           % (where, out_inputs))
        self.output = Output(c, len(out_inputs))
        self.out_inputs = out_inputs
        self.pool_after = bool(p.get("poolAfter"))

    def forward(self, x):
        if self.entry_applied:
            x = self.entry(x)
        outs = {0: x}
        for nid, inputs in self.order:
            outs[nid] = self.nodes[str(nid)]([outs[i] for i in inputs])
        y = self.output([outs[i] for i in self.out_inputs])
        if self.pool_after:
            y = F.max_pool2d(y, 2, 2)
        return y


class Net(nn.Module):
    def __init__(self, spec):
        nn.Module.__init__(self)
        if not isinstance(spec, dict) or spec.get("format") != "pareto-nas.network/1":
            raise JobError("bad-input", "spec.format must be \"pareto-nas.network/1\", got %r"
                           % (spec.get("format") if isinstance(spec, dict) else spec))
        self.phases = nn.ModuleList([Phase(p, "spec.phases[%d]" % j) for j, p in enumerate(spec.get("phases", []))])
        head = spec.get("head") or {}
        self.head = nn.Linear(_int(head, "inChannels", "spec.head"), _int(head, "classes", "spec.head"))

    def forward(self, x):
        for p in self.phases:
            x = p(x)
        return self.head(x.mean(dim=(2, 3)))


def _int(obj, key, where):
    v = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise JobError("bad-input", "%s.%s must be a non-negative integer, got %r" % (where, key, v))
    return v


def weight_tensors(model):
    """name -> tensor for every weight in weights.ts (state_dict minus num_batches_tracked)."""
    return {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}


def trainable_params(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def check_names(model, expected):
    """The TS side sends weights.ts's entries; the built network must have exactly these names and shapes."""
    if expected is None:
        return
    have = weight_tensors(model)
    want = {w["name"]: list(w["shape"]) for w in expected}
    missing = [n for n in want if n not in have]
    extra = [n for n in have if n not in want]
    wrong = [n for n in want if n in have and list(have[n].shape) != want[n]]
    if missing or extra or wrong:
        raise JobError("engine-error", "built network does not match weights.ts: missing %s, extra %s, shape mismatch %s"
                       % (missing[:5], extra[:5], [(n, list(have[n].shape), want[n]) for n in wrong[:5]]))


# ---------------------------------------------------------------------------------------------
# Weights files (TF.js layout, PyTorch tensor layout, names from weights.ts)


def save_weights(model, folder, spec, norm, order=None):
    os.makedirs(folder, exist_ok=True)
    tensors = weight_tensors(model)
    names = order if order is not None else list(tensors.keys())
    entries = []
    tmp_bin = os.path.join(folder, "weights.bin.tmp")
    with open(tmp_bin, "wb") as f:
        for name in names:
            arr = tensors[name].detach().float().cpu().contiguous().numpy().astype("<f4", copy=False)
            f.write(arr.tobytes())
            entries.append({"name": name, "shape": list(arr.shape), "dtype": "float32"})
    model_json = {
        "format": "pareto-nas.weights/1",
        "generatedBy": "pareto-nas torch worker (torch %s)" % torch.__version__,
        "convertedBy": None,
        "modelTopology": {"networkSpec": spec},
        "weightsManifest": [{"paths": ["weights.bin"], "weights": entries}],
        "userDefinedMetadata": {"layout": "pytorch", "normalization": norm},
    }
    tmp_json = os.path.join(folder, "model.json.tmp")
    with open(tmp_json, "w") as f:
        json.dump(model_json, f)
    os.replace(tmp_bin, os.path.join(folder, "weights.bin"))
    os.replace(tmp_json, os.path.join(folder, "model.json"))
    return folder


def load_weights(model, folder):
    path = os.path.join(folder, "model.json")
    try:
        with open(path) as f:
            mj = json.load(f)
    except (OSError, ValueError) as e:
        raise JobError("bad-input", "cannot read weights %s: %s" % (path, e))
    manifest = mj.get("weightsManifest")
    if not isinstance(manifest, list):
        raise JobError("bad-input", "%s has no weightsManifest list" % path)
    loaded = {}
    for group in manifest:
        blob = b"".join(open(os.path.join(folder, p), "rb").read() for p in group.get("paths", []))
        offset = 0
        for w in group.get("weights", []):
            dtype = w.get("dtype", "float32")
            if dtype != "float32":
                raise JobError("bad-input", "%s: weight %s has dtype %s; only float32 is supported" % (path, w.get("name"), dtype))
            shape = [int(s) for s in w["shape"]]
            n = int(np.prod(shape)) if shape else 1
            arr = np.frombuffer(blob, dtype="<f4", count=n, offset=offset).reshape(shape)
            offset += 4 * n
            loaded[w["name"]] = torch.from_numpy(arr.copy())
    have = weight_tensors(model)
    missing = [k for k in have if k not in loaded]
    if missing:
        raise JobError("bad-input", "%s lacks weights %s" % (path, missing[:5]))
    state = {}
    for k, v in have.items():
        if list(loaded[k].shape) != list(v.shape):
            raise JobError("bad-input", "%s: weight %s has shape %s, the network needs %s"
                           % (path, k, list(loaded[k].shape), list(v.shape)))
        state[k] = loaded[k]
    model.load_state_dict(state, strict=False)
    meta = mj.get("userDefinedMetadata") or {}
    return meta.get("normalization")


# ---------------------------------------------------------------------------------------------
# Datasets: loaded once, kept resident on the device


class Dataset(object):
    pass


_DATA = {"key": None, "data": None}


def load_dataset(folder, device):
    """The dataset on the device, images in their stored dtype (StoredImages)."""
    manifest_path = os.path.join(folder, "dataset.json")
    try:
        st = os.stat(manifest_path)
    except OSError:
        raise JobError("bad-input", "dataset %s has no dataset.json" % folder)
    key = (os.path.realpath(folder), st.st_mtime_ns, str(device))
    if _DATA["key"] == key:
        return _DATA["data"]
    _DATA["key"] = None
    _DATA["data"] = None
    if device.type == "cuda":
        torch.cuda.empty_cache()
    try:
        with open(manifest_path) as f:
            m = json.load(f)
    except ValueError as e:
        raise JobError("bad-input", "%s is not valid JSON: %s" % (manifest_path, e))
    if m.get("format") != "pareto-nas.dataset/1":
        raise JobError("bad-input", "%s: format must be \"pareto-nas.dataset/1\", got %r" % (manifest_path, m.get("format")))
    shape = m.get("shape")
    if not (isinstance(shape, list) and len(shape) == 3 and all(isinstance(s, int) and s > 0 for s in shape)):
        raise JobError("bad-input", "%s: shape must be [channels, height, width], got %r" % (manifest_path, shape))
    classes = m.get("classes")
    if not (isinstance(classes, list) and len(classes) >= 2):
        raise JobError("bad-input", "%s: classes must list at least 2 names, got %r" % (manifest_path, classes))
    dtype = m.get("dtype")
    if dtype not in ("float32", "uint8", "uint16"):
        raise JobError("bad-input", "%s: dtype must be float32, uint8 or uint16, got %r" % (manifest_path, dtype))
    d = Dataset()
    d.folder = folder
    d.shape = shape
    d.classes = len(classes)
    raw = {}
    for split in ("train", "val"):
        s = (m.get("splits") or {}).get(split)
        if not isinstance(s, dict):
            raise JobError("bad-input", "%s: splits.%s is missing" % (manifest_path, split))
        ipath = os.path.join(folder, str(s.get("images")))
        lpath = os.path.join(folder, str(s.get("labels")))
        try:
            images = np.load(ipath, mmap_mode="r")
            labels = np.load(lpath, mmap_mode="r")
        except (OSError, ValueError) as e:
            raise JobError("bad-input", "%s: cannot read splits.%s: %s" % (manifest_path, split, e))
        count = s.get("count")
        if list(images.shape) != [count] + shape:
            raise JobError("bad-input", "%s has shape %s; splits.%s.count and shape say %s"
                           % (ipath, list(images.shape), split, [count] + shape))
        if images.dtype != np.dtype(dtype):
            raise JobError("bad-input", "%s has dtype %s; the manifest says %s" % (ipath, images.dtype, dtype))
        if list(labels.shape) != [count]:
            raise JobError("bad-input", "%s has shape %s; expected [%s]" % (lpath, list(labels.shape), count))
        if labels.dtype.kind not in "iu":
            raise JobError("bad-input", "%s has dtype %s; expected int64" % (lpath, labels.dtype))
        if count and (int(labels.min()) < 0 or int(labels.max()) >= len(classes)):
            raise JobError("bad-input", "%s has labels outside [0, %d): min %d, max %d"
                           % (lpath, len(classes), int(labels.min()), int(labels.max())))
        raw[split] = (images, labels)
    if raw["train"][0].shape[0] == 0:
        raise JobError("bad-input", "%s: splits.train is empty" % manifest_path)
    # Per-channel mean and std of the training images (values as stored: photon counts stay counts,
    # whatever the dtype), in float64 and in chunks (mmap-friendly).
    c = shape[0]
    tot = np.zeros(c)
    tot2 = np.zeros(c)
    n = 0
    tr = raw["train"][0]
    for i in range(0, tr.shape[0], 1024):
        chunk = np.asarray(tr[i:i + 1024], dtype=np.float64)
        tot += chunk.sum(axis=(0, 2, 3))
        tot2 += (chunk * chunk).sum(axis=(0, 2, 3))
        n += chunk.shape[0] * chunk.shape[2] * chunk.shape[3]
    mean = tot / n
    std = np.sqrt(np.maximum(tot2 / n - mean * mean, 0))
    std[~(std > 1e-12)] = 1.0
    d.norm = {"mean": [float(v) for v in mean], "std": [float(v) for v in std]}
    for split in ("train", "val"):
        images, labels = raw[split]
        x = StoredImages(images, d.norm, device)
        y = torch.from_numpy(np.array(labels, dtype=np.int64)).to(device)
        setattr(d, split, (x, y))
    _DATA["key"] = key
    _DATA["data"] = d
    return d


class StoredImages(object):
    """A split's images resident on the device in their stored dtype (uint8 / uint16 photon counts
    take 1/4 / 1/2 of float32's memory), turned into normalised float32 per batch on the device:
    x[i:j] and x.index_select(0, idx) give (x - mean) / std. uint16 is kept as int16 bits (torch has
    no general uint16) and widened with & 0xFFFF."""

    def __init__(self, images, norm, device):
        self.kind = images.dtype
        c = images.shape[1]
        self.mean = torch.tensor(norm["mean"], dtype=torch.float32, device=device).view(1, c, 1, 1)
        self.std = torch.tensor(norm["std"], dtype=torch.float32, device=device).view(1, c, 1, 1)
        self.shape = tuple(images.shape)
        store = {np.dtype("uint8"): torch.uint8, np.dtype("uint16"): torch.int16}.get(self.kind, torch.float32)
        self.raw = torch.empty(self.shape, dtype=store, device=device)
        for i in range(0, self.shape[0], 4096):
            chunk = np.ascontiguousarray(images[i:i + 4096])
            if self.kind == np.dtype("uint16"):
                chunk = chunk.view(np.int16)
            self.raw[i:i + chunk.shape[0]] = torch.from_numpy(chunk).to(device)

    def _normalised(self, raw):
        if self.kind == np.dtype("uint16"):
            x = (raw.to(torch.int32) & 0xFFFF).to(torch.float32)
        else:
            x = raw.to(torch.float32)
        return (x - self.mean) / self.std

    def __getitem__(self, key):
        return self._normalised(self.raw[key])

    def index_select(self, dim, idx):
        return self._normalised(self.raw.index_select(dim, idx))

    def all(self):
        return self[0:self.shape[0]]


# ---------------------------------------------------------------------------------------------
# Training


class Job(object):
    def __init__(self, jid):
        self.id = jid
        self.cancelled = threading.Event()
        self.stopped = threading.Event()

    def check(self):
        if self.cancelled.is_set():
            raise Cancelled()


def lr_at(training, progress):
    """Learning rate at a point of training in epochs (fractional within an epoch): 'cosine' changes
    once per epoch (NSGA-Net), 'cosine-step' every batch (as the tfjs engine)."""
    lr = float(training.get("learningRate", 0.025))
    schedule = training.get("schedule", "cosine")
    if schedule == "constant":
        return lr
    epochs = int(training["epochs"])
    t = math.floor(progress) if schedule == "cosine" else progress
    return lr / 2.0 * (1.0 + math.cos(math.pi * t / epochs))


class Trainer(object):
    """One network, its optimiser and a training step without host synchronisation."""

    def __init__(self, spec, training, device, compile_model=False, graphs=False):
        self.device = device
        self.training = training
        seed = int(training.get("seed", 0))
        torch.manual_seed(seed)
        self.model = Net(spec)
        self.use_bf16, self.channels_last, self.precision = precision_for(device, training.get("mixedPrecision", "auto"))
        self.model.to(device)
        if self.channels_last:
            self.model.to(memory_format=torch.channels_last)
        kwargs = dict(lr=float(training.get("learningRate", 0.025)), momentum=float(training.get("momentum", 0.9)),
                      weight_decay=float(training.get("weightDecay", 3e-4)))
        try:
            self.opt = torch.optim.SGD(self.model.parameters(), foreach=True, **kwargs)
        except TypeError:
            self.opt = torch.optim.SGD(self.model.parameters(), **kwargs)
        self.clip = training.get("gradClip", 5)
        self.params = list(self.model.parameters())
        self.forward = self.model
        compiled = compile_model and hasattr(torch, "compile")
        if compiled:
            self.forward = torch.compile(self.model)
        # CUDA graphs need the learning rate on the device (TensorSgd); torch.compile brings its own.
        self.sgd = TensorSgd(self.opt, device) if graphs and not compiled else None
        self.capture = self.sgd is not None and device.type == "cuda"
        if self.capture:
            self.precision += "+cuda-graphs"

    def autocast(self):
        if self.use_bf16:
            # The autocast weight cache would hold tensors made during capture; graphs need it off.
            return torch.autocast(device_type="cuda", dtype=torch.bfloat16, cache_enabled=not self.capture)
        return _Null()

    def prep(self, x):
        if self.channels_last:
            return x.contiguous(memory_format=torch.channels_last)
        return x

    def set_lr(self, lr):
        for g in self.opt.param_groups:
            g["lr"] = lr
        if self.sgd is not None:
            self.sgd.set_lr(lr)

    def step(self, x, y):
        with self.autocast():
            out = self.forward(self.prep(x))
            loss = F.cross_entropy(out.float(), y)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if self.clip is not None:
            nn.utils.clip_grad_norm_(self.params, float(self.clip))
        if self.sgd is not None:
            self.sgd.step()
        else:
            self.opt.step()
        return loss.detach(), out.detach()

    def logits(self, x, batch):
        self.model.eval()
        outs = []
        with torch.no_grad(), self.autocast():
            for i in range(0, x.shape[0], batch):
                outs.append(self.forward(self.prep(x[i:i + batch])).float())
        return torch.cat(outs) if outs else torch.zeros(0, self.model.head.out_features, device=self.device)

    def accuracy(self, x, y, batch, job=None):
        self.model.eval()
        correct = torch.zeros((), dtype=torch.int64, device=self.device)
        with torch.no_grad(), self.autocast():
            for i in range(0, x.shape[0], batch):
                if job is not None:
                    job.check()
                out = self.forward(self.prep(x[i:i + batch]))
                correct += (out.argmax(1) == y[i:i + batch]).sum()
        n = x.shape[0]
        return 100.0 * correct.item() / n if n else 0.0


class TensorSgd(object):
    """torch.optim.SGD's update (weight decay, then momentum without dampening or Nesterov) with the
    learning rate in a device tensor, so a captured CUDA graph follows the schedule without being
    captured again. The momentum buffers live in opt.state, so checkpoints look as with opt.step();
    a zero buffer gives SGD's first step exactly (momentum * 0 + g = g)."""

    def __init__(self, opt, device):
        group = opt.param_groups[0]
        self.opt = opt
        self.params = list(group["params"])
        self.momentum = float(group["momentum"])
        self.weight_decay = float(group["weight_decay"])
        self.lr = torch.tensor(float(group["lr"]), dtype=torch.float32, device=device)

    def set_lr(self, lr):
        self.lr.fill_(lr)

    def step(self):
        # Like opt.step(), parameters without a gradient (an entry conv that is not applied) are left alone.
        live = [p for p in self.params if p.grad is not None]
        grads = [p.grad for p in live]
        if self.weight_decay:
            torch._foreach_add_(grads, live, alpha=self.weight_decay)
        if self.momentum:
            bufs = [self.buffer(p) for p in live]
            torch._foreach_mul_(bufs, self.momentum)
            torch._foreach_add_(bufs, grads)
            grads = bufs
        torch._foreach_sub_(live, self.scaled(grads))

    def scaled(self, tensors):
        # One fused launch where PyTorch has the tensor-scalar overload (>= 2.1); before, a tensor would
        # be read back to the host as a number, which a CUDA graph cannot capture.
        if _TORCH_VERSION >= (2, 1):
            return torch._foreach_mul(tensors, self.lr)
        return [t * self.lr for t in tensors]

    def buffer(self, p):
        state = self.opt.state[p]
        if state.get("momentum_buffer") is None:
            state["momentum_buffer"] = torch.zeros_like(p)
        return state["momentum_buffer"]


class EpochSteps(object):
    """The training steps of an epoch with the loss and accuracy summed on the device (read once per
    epoch). With trainer.capture, full batches run as one captured CUDA graph (gather, forward, loss,
    backward, clip, SGD, sums) replayed per batch: no launch cost per kernel and no host sync. The
    first WARMUP full batches run eagerly on a side stream (real steps, same arithmetic) so cuDNN has
    chosen its algorithms before the capture; a last, smaller batch always runs eagerly."""

    WARMUP = 3

    def __init__(self, trainer, xtr, ytr, batch):
        device = trainer.device
        self.trainer = trainer
        self.xtr, self.ytr, self.batch = xtr, ytr, batch
        self.loss_sum = torch.zeros((), dtype=torch.float32, device=device)
        self.correct = torch.zeros((), dtype=torch.int64, device=device)
        self.idx = torch.zeros(batch, dtype=torch.int64, device=device)
        self.graph = None
        self.warm = 0

    def begin(self):
        self.loss_sum.zero_()
        self.correct.zero_()

    def run(self, idx):
        if not self.trainer.capture or idx.shape[0] != self.batch:
            self.step(idx)
        elif self.graph is None and self.warm < self.WARMUP:
            self.warm += 1
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                self.step(idx)
            torch.cuda.current_stream().wait_stream(side)
        elif self.graph is None and not self.capture_or_fall_back():
            self.step(idx)
        else:
            self.idx.copy_(idx)
            self.graph.replay()

    def capture_or_fall_back(self):
        """Captures the step; if this PyTorch cannot (an op that syncs), the training goes on eagerly with
        the same arithmetic (a capture executes nothing) and the device string says so."""
        try:
            self.graph = self.captured()
            return True
        except Exception as e:  # noqa: B902 - any capture failure means: no graphs for this network
            log("CUDA graph capture failed, training this network without graphs: %s" % str(e).splitlines()[0])
            self.trainer.capture = False
            self.trainer.precision = self.trainer.precision.replace("+cuda-graphs", "+cuda-graphs-failed")
            return False

    def step(self, idx):
        x = self.xtr.index_select(0, idx)
        y = self.ytr.index_select(0, idx)
        loss, out = self.trainer.step(x, y)
        self.loss_sum += loss * y.shape[0]
        self.correct += (out.argmax(1) == y).sum()

    def captured(self):
        graph = torch.cuda.CUDAGraph()
        self.trainer.opt.zero_grad(set_to_none=True)  # gradients are allocated inside the graph's pool
        with torch.cuda.graph(graph):
            self.step(self.idx)
        return graph


class LossWatch(object):
    """Notices a non-finite running loss without stalling the device. On CUDA the check's result is
    copied to pinned host memory asynchronously and read at a later check, once it has arrived (so a
    divergence is caught a check or two late, never by waiting); on CPU reading it costs nothing."""

    def __init__(self, device):
        self.cuda = device.type == "cuda"
        self.host = torch.ones((), dtype=torch.bool).pin_memory() if self.cuda else None
        self.arrived = None

    def finite(self, loss_sum):
        if not self.cuda:
            return bool(torch.isfinite(loss_sum).item())
        ok = True
        if self.arrived is not None and self.arrived.query():
            ok = bool(self.host.item())
            self.arrived = None
        if self.arrived is None:
            self.host.copy_(torch.isfinite(loss_sum), non_blocking=True)
            self.arrived = torch.cuda.Event()
            self.arrived.record()
        return ok


class _Null(object):
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def checkpoint_path(folder):
    return os.path.join(folder, "checkpoint.pt")


def save_checkpoint(folder, trainer, spec, training, epoch_done, history, gen):
    os.makedirs(folder, exist_ok=True)
    tmp = checkpoint_path(folder) + ".tmp"
    torch.save({
        "version": 1,
        "spec": spec,
        "training": training,
        "epochsDone": epoch_done,
        "history": history,
        "model": trainer.model.state_dict(),
        "optimizer": trainer.opt.state_dict(),
        "shuffle": gen.get_state(),
        "rng": torch.get_rng_state(),
    }, tmp)
    os.replace(tmp, checkpoint_path(folder))


def load_checkpoint(folder, trainer, spec, training, gen):
    path = checkpoint_path(folder)
    if not os.path.exists(path):
        return 0, []
    try:
        try:  # our own file; PyTorch >= 2.6 defaults to weights_only=True, which refuses the RNG state
            ck = torch.load(path, map_location=trainer.device, weights_only=False)
        except TypeError:
            ck = torch.load(path, map_location=trainer.device)
    except Exception as e:
        raise JobError("bad-input", "cannot read checkpoint %s: %s" % (path, e))
    if ck.get("spec") != spec:
        raise JobError("bad-input", "checkpoint %s was written for a different network; delete it to start over" % path)
    for k in ("batchSize", "learningRate", "momentum", "weightDecay", "gradClip", "schedule", "seed", "epochs"):
        if ck["training"].get(k) != training.get(k):
            raise JobError("bad-input", "checkpoint %s used training.%s=%r, this job has %r; delete it to start over"
                           % (path, k, ck["training"].get(k), training.get(k)))
    trainer.model.load_state_dict(ck["model"])
    trainer.opt.load_state_dict(ck["optimizer"])
    gen.set_state(ck["shuffle"])
    torch.set_rng_state(ck["rng"])
    return int(ck["epochsDone"]), list(ck["history"])


def run_train(job, msg, device, compile_model):
    spec = msg["spec"]
    training = msg["training"]
    epochs = int(training.get("epochs", 1))
    batch = int(training.get("batchSize", 128))
    if epochs < 1 or batch < 1:
        raise JobError("bad-input", "training.epochs and training.batchSize must be >= 1, got %r and %r" % (epochs, batch))
    speed = msg.get("speed") or {}
    data = load_dataset(msg["dataset"], device)
    want_input = [spec["input"]["channels"], spec["input"]["height"], spec["input"]["width"]]
    if want_input != data.shape:
        raise JobError("bad-input", "spec.input is %s but dataset %s has images %s" % (want_input, msg["dataset"], data.shape))
    if spec.get("classes") != data.classes or spec["head"]["classes"] != data.classes:
        raise JobError("bad-input", "spec.classes is %r but dataset %s has %d classes"
                       % (spec.get("classes"), msg["dataset"], data.classes))
    t_setup = time.time()
    trainer = Trainer(spec, training, device, compile_model, bool(speed.get("cudaGraphs")))
    check_names(trainer.model, msg.get("weights"))
    gen = torch.Generator()
    gen.manual_seed(int(training.get("seed", 0)))
    start, history = 0, []
    ckdir = msg.get("checkpointDir")
    if ckdir:
        start, history = load_checkpoint(ckdir, trainer, spec, training, gen)
        if start:
            log("%s: resuming from epoch %d of %d (%s)" % (job.id, start, epochs, checkpoint_path(ckdir)))
    xtr, ytr = data.train
    xva, yva = data.val
    n = xtr.shape[0]
    eval_batch = int(speed.get("evalBatchSize") or max(batch, 256))
    steps = EpochSteps(trainer, xtr, ytr, batch)
    watch = LossWatch(device)
    setup_seconds = time.time() - t_setup
    for epoch in range(start, epochs):
        t0 = time.time()
        lr = lr_at(training, epoch)
        trainer.set_lr(lr)
        trainer.model.train()
        # The permutation is drawn on the host (the checkpointed generator) once per epoch; the
        # batches are gathered from the resident data on the device.
        perm = torch.randperm(n, generator=gen).to(device)
        steps.begin()
        for k, i in enumerate(range(0, n, batch)):
            job.check()
            if job.stopped.is_set():
                break
            if training.get("schedule") == "cosine-step":
                trainer.set_lr(lr_at(training, epoch + i / n))
            steps.run(perm[i:i + batch])
            if (k + 1) % 50 == 0 and not watch.finite(steps.loss_sum):
                raise JobError("nan-loss", "training loss became %s in epoch %d (step %d, lr %.4g)"
                               % (steps.loss_sum.item(), epoch, k + 1, lr))
        if job.stopped.is_set():
            break  # early termination: the epoch in progress is discarded
        train_loss = steps.loss_sum.item() / n
        t_train = time.time()
        if not math.isfinite(train_loss):
            raise JobError("nan-loss", "training loss became %s in epoch %d (lr %.4g)" % (train_loss, epoch, lr))
        val_acc = trainer.accuracy(xva, yva, eval_batch, job)
        t_val = time.time()
        metrics = {"epoch": epoch, "trainLoss": train_loss, "trainAccuracy": 100.0 * steps.correct.item() / n,
                   "valAccuracy": val_acc, "learningRate": lr, "seconds": t_val - t0,
                   "trainSeconds": t_train - t0, "valSeconds": t_val - t_train, "images": n}
        history.append(metrics)
        send({"type": "epoch", "id": job.id, "metrics": metrics})
        if ckdir:
            save_checkpoint(ckdir, trainer, spec, training, epoch + 1, history, gen)
    result = {
        "epochs": history,
        "valAccuracy": history[-1]["valAccuracy"] if history else 0.0,
        "params": trainable_params(trainer.model),
        "device": "%s %s" % (device_description(device), trainer.precision),
        "setupSeconds": setup_seconds,
    }
    order = [w["name"] for w in msg["weights"]] if msg.get("weights") else None
    if msg.get("saveWeightsTo"):
        result["weights"] = save_weights(trainer.model, msg["saveWeightsTo"], spec, data.norm, order)
    if msg.get("measureInference"):
        result["inference"] = measure_inference(trainer, xva, batch)
    if msg.get("probeLogits"):
        k = int(msg["probeLogits"])
        result["probe"] = trainer.logits(xva[:k], batch).cpu().tolist()
    return result


def measure_inference(trainer, x, batch):
    """Time to classify the validation split (after one warm-up batch), on the training device."""
    n = x.shape[0]
    if n == 0:
        return {"images": 0, "seconds": 0.0, "perImageMs": 0.0}
    trainer.logits(x[:batch], batch)
    sync(trainer.device)
    t0 = time.perf_counter()
    out = trainer.logits(x, batch)
    out.sum().item()
    sync(trainer.device)
    sec = time.perf_counter() - t0
    return {"images": int(n), "seconds": sec, "perImageMs": 1000.0 * sec / n}


def run_predict(msg, device):
    spec = msg["spec"]
    model = Net(spec).to(device)
    norm = load_weights(model, msg["weights"])
    model.eval()
    if msg.get("inputs") is not None:
        inp = msg["inputs"]
        x = torch.tensor(inp["data"], dtype=torch.float32).view(*inp["shape"]).to(device)
    else:
        data = load_dataset(msg["dataset"], device)
        x = getattr(data, msg.get("split", "val"))[0].all()
        if norm and norm != data.norm:
            # Re-normalise with the statistics the weights were trained with.
            c = x.shape[1]
            a = torch.tensor(data.norm["std"], device=device).view(1, c, 1, 1)
            b = torch.tensor(data.norm["mean"], device=device).view(1, c, 1, 1)
            m = torch.tensor(norm["mean"], device=device).view(1, c, 1, 1)
            s = torch.tensor(norm["std"], device=device).view(1, c, 1, 1)
            x = (x * a + b - m) / s
        if msg.get("limit") is not None:
            x = x[: int(msg["limit"])]
    with torch.no_grad():
        out = torch.cat([model(x[i:i + 256]) for i in range(0, x.shape[0], 256)]) if x.shape[0] else torch.zeros(0)
    return out.float().cpu().tolist()


def run_bench(job, msg, device, compile_model):
    """Training throughput on random data resident on the device (no input pipeline)."""
    spec = msg["spec"]
    batch = int(msg.get("batchSize", 128))
    steps = int(msg.get("steps", 20))
    warmup = int(msg.get("warmup", 3))
    # the engine sends the settings (common/config.ts defaults); used directly, the Trainer's fallbacks apply
    training = dict(msg.get("training") or {"mixedPrecision": msg.get("mixedPrecision", "auto"), "seed": 0})
    trainer = Trainer(spec, training, device, compile_model or bool(msg.get("compile")))
    i = spec["input"]
    g = torch.Generator(device=device) if device.type == "cuda" else torch.Generator()
    g.manual_seed(0)
    pool = max(1, min(4, int(msg.get("distinctBatches", 4))))
    xs = torch.randn(pool, batch, i["channels"], i["height"], i["width"], generator=g, device=device)
    ys = torch.randint(0, spec["classes"], (pool, batch), generator=g, device=device)
    trainer.model.train()
    loss_sum = torch.zeros((), device=device)
    for s in range(warmup):
        job.check()
        loss, _ = trainer.step(xs[s % pool], ys[s % pool])
        loss_sum += loss
    sync(device)
    t0 = time.perf_counter()
    for s in range(steps):
        job.check()
        loss, _ = trainer.step(xs[s % pool], ys[s % pool])
        loss_sum += loss
    loss_sum.item()
    sync(device)
    sec = time.perf_counter() - t0
    out = {"imagesPerSecond": steps * batch / sec, "seconds": sec, "steps": steps, "batchSize": batch,
           "params": trainable_params(trainer.model), "device": "%s %s" % (device_description(device), trainer.precision)}
    if device.type == "cuda":
        out["maxMemoryMiB"] = torch.cuda.max_memory_allocated(device) / 2 ** 20
    return out


# ---------------------------------------------------------------------------------------------
# Export: a trained network as a file a workflow loads without Pareto NAS (ONNX or TorchScript)


class Normalized(nn.Module):
    """The network with the dataset's input transform in front, so the exported model takes the
    images as they are stored (photon counts) and gives the same logits the engine computes."""

    def __init__(self, net, norm, channels):
        nn.Module.__init__(self)
        self.net = net
        mean = torch.tensor(norm["mean"], dtype=torch.float32).view(1, channels, 1, 1)
        std = torch.tensor(norm["std"], dtype=torch.float32).view(1, channels, 1, 1)
        # (x - mean) / std as one multiply-add.
        self.register_buffer("mul", 1.0 / std)
        self.register_buffer("add", -mean / std)

    def forward(self, x):
        return self.net(x * self.mul + self.add)


def run_export(msg):
    spec = msg["spec"]
    fmt = msg.get("format")
    if fmt not in ("onnx", "torchscript"):
        raise JobError("bad-input", "format must be onnx or torchscript, got %r" % fmt)
    net = Net(spec)
    norm = load_weights(net, msg["weights"])
    i = spec["input"]
    c, h, w = i["channels"], i["height"], i["width"]
    if not norm:
        norm = {"mean": [0.0] * c, "std": [1.0] * c}
    model = Normalized(net, norm, c).eval()
    example = torch.zeros(2, c, h, w)
    out = msg["out"]
    tmp = out + ".tmp"
    with torch.no_grad():
        if fmt == "onnx":
            opset = int(msg.get("opset", 13))
            torch.onnx.export(model, example, tmp, input_names=["images"], output_names=["logits"],
                              dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}},
                              opset_version=opset, do_constant_folding=True)
        else:
            traced = torch.jit.trace(model, example)
            traced.save(tmp)
    os.replace(tmp, out)
    result = {"file": out, "format": fmt, "torch": torch.__version__, "normalization": norm}
    if fmt == "onnx":
        result["opset"] = opset
    return result


def run_bench_model(job, msg, device):
    """Inference throughput and per-batch latency of an exported TorchScript file on this worker's device."""
    model = torch.jit.load(msg["file"], map_location=device).eval()
    c, h, w = [int(v) for v in msg["input"]]
    batch = int(msg.get("batchSize", 256))
    budget = float(msg.get("seconds", 3.0))
    x = torch.rand(batch, c, h, w, device=device)
    with torch.no_grad():
        for _ in range(3):
            job.check()
            model(x)
        sync(device)
        times = []
        t_end = time.perf_counter() + budget
        while len(times) < 5 or (time.perf_counter() < t_end and len(times) < 10000):
            job.check()
            t0 = time.perf_counter()
            model(x)
            sync(device)
            times.append(time.perf_counter() - t0)
    return {"latenciesMs": [1000.0 * t for t in times], "batchSize": batch, "device": device_description(device)}


# ---------------------------------------------------------------------------------------------
# Main loop


def classify(e):
    if isinstance(e, JobError):
        return e.kind, str(e)
    text = str(e)
    oom = getattr(torch.cuda, "OutOfMemoryError", None)
    if (oom is not None and isinstance(e, oom)) or "out of memory" in text.lower() or "can't allocate memory" in text:
        return "out-of-memory", text.splitlines()[0] if text else "out of memory"
    if isinstance(e, MemoryError):
        return "out-of-memory", "host out of memory"
    if isinstance(e, (KeyError, TypeError, ValueError)):
        return "bad-input", "%s: %s" % (type(e).__name__, text)
    return "engine-error", "%s: %s" % (type(e).__name__, text)


def main():
    threads = os.environ.get("PARETO_NAS_TORCH_THREADS")
    if threads:
        torch.set_num_threads(max(1, int(threads)))
    compile_model = os.environ.get("PARETO_NAS_TORCH_COMPILE") == "1"
    try:
        device = pick_device()
    except JobError as e:
        send({"type": "fatal", "kind": e.kind, "message": str(e)})
        return 2
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        try:
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        except Exception:
            pass

    requests = queue.Queue()
    current = {"job": None}
    lock = threading.Lock()

    def reader():
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                msg = json.loads(line)
            except ValueError:
                log("ignoring a line that is not JSON: %r" % line[:200])
                continue
            if msg.get("type") in ("cancel", "stop"):
                with lock:
                    job = current["job"]
                    if job is not None and (msg.get("id") is None or msg.get("id") == job.id):
                        (job.cancelled if msg["type"] == "cancel" else job.stopped).set()
                continue
            requests.put(msg)
        # stdin closed: the runner is gone; stop what is running and exit.
        with lock:
            if current["job"] is not None:
                current["job"].cancelled.set()
        requests.put({"type": "shutdown"})

    threading.Thread(target=reader, daemon=True).start()

    while True:
        msg = requests.get()
        kind = msg.get("type")
        if kind == "shutdown":
            return 0
        jid = msg.get("id")
        if kind == "hello":
            gpus = []
            if torch.cuda.is_available():
                gpus = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
            send({"type": "hello", "id": jid, "torch": torch.__version__, "numpy": np.__version__,
                  "python": sys.version.split()[0], "device": str(device), "description": device_description(device),
                  "gpus": gpus, "bf16": bf16_supported(device), "threads": torch.get_num_threads(),
                  "cudaVisibleDevices": os.environ.get("CUDA_VISIBLE_DEVICES"),
                  "node": os.environ.get("SLURMD_NODENAME") or socket.gethostname()})
            continue
        job = Job(jid)
        with lock:
            current["job"] = job
        try:
            if kind == "train":
                result = run_train(job, msg, device, compile_model)
                send({"type": "result", "id": jid, "result": result})
            elif kind == "predict":
                send({"type": "logits", "id": jid, "logits": run_predict(msg, device)})
            elif kind == "bench":
                send({"type": "bench", "id": jid, "result": run_bench(job, msg, device, compile_model)})
            elif kind == "export":
                send({"type": "exported", "id": jid, "result": run_export(msg)})
            elif kind == "bench-model":
                send({"type": "bench-model", "id": jid, "result": run_bench_model(job, msg, device)})
            else:
                send({"type": "error", "id": jid, "kind": "bad-input", "message": "unknown request type %r" % kind})
        except BaseException as e:  # noqa: B902 - every failure goes back to the runner
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            k, message = classify(e)
            if k == "engine-error":
                traceback.print_exc(file=sys.stderr)
            send({"type": "error", "id": jid, "kind": k, "message": message})
            if device.type == "cuda" and k == "out-of-memory":
                torch.cuda.empty_cache()
        finally:
            with lock:
                current["job"] = None


if __name__ == "__main__":
    sys.exit(main())
