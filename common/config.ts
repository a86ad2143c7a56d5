// The search configuration: one zod definition gives the TypeScript types, the validation with
// messages that name the field, and the JSON Schema file that VS Code uses for config files.
// Browser-safe (zod only): the runner reads config files (runner/src/config-file.ts), the extension
// validates what the user picked, and an editor's language server can import the same schema.
import { z } from 'zod';
import { GenomeError, parseGenome } from './model/genome';

export const TrainingSettings = z
  .object({
    epochs: z.number().int().min(1).default(15).describe('Epochs per candidate during search (paper: 15).'),
    batchSize: z.number().int().min(1).default(128).describe('Mini-batch size.'),
    learningRate: z.number().positive().default(0.025).describe('Initial SGD learning rate.'),
    momentum: z.number().min(0).max(1).default(0.9),
    weightDecay: z.number().min(0).default(3e-4),
    gradClip: z.number().positive().nullable().default(5).describe('Gradient-norm clip; null turns it off.'),
    schedule: z
      .enum(['cosine', 'cosine-step', 'constant'])
      .default('cosine')
      .describe(
        'cosine: lr_e = lr/2 (1 + cos(pi e/E)) per epoch e; cosine-step: the same curve per batch, down to ~0 at the end (short trainings).',
      ),
    mixedPrecision: z
      .enum(['auto', 'off', 'bf16'])
      .default('auto')
      .describe('auto: bf16 autocast + channels-last on GPUs that support it, fp32 elsewhere.'),
    seed: z.number().int().min(0).default(0).describe('Seed for weight initialisation and batch order.'),
    earlyStop: z
      .enum(['off', 'front-bound'])
      .default('off')
      .describe(
        'Early termination during search. off: every candidate trains all epochs (the paper). front-bound: stop a ' +
          'candidate whose bounded final accuracy cannot beat a cheaper evaluated network by more than 0.2 points, or ' +
          'whose curve has settled; NSGA-II then gets its last measured accuracy.',
      ),
  })
  .strict();

export const SearchSettings = z
  .object({
    phases: z.literal(3).default(3),
    nodes: z.number().int().min(2).max(12).default(4).describe('Nodes per phase N (NSGA-Net CLI default 4; paper 6).'),
    initChannels: z.number().int().min(1).default(24).describe('C: phase channels are (c_in,C),(C,2C),(2C,4C).'),
    population: z.number().int().min(2).default(25),
    offspring: z.number().int().min(1).default(25),
    generations: z.number().int().min(1).default(30).describe('Generations, counting the initial population as 1.'),
    seed: z.number().int().min(0).default(0),
    mutationRate: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .default(null)
      .describe('Per-bit flip probability; null is NSGA-Net’s effective rate (8/51)/n_var.'),
    duplicates: z
      .enum(['reuse', 'retrain'])
      .default('reuse')
      .describe('Genomes that decode to an already evaluated network: reuse its result or train again.'),
    initialGenomes: z
      .array(z.string())
      .default([])
      .describe(
        'Known genomes (from a paper, another run) placed first in generation 1; random genomes fill the rest of it. ' +
          'Each has 3 phases of N(N-1)/2 + 1 bits for N = nodes; spaces, "_" and "|" between bits are ignored.',
      ),
  })
  .strict()
  .superRefine((s, ctx) => {
    // Checked here, beside `nodes`, so the runner, the extension and the language server all refuse the same genomes.
    s.initialGenomes.forEach((g, i) => {
      try {
        parseGenome(g, s.nodes);
      } catch (e) {
        if (!(e instanceof GenomeError)) throw e;
        ctx.addIssue({ code: 'custom', path: ['initialGenomes', i], message: e.message });
      }
    });
    if (s.initialGenomes.length > s.population) {
      ctx.addIssue({
        code: 'custom',
        path: ['initialGenomes'],
        message: `${s.initialGenomes.length} initial genomes do not fit a population of ${s.population}`,
      });
    }
  });

export const EngineSettings = z
  .object({
    name: z.enum(['auto', 'torch', 'tfjs']).default('auto'),
    python: z.string().default('python3').describe('Python with PyTorch (a conda env on a cluster).'),
    device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
    tfjsBackend: z.enum(['auto', 'node', 'wasm', 'webgpu', 'cpu']).default('auto'),
    // Speed settings of the torch engine (ignored by tfjs); `npm run bench:search` compares them with these defaults.
    compile: z
      .boolean()
      .default(false)
      .describe('torch: torch.compile every network (PyTorch ≥ 2); its compile time counts per candidate.'),
    cudaGraphs: z
      .boolean()
      .default(false)
      .describe('torch on CUDA: replay each training step as one captured CUDA graph (no per-kernel launch cost).'),
    compactData: z
      .boolean()
      .optional()
      .describe('Ignored (older configs set it): images always stay in their stored dtype on the device.'),
    evalBatchSize: z
      .number()
      .int()
      .min(1)
      .nullable()
      .default(null)
      .describe('torch: validation batch size; null: max(batchSize, 256).'),
  })
  .strict();

export const SlurmSettings = z
  .object({
    partition: z.string().optional(),
    account: z.string().optional(),
    time: z.string().default('04:00:00'),
    nodes: z.number().int().min(1).default(1).describe('Nodes of the search job; each runs its workers as job steps.'),
    gpusPerNode: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'GPUs asked for on each node (one worker per GPU, or workersPerGpu); 0: CPU-only partition. Default 1.',
      ),
    gpusPerTask: z.number().int().min(0).optional().describe('Old name of gpusPerNode, still accepted.'),
    cpusPerWorker: z.number().int().min(1).default(1).describe('CPU cores of each worker step (--cpus-per-task).'),
    workersPerNode: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('CPU-only partitions (gpusPerNode 0): workers on each node; default 1.'),
    requeue: z
      .boolean()
      .default(false)
      .describe('On preemption or the time-limit warning, requeue the job; the requeued job resumes the search.'),
    signalSeconds: z
      .number()
      .int()
      .min(0)
      .default(120)
      .describe('Seconds before the time limit at which Slurm warns the search (--signal=B:TERM@N); 0: no warning.'),
    maxNodeFailures: z
      .number()
      .int()
      .min(1)
      .default(2)
      .describe('Lost worker steps on one node before it is excluded.'),
    extraArgs: z.array(z.string()).default([]).describe('More sbatch arguments, e.g. ["--qos=high", "--no-kill"].'),
  })
  .strict();

export const ExecutorSettings = z
  .object({
    kind: z.enum(['local', 'slurm']).default('local'),
    workers: z
      .number()
      .int()
      .min(1)
      .nullable()
      .default(null)
      .describe('Parallel trainings; null: one per GPU, else per core.'),
    workersPerGpu: z
      .union([z.number().int().min(1), z.literal('auto')])
      .default(1)
      .describe(
        'Trainings sharing one GPU; "auto" picks from the GPU memory, host cores and measured GPU utilisation.',
      ),
    slurm: SlurmSettings.default(SlurmSettings.parse({})).describe(
      'The batch job of a Slurm search: one job, its training workers are job steps on its nodes.',
    ),
  })
  .strict();

export const SearchConfig = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1).default('search'),
    dataset: z.string().min(1).describe('Dataset folder (with dataset.json), or "default" for the bundled demo data.'),
    search: SearchSettings.default(SearchSettings.parse({})),
    training: TrainingSettings.default(TrainingSettings.parse({})),
    engine: EngineSettings.default(EngineSettings.parse({})),
    executor: ExecutorSettings.default(ExecutorSettings.parse({})),
  })
  .strict();

export type TrainingSettings = z.infer<typeof TrainingSettings>;
/** The training defaults (NSGA-Net's: SGD lr 0.025, momentum 0.9, weight decay 3e-4, clip 5); the one place they are written. */
export const TRAINING_DEFAULTS: TrainingSettings = TrainingSettings.parse({});
export type SearchSettings = z.infer<typeof SearchSettings>;
export type EngineSettings = z.infer<typeof EngineSettings>;
export type ExecutorSettings = z.infer<typeof ExecutorSettings>;
export type SlurmSettings = z.infer<typeof SlurmSettings>;

/** GPUs per node of a Slurm search: gpusPerNode, else its old name gpusPerTask, else 1. */
export function gpusPerNode(s: Pick<SlurmSettings, 'gpusPerNode' | 'gpusPerTask'> | undefined): number {
  return s?.gpusPerNode ?? s?.gpusPerTask ?? 1;
}
export type SearchConfig = z.infer<typeof SearchConfig>;
/** What a user writes: every section optional, defaults filled in by parsing. */
export type SearchConfigInput = z.input<typeof SearchConfig>;

export const PRESETS = {
  /** Patel et al.: population and offspring 25, 30 generations, 15 epochs, N=4, C=24. */
  paper: { search: {}, training: { earlyStop: 'off' } },
  /** Sized to finish on a 2-core laptop in a few minutes on the small default dataset. */
  demo: {
    // N=2: a phase is one edge bit and the skip bit, so half the random phases are empty (skipped)
    // and networks have 0–3 active phases: 0.001 to 2 MFLOPs, a front with a visible trade-off.
    // (N=3 and N=4 give nearly all phases active: 2.5–3 and 2–4 MFLOPs, fronts of 2 close networks.)
    // Seed 1: its first generation holds networks of 0, 1 and 2 phases (seed 0's front held two).
    search: { population: 4, offspring: 4, generations: 3, initChannels: 6, nodes: 2, seed: 1 },
    // cosine-step: with 2–3 epochs NSGA-Net's per-epoch cosine trains the last epoch at half the rate
    // and leaves accuracies at chance or at random; annealing per batch settles each network. Twice
    // NSGA-Net's rate: 300 steps are few to learn the task at 0.025.
    training: { epochs: 3, batchSize: 64, learningRate: 0.05, schedule: 'cosine-step' },
  },
} as const satisfies Record<string, Partial<Record<'search' | 'training', object>>>;
export type PresetName = keyof typeof PRESETS;

/** Epochs a refinement trains each network for unless told otherwise (the paper's 500). */
export const DEFAULT_REFINE_EPOCHS = 500;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates a config object; the error lists every bad field with its path and the source name. */
export function parseConfig(input: unknown, source = 'config'): SearchConfig {
  const result = SearchConfig.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new ConfigError(`${source} is not a valid search config:\n${lines.join('\n')}`);
}

export function presetConfig(name: string, dataset: string, overrides: Partial<SearchConfigInput> = {}): SearchConfig {
  if (!(name in PRESETS))
    throw new ConfigError(`unknown preset "${name}"; choose one of ${Object.keys(PRESETS).join(', ')}`);
  const preset = PRESETS[name as PresetName];
  return parseConfig({ name, dataset, ...preset, ...overrides }, `preset ${name}`);
}

/** JSON Schema of the config file, generated from the same definition (written to the extension). */
export function configJsonSchema(): object {
  return z.toJSONSchema(SearchConfig, { io: 'input', target: 'draft-7' });
}
