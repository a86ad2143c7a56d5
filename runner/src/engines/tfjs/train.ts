// The training loop, in the process that owns the TF.js backend (the engine's worker, or a test).
// NSGA-Net's settings as the torch engine applies them: SGD momentum with weight decay added to the
// gradient (after gradient-norm clipping, as torch.optim.SGD after clip_grad_norm_), cosine learning
// rate per epoch, mean cross-entropy, BatchNorm in training mode; validation accuracy every epoch.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainingSettings } from '../../../../common/config';
import { cost } from '../../../../common/model/cost';
import type { NetworkSpec } from '../../../../common/model/spec';
import {
  benchTraining,
  TrainingError,
  type BenchRequest,
  type BenchResult,
  type EpochMetrics,
  type InferenceTiming,
  type TrainJob,
  type TrainResult,
} from '../engine';
import { weightEntries } from '../weights';
import { currentBackend } from './backend';
import { epochOrder, fillBatch, loadDataset, nchwToNhwc, type LoadedDataset, type Normalization } from './data';
import { crossEntropy } from './gradients';
import { seededRandom, TfjsNetwork } from './network';
import { tf, type Tensor, type Tensor1D, type Tensor4D, type Variable } from './tf';
import { loadNetwork, loadTensors, removeIfExists, saveNetwork, saveTensors } from './weights-io';

export interface TfjsTrainJob extends TrainJob {
  /** Also return the logits of the first k validation images (as the torch engine's probeLogits). */
  probeLogits?: number;
}

export interface TfjsTrainResult extends TrainResult {
  probe?: number[][];
}

export interface RunControl {
  /** True once the job should stop (checked between batches). */
  cancelled(): boolean;
  /** True once early termination asked to end training (checked between batches; the epoch in progress is discarded). */
  stopped?(): boolean;
  onEpoch?(metrics: EpochMetrics): void;
  log?(line: string): void;
}

export type PredictRequest =
  | { spec: NetworkSpec; weights: string; inputs: { shape: number[]; data: number[] } }
  | { spec: NetworkSpec; weights: string; dataset: string; split?: 'train' | 'val'; limit?: number };

const yieldToEvents = () => new Promise<void>((r) => setImmediate(r));

/**
 * The learning rate at a point of training measured in epochs (fractional within an epoch):
 * 'cosine' changes it once per epoch (NSGA-Net), 'cosine-step' every batch.
 */
export function learningRate(training: TrainingSettings, progress: number): number {
  if (training.schedule === 'constant') return training.learningRate;
  const t = training.schedule === 'cosine' ? Math.floor(progress) : progress;
  return (training.learningRate / 2) * (1 + Math.cos((Math.PI * t) / training.epochs));
}

/** A network with its SGD state; one optimisation step at a time. */
export class Trainer {
  readonly net: TfjsNetwork;
  private readonly vars: Variable[];
  readonly momentum = new Map<string, Variable>();

  constructor(
    spec: NetworkSpec,
    private readonly training: TrainingSettings,
  ) {
    this.net = new TfjsNetwork(spec, training.seed);
    this.vars = this.net.trainableVariables();
    for (const p of this.net.params.values()) {
      if (!p.trainable) continue;
      this.momentum.set(p.name, tf().variable(tf().zerosLike(p.variable), false, `${this.net.id}/momentum/${p.name}`));
    }
  }

  /** One SGD step on an NHWC batch; returns the mean loss and the number of correct predictions (not yet read). */
  step(x: Tensor4D, y: Tensor1D, lr: number): { loss: Tensor; correct: Tensor } {
    const t = tf();
    const { momentum: mu, weightDecay: wd, gradClip } = this.training;
    let correct: Tensor | undefined;
    const { value, grads } = t.variableGrads(() => {
      const logits = this.net.forward(x, true);
      correct = t.keep(t.sum(t.cast(t.equal(t.argMax(logits, 1), y), 'int32')));
      return crossEntropy(logits, y) as never;
    }, this.vars);
    t.tidy(() => {
      let coef: Tensor | number = 1;
      if (gradClip != null) {
        const norm = t.sqrt(t.addN(this.vars.map((v) => t.sum(t.square(grads[v.name])))));
        coef = t.minimum(1, t.div(gradClip, t.add(norm, 1e-6)));
      }
      for (const p of this.net.params.values()) {
        if (!p.trainable) continue;
        const v = p.variable;
        const buf = this.momentum.get(p.name)!;
        let d = t.mul(grads[v.name], coef);
        if (wd) d = t.add(d, t.mul(v, wd));
        const nextBuf = t.add(t.mul(buf, mu), d);
        buf.assign(nextBuf);
        v.assign(t.sub(v, t.mul(nextBuf, lr)));
      }
    });
    for (const g of Object.values(grads)) g.dispose();
    return { loss: value, correct: correct! };
  }

  dispose(): void {
    for (const m of this.momentum.values()) m.dispose();
    this.net.dispose();
  }
}

/** Logits of an NHWC float32 array in inference mode, in batches. */
export async function predictLogits(
  net: TfjsNetwork,
  data: Float32Array,
  n: number,
  batch = 256,
): Promise<Float32Array> {
  const { channels: c, height: h, width: w } = net.spec.input;
  const k = net.spec.classes;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i += batch) {
    const b = Math.min(batch, n - i);
    const x = tf().tensor4d(data.subarray(i * h * w * c, (i + b) * h * w * c), [b, h, w, c]);
    const logits = tf().tidy(() => net.forward(x, false));
    out.set(await logits.data<'float32'>(), i * k);
    x.dispose();
    logits.dispose();
  }
  return out;
}

/** Top-1 accuracy (percent) of a split in inference mode. */
async function evaluate(
  net: TfjsNetwork,
  ds: LoadedDataset,
  split: 'train' | 'val',
  batch: number,
  control?: RunControl,
): Promise<number> {
  const s = ds[split];
  if (s.count === 0) return 0;
  const [c, h, w] = ds.shape;
  const buf = new Float32Array(batch * c * h * w);
  let correct = 0;
  for (let i = 0; i < s.count; i += batch) {
    if (control?.cancelled()) throw new TrainingError('cancelled', 'training was cancelled');
    const b = Math.min(batch, s.count - i);
    const idx = Int32Array.from({ length: b }, (_, j) => i + j);
    fillBatch(s.images, ds.shape, ds.scale, ds.norm, idx, buf);
    const x = tf().tensor4d(buf.subarray(0, b * c * h * w), [b, h, w, c]);
    const y = tf().tensor1d(s.labels.subarray(i, i + b), 'int32');
    const hits = tf().tidy(() => tf().sum(tf().cast(tf().equal(tf().argMax(net.forward(x, false), 1), y), 'int32')));
    correct += (await hits.data())[0];
    tf().dispose([x, y, hits]);
    await yieldToEvents();
  }
  return (100 * correct) / s.count;
}

function checkSpecAgainstData(spec: NetworkSpec, ds: LoadedDataset): void {
  const want = [spec.input.channels, spec.input.height, spec.input.width];
  if (want.join() !== ds.shape.join()) {
    throw new TrainingError('bad-input', `spec.input is [${want}] but dataset ${ds.dir} has images [${ds.shape}]`);
  }
  if (spec.classes !== ds.classes || spec.head.classes !== ds.classes) {
    throw new TrainingError(
      'bad-input',
      `spec.classes is ${spec.classes} but dataset ${ds.dir} has ${ds.classes} classes`,
    );
  }
}

function checkParams(net: TfjsNetwork): number {
  const built = net.countParams();
  const analytic = cost(net.spec).params;
  if (built !== analytic)
    throw new TrainingError('engine-error', `built network has ${built} parameters, the analytic count is ${analytic}`);
  return built;
}

// ---- checkpoints: <checkpointDir>/tfjs/model.json + weights-e<epoch>.bin (weights, momentum buffers, history)

const CHECKPOINT_KEYS = [
  'batchSize',
  'learningRate',
  'momentum',
  'weightDecay',
  'gradClip',
  'schedule',
  'seed',
  'epochs',
] as const;

async function saveCheckpoint(
  dir: string,
  trainer: Trainer,
  training: TrainingSettings,
  epochsDone: number,
  history: EpochMetrics[],
  norm: Normalization,
): Promise<void> {
  const folder = join(dir, 'tfjs');
  const bin = `weights-e${epochsDone}.bin`;
  const tensors: Array<{ name: string; tensor: Tensor }> = [];
  try {
    for (const p of trainer.net.params.values()) tensors.push({ name: p.name, tensor: tf().clone(p.variable) });
    for (const [name, m] of trainer.momentum)
      tensors.push({ name: `optimizer.momentum.${name}`, tensor: tf().clone(m) });
    const raw = await saveTensors(
      folder,
      tensors,
      { networkSpec: trainer.net.spec },
      { layout: 'tfjs', kind: 'checkpoint', training, epochsDone, history, normalization: norm },
      bin,
    );
    for (const f of readdirSync(raw)) if (/^weights-e\d+\.bin$/.test(f) && f !== bin) removeIfExists(join(raw, f));
  } finally {
    for (const t of tensors) t.tensor.dispose();
  }
}

async function loadCheckpoint(
  dir: string,
  trainer: Trainer,
  training: TrainingSettings,
): Promise<{ epochsDone: number; history: EpochMetrics[] }> {
  const folder = join(dir, 'tfjs');
  const path = join(folder, 'model.json');
  if (!existsSync(path)) return { epochsDone: 0, history: [] };
  const json = JSON.parse(readFileSync(path, 'utf8')) as { modelTopology?: { networkSpec?: unknown } };
  if (JSON.stringify(json.modelTopology?.networkSpec) !== JSON.stringify(trainer.net.spec)) {
    throw new TrainingError(
      'bad-input',
      `checkpoint ${path} was written for a different network; delete it to start over`,
    );
  }
  const { tensors, metadata } = await loadTensors(folder);
  try {
    const saved = metadata.training as Partial<TrainingSettings>;
    for (const k of CHECKPOINT_KEYS) {
      if (saved?.[k] !== training[k]) {
        throw new TrainingError(
          'bad-input',
          `checkpoint ${path} used training.${k}=${JSON.stringify(saved?.[k])}, this job has ${JSON.stringify(training[k])}; delete it to start over`,
        );
      }
    }
    // Checkpoint tensors are in this engine's own layout: assign directly.
    for (const p of trainer.net.params.values()) {
      const t = tensors.get(p.name);
      if (!t || t.shape.join() !== p.variable.shape.join())
        throw new TrainingError('bad-input', `checkpoint ${path}: weight ${p.name} is missing or has the wrong shape`);
      p.variable.assign(t);
    }
    for (const [name, m] of trainer.momentum) {
      const t = tensors.get(`optimizer.momentum.${name}`);
      if (!t) throw new TrainingError('bad-input', `checkpoint ${path}: momentum of ${name} is missing`);
      m.assign(t);
    }
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return { epochsDone: Number(metadata.epochsDone ?? 0), history: (metadata.history as EpochMetrics[]) ?? [] };
}

/** Trains one job to completion in this process. */
export async function trainInProcess(job: TfjsTrainJob, control: RunControl): Promise<TfjsTrainResult> {
  const backend = currentBackend();
  if (!backend) throw new TrainingError('engine-error', 'the tfjs backend is not started (startBackend)');
  const { spec, training } = job;
  const ds = await loadDataset(job.dataset);
  checkSpecAgainstData(spec, ds);
  const names = weightEntries(spec).map((e) => e.name);
  const trainer = new Trainer(spec, training);
  try {
    if ([...trainer.net.params.keys()].join() !== names.join())
      throw new TrainingError('engine-error', 'built network does not match weights.ts');
    const params = checkParams(trainer.net);
    let { epochsDone, history } = job.checkpointDir
      ? await loadCheckpoint(job.checkpointDir, trainer, training)
      : { epochsDone: 0, history: [] as EpochMetrics[] };
    if (epochsDone > 0) control.log?.(`${job.id}: resuming from epoch ${epochsDone} of ${training.epochs}`);
    const [c, h, w] = ds.shape;
    const n = ds.train.count;
    const batch = training.batchSize;
    const buf = new Float32Array(batch * c * h * w);
    const evalBatch = Math.max(batch, 256);
    epochs: for (let epoch = epochsDone; epoch < training.epochs; epoch++) {
      const t0 = performance.now();
      const lr = learningRate(training, epoch);
      const order = epochOrder(n, training.seed, epoch, seededRandom);
      let lossSum = 0;
      let correct = 0;
      for (let i = 0; i < n; i += batch) {
        if (control.cancelled()) throw new TrainingError('cancelled', 'training was cancelled');
        if (control.stopped?.()) break epochs;
        const b = Math.min(batch, n - i);
        const idx = order.subarray(i, i + b);
        fillBatch(ds.train.images, ds.shape, ds.scale, ds.norm, idx, buf);
        const x = tf().tensor4d(buf.subarray(0, b * c * h * w), [b, h, w, c]);
        const labels = Int32Array.from(idx, (k) => ds.train.labels[k]);
        const y = tf().tensor1d(labels, 'int32');
        const { loss, correct: hits } = trainer.step(x, y, learningRate(training, epoch + i / n));
        const [lossValue] = await loss.data();
        const [hitCount] = await hits.data();
        tf().dispose([x, y, loss, hits]);
        if (!Number.isFinite(lossValue)) {
          throw new TrainingError(
            'nan-loss',
            `training loss became ${lossValue} in epoch ${epoch} (step ${i / batch + 1}, lr ${lr.toPrecision(4)})`,
          );
        }
        lossSum += lossValue * b;
        correct += hitCount;
        await yieldToEvents();
      }
      const valAccuracy = await evaluate(trainer.net, ds, 'val', evalBatch, control);
      const metrics: EpochMetrics = {
        epoch,
        trainLoss: lossSum / n,
        trainAccuracy: (100 * correct) / n,
        valAccuracy,
        learningRate: lr,
        seconds: (performance.now() - t0) / 1000,
      };
      history = [...history, metrics];
      control.onEpoch?.(metrics);
      if (job.checkpointDir) await saveCheckpoint(job.checkpointDir, trainer, training, epoch + 1, history, ds.norm);
    }
    const result: TfjsTrainResult = {
      epochs: history,
      valAccuracy: history.at(-1)?.valAccuracy ?? 0,
      params,
      device: backend.description,
    };
    if (job.saveWeightsTo) result.weights = await saveNetwork(trainer.net, job.saveWeightsTo, ds.norm);
    if (job.measureInference) result.inference = await measureInference(trainer.net, ds, evalBatch);
    if (job.probeLogits) {
      const k = Math.min(job.probeLogits, ds.val.count);
      const data = new Float32Array(k * c * h * w);
      fillBatch(
        ds.val.images,
        ds.shape,
        ds.scale,
        ds.norm,
        Int32Array.from({ length: k }, (_, j) => j),
        data,
      );
      result.probe = rows(await predictLogits(trainer.net, data, k), spec.classes);
    }
    return result;
  } finally {
    trainer.dispose();
  }
}

async function measureInference(net: TfjsNetwork, ds: LoadedDataset, batch: number): Promise<InferenceTiming> {
  const n = ds.val.count;
  if (n === 0) return { images: 0, seconds: 0, perImageMs: 0 };
  const [c, h, w] = ds.shape;
  const data = new Float32Array(n * c * h * w);
  fillBatch(
    ds.val.images,
    ds.shape,
    ds.scale,
    ds.norm,
    Int32Array.from({ length: n }, (_, j) => j),
    data,
  );
  await predictLogits(net, data.subarray(0, Math.min(batch, n) * c * h * w), Math.min(batch, n), batch); // warm-up
  const t0 = performance.now();
  await predictLogits(net, data, n, batch);
  const seconds = (performance.now() - t0) / 1000;
  return { images: n, seconds, perImageMs: (1000 * seconds) / n };
}

function rows(flat: Float32Array, k: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += k) out.push(Array.from(flat.subarray(i, i + k)));
  return out;
}

/** Logits [n][classes] of a network loaded from a weights folder, in inference mode. Inputs are NCHW
 * as given (not normalised); a dataset split is normalised with the statistics saved with the weights. */
export async function predictInProcess(req: PredictRequest): Promise<number[][]> {
  const net = new TfjsNetwork(req.spec, 0);
  try {
    const meta = await loadNetwork(net, req.weights);
    const { channels: c, height: h, width: w } = req.spec.input;
    let data: Float32Array;
    let n: number;
    if ('inputs' in req) {
      const s = req.inputs.shape;
      if (s.length !== 4 || s[1] !== c || s[2] !== h || s[3] !== w)
        throw new TrainingError('bad-input', `inputs have shape [${s}], the network takes [N,${c},${h},${w}]`);
      n = s[0];
      if (req.inputs.data.length !== n * c * h * w)
        throw new TrainingError(
          'bad-input',
          `inputs hold ${req.inputs.data.length} values, shape [${s}] needs ${n * c * h * w}`,
        );
      data = nchwToNhwc(req.inputs.data, n, c, h, w);
    } else {
      const ds = await loadDataset(req.dataset);
      checkSpecAgainstData(req.spec, ds);
      const split = ds[req.split ?? 'val'];
      n = Math.min(split.count, req.limit ?? split.count);
      data = new Float32Array(n * c * h * w);
      const norm = meta.normalization ?? ds.norm;
      fillBatch(
        split.images,
        ds.shape,
        ds.scale,
        norm,
        Int32Array.from({ length: n }, (_, j) => j),
        data,
      );
    }
    return rows(await predictLogits(net, data, n), req.spec.classes);
  } finally {
    net.dispose();
  }
}

/** Training throughput (images/s) on random data, no input pipeline: the `bench` measurement. */
export async function benchInProcess(req: BenchRequest, control: RunControl): Promise<BenchResult> {
  const backend = currentBackend();
  if (!backend) throw new TrainingError('engine-error', 'the tfjs backend is not started (startBackend)');
  const training = { ...benchTraining(req), mixedPrecision: 'off' as const }; // tfjs trains in fp32
  const trainer = new Trainer(req.spec, training);
  const { channels: c, height: h, width: w } = req.spec.input;
  const b = req.batchSize;
  const random = seededRandom(1);
  const batches = Array.from({ length: 2 }, () => {
    const x = tf().tensor4d(
      Float32Array.from({ length: b * h * w * c }, () => random() * 2 - 1),
      [b, h, w, c],
    );
    const y = tf().tensor1d(
      Int32Array.from({ length: b }, () => Math.floor(random() * req.spec.classes)),
      'int32',
    );
    return { x, y };
  });
  try {
    const run = async (steps: number) => {
      for (let s = 0; s < steps; s++) {
        if (control.cancelled()) throw new TrainingError('cancelled', 'benchmark was cancelled');
        const { x, y } = batches[s % batches.length];
        const { loss, correct } = trainer.step(x, y, training.learningRate);
        await loss.data();
        tf().dispose([loss, correct]);
        await yieldToEvents();
      }
    };
    await run(req.warmup ?? 2);
    const t0 = performance.now();
    await run(req.steps);
    const seconds = (performance.now() - t0) / 1000;
    return {
      imagesPerSecond: (req.steps * b) / seconds,
      seconds,
      steps: req.steps,
      batchSize: b,
      params: trainer.net.countParams(),
      device: backend.description,
    };
  } finally {
    for (const { x, y } of batches) tf().dispose([x, y]);
    trainer.dispose();
  }
}
