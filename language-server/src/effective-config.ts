// The settings a config means even while it is being typed: each section parsed with the runner's
// zod definitions (common/config.ts); a section that does not parse keeps every field that does on
// its own and the defaults for the rest, so hovers and estimates still work next to an error.
import { z } from 'zod';
import { ExecutorSettings, SearchSettings, SlurmSettings, TrainingSettings } from '../../common/config';

export interface EffectiveConfig {
  dataset: string | undefined;
  search: SearchSettings;
  training: TrainingSettings;
  executor: ExecutorSettings;
}

export function effectiveConfig(value: unknown): EffectiveConfig {
  const raw = asObject(value);
  const executor = section(ExecutorSettings, raw.executor);
  const rawExecutor = asObject(raw.executor);
  return {
    dataset: typeof raw.dataset === 'string' && raw.dataset ? raw.dataset : undefined,
    search: section(SearchSettings, raw.search),
    training: section(TrainingSettings, raw.training),
    executor: { ...executor, slurm: section(SlurmSettings, rawExecutor.slurm) },
  };
}

function section<S extends z.ZodObject>(schema: S, value: unknown): z.output<S> {
  const whole = schema.safeParse(value ?? {});
  if (whole.success) return whole.data;
  const raw = asObject(value);
  const fields: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    if (key in raw && field.safeParse(raw[key]).success) fields[key] = raw[key];
  }
  // fields valid alone can still clash (a genome too short for `nodes`): drop the ones named until it parses
  for (let attempt = 0; attempt < 4; attempt++) {
    const partial = schema.safeParse(fields);
    if (partial.success) return partial.data;
    for (const issue of partial.error.issues) delete fields[String(issue.path[0])];
  }
  return schema.parse({});
}

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
