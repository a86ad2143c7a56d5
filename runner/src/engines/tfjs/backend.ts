// Picks and starts the TF.js backend of this process (one per process: the engine's worker).
//   auto   → @tensorflow/tfjs-node-gpu, else @tensorflow/tfjs-node (optional packages, loaded only if
//            installed: their install downloads libtensorflow), else wasm
//   node   → tfjs-node-gpu or tfjs-node, an error naming the packages if neither is installed
//   wasm   → the wasm backend plus the training kernels it lacks (kernels.ts); single-threaded in Node
//   webgpu → @tensorflow/tfjs-backend-webgpu on the `webgpu` package's Dawn (optional packages)
//   cpu    → the pure-JS reference backend (very slow to train; tests compare against it)
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { EngineSettings } from '../../../../common/config';
import { registerTrainingKernels } from './kernels';
import { bundledCore, tf, useTf, type TF } from './tf';
import * as cpuBackend from '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';

export type TfjsBackendSetting = EngineSettings['tfjsBackend'];

export interface BackendInfo {
  /** TF.js backend name: tensorflow | wasm | webgpu | cpu. */
  backend: string;
  version: string;
  /** e.g. "tfjs 4.22.0 wasm". */
  description: string;
  /** Why this backend, for logs ("auto: @tensorflow/tfjs-node not installed"). */
  reason: string;
  /** Whether reading tensors synchronously works (false on WebGPU in Node). */
  syncReads: boolean;
}

let started: BackendInfo | undefined;

// Resolves optional packages at run time from the bundle's or the source's location (never bundled).
const runtimeRequire = createRequire(typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js'));

function tryRequire(name: string): { module?: unknown; error?: string } {
  try {
    return { module: runtimeRequire(name) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND' && err.message.includes(`'${name}'`))
      return { error: `${name} is not installed` };
    return { error: `${name} failed to load: ${err.message.split('\n')[0]}` };
  }
}

/** Where the wasm binaries are: next to the bundle (dist/) or in the package's own dist folder. */
function wasmDirectory(): string | undefined {
  const candidates: string[] = [];
  if (typeof __dirname === 'string') candidates.push(__dirname);
  try {
    candidates.push(dirname(runtimeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist');
  } catch {
    // not resolvable: only the bundle's folder is left
  }
  return candidates.find((d) => existsSync(join(d, 'tfjs-backend-wasm.wasm')));
}

/** Points the wasm backend at its binaries and registers the training kernels; does not switch to it. */
let wasmPrepared = false;
export function prepareWasm(): void {
  if (wasmPrepared) return;
  const dir = wasmDirectory();
  if (!dir) {
    throw new Error(
      'tfjs wasm backend: tfjs-backend-wasm.wasm was found neither next to the runner bundle nor in @tensorflow/tfjs-backend-wasm/dist; rebuild with npm run build',
    );
  }
  wasm.setWasmPaths(dir.endsWith('/') ? dir : dir + '/');
  registerTrainingKernels('wasm');
  wasmPrepared = true;
}

async function startWasm(reason: string): Promise<BackendInfo> {
  prepareWasm();
  useTf(bundledCore);
  if (!(await bundledCore.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
  return info('wasm', reason, true);
}

async function startNode(): Promise<BackendInfo | { error: string }> {
  const errors: string[] = [];
  for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    const r = tryRequire(name);
    if (r.module) {
      const mod = r.module as TF;
      useTf(mod);
      await mod.ready();
      return info(mod.getBackend(), `${name} is installed`, true, mod.version_core);
    }
    errors.push(r.error!);
  }
  return { error: errors.join('; ') };
}

async function startWebgpu(): Promise<BackendInfo> {
  const dawn = tryRequire('webgpu');
  if (!dawn.module)
    throw new Error(
      `tfjs webgpu backend needs the optional packages: npm install webgpu @tensorflow/tfjs-backend-webgpu (${dawn.error})`,
    );
  const { create, globals } = dawn.module as { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
  Object.assign(globalThis, globals);
  const g = globalThis as unknown as { navigator?: object };
  const nav = (g.navigator ??= {});
  Object.defineProperty(nav, 'gpu', { value: create([]), configurable: true });
  const backend = tryRequire('@tensorflow/tfjs-backend-webgpu');
  if (!backend.module)
    throw new Error(`tfjs webgpu backend: ${backend.error}; npm install @tensorflow/tfjs-backend-webgpu`);
  // The webgpu backend registers itself in the tfjs-core of node_modules: compute with that copy.
  const core = runtimeRequire('@tensorflow/tfjs-core') as TF;
  useTf(core);
  if (!(await core.setBackend('webgpu')))
    throw new Error(
      'tfjs webgpu backend failed to initialise (no WebGPU adapter? on Linux it needs libvulkan1 and a Vulkan driver)',
    );
  return info('webgpu', 'asked for webgpu', false, core.version_core);
}

function info(backend: string, reason: string, syncReads: boolean, version = bundledCore.version_core): BackendInfo {
  return { backend, version, description: `tfjs ${version} ${backend}`, reason, syncReads };
}

/** Starts the backend once per process; later calls return the first result (and must agree). */
export async function startBackend(setting: TfjsBackendSetting = 'auto'): Promise<BackendInfo> {
  if (started) return started;
  let result: BackendInfo;
  switch (setting) {
    case 'auto': {
      const node = await startNode();
      result = 'error' in node ? await startWasm(`auto: ${node.error}`) : node;
      break;
    }
    case 'node': {
      const node = await startNode();
      if ('error' in node)
        throw new Error(`tfjs backend "node" needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu: ${node.error}`);
      result = node;
      break;
    }
    case 'wasm':
      result = await startWasm('asked for wasm');
      break;
    case 'webgpu':
      result = await startWebgpu();
      break;
    case 'cpu':
      useTf(bundledCore);
      await bundledCore.setBackend('cpu');
      result = info('cpu', `asked for cpu (tfjs-backend-cpu ${cpuBackend.version_cpu})`, true);
      break;
    default:
      throw new Error(`unknown tfjs backend "${setting as string}"; choose auto, node, wasm, webgpu or cpu`);
  }
  tf().enableProdMode();
  started = result;
  return result;
}

export function currentBackend(): BackendInfo | undefined {
  return started;
}
