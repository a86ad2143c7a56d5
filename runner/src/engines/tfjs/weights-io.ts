// Weights on disk in the TF.js layout (model.json with a weightsManifest + a .bin file, float32
// little-endian), tensors in the shared PyTorch layout with the names of weights.ts, exactly as the
// torch engine writes them. Written through a file IO handler registered with TF.js's IO router
// (tfjs-node's file:// handler is not needed); files are written then renamed, model.json last.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TrainingError } from '../engine';
import type { Normalization } from './data';
import { fromTorchLayout, toTorchLayout, type TfjsNetwork } from './network';
import { tf, type Tensor, type TF } from './tf';

export const WEIGHTS_FORMAT = 'pareto-nas.weights/1';
type ModelArtifacts = import('@tensorflow/tfjs-core').io.ModelArtifacts;
type WeightsSpec = import('@tensorflow/tfjs-core').io.WeightsManifestEntry;

export interface WeightsMetadata {
  layout?: string;
  normalization?: Normalization | null;
  [key: string]: unknown;
}

const SCHEME = 'file://';

/** Saves to / loads from one folder: model.json + `binName`. */
export class WeightsFolderHandler {
  constructor(
    readonly dir: string,
    readonly binName = 'weights.bin',
  ) {}

  async save(artifacts: ModelArtifacts) {
    const specs = artifacts.weightSpecs ?? [];
    const data = artifacts.weightData;
    const bytes =
      data == null
        ? new Uint8Array(0)
        : Array.isArray(data)
          ? Buffer.concat(data.map((b) => new Uint8Array(b)))
          : new Uint8Array(data);
    mkdirSync(this.dir, { recursive: true });
    const json = {
      format: artifacts.format ?? WEIGHTS_FORMAT,
      generatedBy: artifacts.generatedBy ?? 'pareto-nas tfjs engine',
      convertedBy: artifacts.convertedBy ?? null,
      modelTopology: artifacts.modelTopology ?? null,
      weightsManifest: [{ paths: [this.binName], weights: specs }],
      userDefinedMetadata: artifacts.userDefinedMetadata ?? {},
    };
    const bin = join(this.dir, this.binName);
    writeFileSync(bin + '.tmp', bytes);
    renameSync(bin + '.tmp', bin);
    const modelJson = join(this.dir, 'model.json');
    writeFileSync(modelJson + '.tmp', JSON.stringify(json));
    renameSync(modelJson + '.tmp', modelJson);
    return {
      modelArtifactsInfo: {
        dateSaved: new Date(),
        modelTopologyType: 'JSON' as const,
        weightDataBytes: bytes.byteLength,
      },
    };
  }

  async load(): Promise<ModelArtifacts> {
    const path = join(this.dir, 'model.json');
    let json: {
      format?: string;
      generatedBy?: string;
      modelTopology?: unknown;
      weightsManifest?: Array<{ paths: string[]; weights: WeightsSpec[] }>;
      userDefinedMetadata?: Record<string, unknown>;
    };
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new TrainingError('bad-input', `cannot read weights ${path}: ${(e as Error).message}`);
    }
    if (!Array.isArray(json.weightsManifest))
      throw new TrainingError('bad-input', `${path} has no weightsManifest list`);
    const specs: WeightsSpec[] = [];
    const buffers: Buffer[] = [];
    for (const group of json.weightsManifest) {
      for (const p of group.paths ?? []) {
        try {
          buffers.push(readFileSync(join(this.dir, p)));
        } catch (e) {
          throw new TrainingError(
            'bad-input',
            `cannot read ${join(this.dir, p)} (named in ${path}): ${(e as Error).message}`,
          );
        }
      }
      specs.push(...(group.weights ?? []));
    }
    const all = Buffer.concat(buffers);
    return {
      format: json.format,
      generatedBy: json.generatedBy,
      modelTopology: json.modelTopology as ModelArtifacts['modelTopology'],
      weightSpecs: specs,
      weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      userDefinedMetadata: json.userDefinedMetadata as ModelArtifacts['userDefinedMetadata'],
    };
  }
}

let routersRegistered = false;

/** Registers the file:// save and load routers with TF.js (once per process). */
export function registerFileRouters(t: TF = tf()): void {
  if (routersRegistered) return;
  const route = (url: string | string[]) => {
    const u = Array.isArray(url) ? url[0] : url;
    return typeof u === 'string' && u.startsWith(SCHEME) ? new WeightsFolderHandler(u.slice(SCHEME.length)) : null;
  };
  t.io.registerSaveRouter(route as never);
  t.io.registerLoadRouter(route as never);
  routersRegistered = true;
}

function handlerFor(dir: string, kind: 'save' | 'load', binName?: string): WeightsFolderHandler {
  registerFileRouters();
  const url = SCHEME + resolve(dir);
  const handlers = kind === 'save' ? tf().io.getSaveHandlers(url) : tf().io.getLoadHandlers(url);
  const mine = handlers.find((h): h is WeightsFolderHandler => h instanceof WeightsFolderHandler);
  if (!mine) throw new Error(`no file IO handler for ${url}`);
  return binName ? new WeightsFolderHandler(mine.dir, binName) : mine;
}

/** Writes named tensors (already in the saved layout) to a folder; returns the folder. */
export async function saveTensors(
  dir: string,
  tensors: Array<{ name: string; tensor: Tensor }>,
  topology: object,
  metadata: WeightsMetadata,
  binName?: string,
): Promise<string> {
  const { data, specs } = await tf().io.encodeWeights(tensors);
  const handler = handlerFor(dir, 'save', binName);
  await handler.save({
    format: WEIGHTS_FORMAT,
    generatedBy: `pareto-nas tfjs engine (tfjs ${tf().version_core} ${tf().getBackend()})`,
    convertedBy: null,
    modelTopology: topology as ModelArtifacts['modelTopology'],
    weightSpecs: specs,
    weightData: data,
    userDefinedMetadata: metadata as ModelArtifacts['userDefinedMetadata'],
  });
  return resolve(dir);
}

/** Reads every tensor of a weights folder (caller disposes them) and its metadata. */
export async function loadTensors(
  dir: string,
): Promise<{ tensors: Map<string, Tensor>; metadata: WeightsMetadata; topology: unknown }> {
  const path = join(resolve(dir), 'model.json');
  if (!existsSync(path)) throw new TrainingError('bad-input', `no weights at ${dir} (model.json is missing)`);
  const artifacts = await handlerFor(dir, 'load').load();
  for (const s of artifacts.weightSpecs ?? []) {
    if (s.dtype !== 'float32')
      throw new TrainingError('bad-input', `${path}: weight ${s.name} has dtype ${s.dtype}; only float32 is supported`);
  }
  const expected = (artifacts.weightSpecs ?? []).reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
  const got = (artifacts.weightData as ArrayBuffer).byteLength;
  if (got !== expected)
    throw new TrainingError(
      'bad-input',
      `${path}: the manifest needs ${expected} bytes of weights, the files hold ${got}`,
    );
  const named = tf().io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  return {
    tensors: new Map(Object.entries(named)),
    metadata: (artifacts.userDefinedMetadata ?? {}) as WeightsMetadata,
    topology: artifacts.modelTopology,
  };
}

/** The network's weights in the shared layout and order (weights.ts), for saving. Caller disposes. */
export function exportWeights(net: TfjsNetwork): Array<{ name: string; tensor: Tensor }> {
  return [...net.params.values()].map((p) => ({
    name: p.name,
    tensor: tf().tidy(() => toTorchLayout(p.variable, p.layout)),
  }));
}

export async function saveNetwork(net: TfjsNetwork, dir: string, norm: Normalization | null): Promise<string> {
  const tensors = exportWeights(net);
  try {
    return await saveTensors(dir, tensors, { networkSpec: net.spec }, { layout: 'pytorch', normalization: norm });
  } finally {
    for (const t of tensors) t.tensor.dispose();
  }
}

/** Copies named tensors (shared layout) into the network; every weight must be there with its shape. */
export function assignWeights(net: TfjsNetwork, tensors: Map<string, Tensor>, source: string): void {
  const missing = [...net.params.keys()].filter((n) => !tensors.has(n));
  if (missing.length)
    throw new TrainingError(
      'bad-input',
      `${source} lacks weights ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
    );
  for (const p of net.params.values()) {
    const t = tensors.get(p.name)!;
    if (t.shape.join() !== p.torchShape.join()) {
      throw new TrainingError(
        'bad-input',
        `${source}: weight ${p.name} has shape [${t.shape}], the network needs [${p.torchShape}]`,
      );
    }
  }
  for (const p of net.params.values()) {
    const value = tf().tidy(() => fromTorchLayout(tensors.get(p.name)!, p.layout));
    p.variable.assign(value);
    value.dispose();
  }
}

/** Loads a weights folder into the network; returns the normalisation it was trained with, if saved. */
export async function loadNetwork(net: TfjsNetwork, dir: string): Promise<WeightsMetadata> {
  const { tensors, metadata } = await loadTensors(dir);
  try {
    assignWeights(net, tensors, join(resolve(dir), 'model.json'));
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return metadata;
}

/** Removes a file if it exists (old checkpoint weights). */
export function removeIfExists(path: string): void {
  rmSync(path, { force: true });
}
