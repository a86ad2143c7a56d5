// The code lenses above `search`: what the search costs (trainings, image-passes, GPU-hours by the
// bench:search throughput model, search-cost.ts) and the actions Start Search and Validate on Host,
// which the extension implements (commands paretoNas.startSearch / paretoNas.validateOnHost).
import { fileURLToPath } from 'node:url';
import type { CodeLens, Command } from 'vscode-languageserver/node';
import type { TargetParams } from '../../common/lsp';
import type { ConfigDocument } from './config-document';
import type { EffectiveConfig } from './effective-config';
import type { HostFacts } from './host-facts';
import { DEFAULT_GPU, estimateSearch, trainings } from './search-cost';

export const VALIDATE_COMMAND = 'paretoNas.validateOnHost';
export const START_COMMAND = 'paretoNas.startSearch';

export async function codeLenses(
  doc: ConfigDocument,
  config: EffectiveConfig,
  facts: HostFacts,
  target: TargetParams,
): Promise<CodeLens[]> {
  if (!doc.root) return [];
  const anchor = doc.keyNode(['search']) ?? { offset: doc.root.offset, length: 1 };
  const range = doc.range(anchor);
  const lens = (command: Command): CodeLens => ({ range, command });
  const file = doc.uri.startsWith('file:') ? fileURLToPath(doc.uri) : undefined;
  return [
    lens({ title: await costTitle(config, facts, target), command: '' }),
    lens({
      title: `Start Search on ${target.label}`,
      command: START_COMMAND,
      arguments: [{ configFile: file, host: target.host }],
    }),
    lens({ title: 'Validate on Host', command: VALIDATE_COMMAND, arguments: [{ uri: doc.uri }] }),
  ];
}

async function costTitle(config: EffectiveConfig, facts: HostFacts, target: TargetParams): Promise<string> {
  const count = `${trainings(config.search).toLocaleString('en-US')} trainings × ${config.training.epochs} epochs`;
  if (!config.dataset) return `${count} · name a dataset for the GPU time`;
  const data = await facts.dataset(target.host, config.dataset);
  const d = data.ok && data.value.ok ? data.value.dataset : undefined;
  if (!d) return `${count} · the GPU time needs the dataset on ${target.label}`;
  const e = estimateSearch(config.search, config.training, {
    shape: d.shape,
    classes: d.classes.length,
    train: d.train,
    val: d.val,
  });
  const doctor = await facts.doctor(target.host);
  const gpus = doctor.ok ? doctor.value.torch.gpus : [];
  const on =
    gpus.length === 0
      ? `on an ${DEFAULT_GPU.name} (${doctor.ok ? `no GPU on ${target.label}` : 'GPU of the host unknown'})`
      : gpus[0].includes('H200')
        ? `on its ${gpus[0]}`
        : `at ${DEFAULT_GPU.name} speed (${gpus[0]} not measured)`;
  return `${count} · ${compact(e.imagePasses)} image-passes · ≈ ${gpuTime(e.gpuHours)} ${on}`;
}

/** GPU time in the unit that reads best: hours, or minutes and seconds for tiny searches. */
export function gpuTime(hours: number): string {
  if (!Number.isFinite(hours)) return '? GPU-hours';
  if (hours >= 10) return `${Math.round(hours).toLocaleString('en-US')} GPU-hours`;
  if (hours >= 0.1) return `${hours.toFixed(1)} GPU-hours`;
  const unit = (n: number, name: string) => `${n} GPU-${name}${n === 1 ? '' : 's'}`;
  if (hours * 60 >= 1) return unit(Math.round(hours * 60), 'minute');
  return unit(Math.max(1, Math.round(hours * 3600)), 'second');
}

function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}
