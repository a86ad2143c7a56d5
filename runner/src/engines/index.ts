// The engine factory: `torch` and `tfjs` by name, and `auto`, which picks torch when a Python with
// PyTorch is found and tfjs otherwise, and says which it picked and why.
import type { EngineSettings } from '../../../common/config';
import type { Engine } from './engine';
import { TorchEngine, TorchUnavailableError, type TorchEngineOptions } from './torch';

export * from './engine';

export interface CreatedEngine {
  engine: Engine;
  name: 'torch' | 'tfjs';
  /** One line for logs and the CLI, e.g. "torch: PyTorch 2.4.1 importable from /opt/conda/bin/python". */
  reason: string;
}

export interface CreateEngineOptions {
  /** Options for the torch worker (CUDA_VISIBLE_DEVICES pinning, CPU threads, torch.compile). */
  torch?: TorchEngineOptions;
}

export class EngineUnavailableError extends Error {
  override name = 'EngineUnavailableError';
}

interface TfjsModule {
  createTfjsEngine(settings: EngineSettings): Engine | Promise<Engine>;
}

async function loadTfjs(settings: EngineSettings): Promise<Engine> {
  // Lazy: TF.js (and its wasm binaries) load only when this engine is used.
  const mod: TfjsModule = await import('./tfjs');
  return await mod.createTfjsEngine(settings);
}

export async function createEngine(
  settings: EngineSettings,
  options: CreateEngineOptions = {},
): Promise<CreatedEngine> {
  if (settings.name === 'torch') {
    const engine = await TorchEngine.create(settings, options.torch);
    return { engine, name: 'torch', reason: `torch (asked for): PyTorch ${engine.probe.torch} from ${engine.python}` };
  }
  if (settings.name === 'tfjs') {
    return { engine: await loadTfjs(settings), name: 'tfjs', reason: 'tfjs (asked for)' };
  }
  let torchProblem: string;
  try {
    const engine = await TorchEngine.create(settings, options.torch);
    const where = engine.probe.cuda ? `${engine.probe.gpus} CUDA GPU(s)` : 'CPU';
    return {
      engine,
      name: 'torch',
      reason: `torch (auto): PyTorch ${engine.probe.torch} is importable from ${engine.python}, on ${where}`,
    };
  } catch (e) {
    if (!(e instanceof TorchUnavailableError)) throw e;
    torchProblem = e.probes.map((p) => `${p.python}: ${p.problem}`).join('; ');
  }
  try {
    return {
      engine: await loadTfjs(settings),
      name: 'tfjs',
      reason: `tfjs (auto): no Python with PyTorch was found (${torchProblem})`,
    };
  } catch (e) {
    throw new EngineUnavailableError(
      `no training engine is available: torch: no Python with PyTorch (${torchProblem}); tfjs: ${(e as Error).message}. ` +
        'Install PyTorch (pip install torch, or apt install python3-torch) and set engine.python, or install the tfjs dependencies.',
    );
  }
}
