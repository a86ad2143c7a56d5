// ONNX Runtime for Node, loaded on demand: it is an optional dependency (a native addon of ~70 MB per
// platform), so a runner deployed without it still does everything but time ONNX files in-process.
import { cpus } from 'node:os';

export interface OrtTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}

interface OrtModule {
  InferenceSession: { create(path: string, options?: object): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}

export class OnnxRuntimeUnavailableError extends Error {
  override name = 'OnnxRuntimeUnavailableError';
}

/** The package name in a variable: the bundler leaves the import alone, Node resolves it from node_modules. */
const ORT_PACKAGE = 'onnxruntime-node';

async function loadOrt(): Promise<OrtModule> {
  try {
    const mod = (await import(ORT_PACKAGE)) as OrtModule & { default?: OrtModule };
    return mod.InferenceSession ? mod : mod.default!;
  } catch (e) {
    throw new OnnxRuntimeUnavailableError(
      `ONNX Runtime for Node is not installed here (${(e as Error).message.split('\n')[0]}); ` +
        '`npm install onnxruntime-node` next to the runner, or time the TorchScript export with --format torchscript',
    );
  }
}

/** An ONNX file opened for inference on this machine's CPU cores. */
export class OnnxModel {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    readonly threads: number,
  ) {}

  static async open(file: string, threads = cpus().length): Promise<OnnxModel> {
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(file, {
      intraOpNumThreads: threads,
      graphOptimizationLevel: 'all',
    });
    return new OnnxModel(ort, session, threads);
  }

  /** Logits for a batch of images [n, c, h, w] given as one flat float32 array. */
  async logits(images: Float32Array, dims: [number, number, number, number]): Promise<OrtTensor> {
    const out = await this.session.run({ images: new this.ort.Tensor('float32', images, dims) });
    return out.logits;
  }

  async close(): Promise<void> {
    await this.session.release?.();
  }
}
