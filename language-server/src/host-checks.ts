// Checks that need the host the config targets: is `dataset` a dataset there, and can its Slurm give
// what executor.slurm asks for (Doctor: sbatch present, partitions and their GPUs from sinfo).
import type { Diagnostic } from 'vscode-languageserver/node';
import { gpusPerNode } from '../../common/config';
import type { DoctorResult, SlurmPartition } from '../../common/protocol';
import type { TargetParams } from '../../common/lsp';
import type { ConfigDocument } from './config-document';
import { diagnostic, DiagnosticSeverity } from './diagnostic';
import type { EffectiveConfig } from './effective-config';
import type { HostFacts } from './host-facts';

export async function datasetDiagnostics(
  doc: ConfigDocument,
  config: EffectiveConfig,
  facts: HostFacts,
  target: TargetParams,
): Promise<Diagnostic[]> {
  const node = doc.node(['dataset']);
  if (!config.dataset || node?.type !== 'string') return []; // missing or mistyped: the schema says so
  const range = doc.range(node);
  const fact = await facts.dataset(target.host, config.dataset);
  if (!fact.ok) {
    const why = fact.notConnected ? `${target.label} is not connected (Validate on Host connects it)` : fact.reason;
    return [diagnostic(range, `dataset not checked on ${target.label}: ${why}`, DiagnosticSeverity.Information)];
  }
  if (fact.value.ok) return [];
  return [
    diagnostic(
      range,
      `dataset "${config.dataset}" is not a dataset on ${target.label}: ${fact.value.error ?? 'unknown reason'}`,
    ),
  ];
}

export async function slurmDiagnostics(
  doc: ConfigDocument,
  config: EffectiveConfig,
  facts: HostFacts,
  target: TargetParams,
): Promise<Diagnostic[]> {
  if (config.executor.kind !== 'slurm') return [];
  const fact = await facts.doctor(target.host);
  if (!fact.ok) return []; // the dataset check already says the host cannot be asked
  const slurm = fact.value.slurm;
  if (!slurm.available) {
    const missing = [slurm.sbatch ? '' : 'sbatch', slurm.squeue ? '' : 'squeue'].filter(Boolean).join(' and ');
    return [
      diagnostic(
        doc.rangeOf(['executor', 'kind']),
        `executor.kind is "slurm", but Doctor found no Slurm on ${target.label} (${missing} not on PATH)`,
      ),
    ];
  }
  const out: Diagnostic[] = [];
  const partitions = slurm.partitions ?? [];
  const named = config.executor.slurm.partition;
  const partition = named ? partitions.find((p) => p.name === named) : partitions.find((p) => p.default);
  if (named && !partition && partitions.length) {
    out.push(
      diagnostic(
        doc.rangeOf(['executor', 'slurm', 'partition']),
        `no Slurm partition "${named}" on ${target.label} (sinfo lists ${partitions.map((p) => p.name).join(', ')})`,
      ),
    );
  }
  const gpus = gpusPerNode(config.executor.slurm);
  const offered = partition ? [partition] : partitions;
  if (gpus > 0 && partitions.length && !offered.some(hasGpus)) {
    const where = partition
      ? `partition "${partition.name}" on ${target.label} has no GPUs`
      : `no partition on ${target.label} has GPUs`;
    const path = doc.node(['executor', 'slurm', 'gpusPerNode'])
      ? ['executor', 'slurm', 'gpusPerNode']
      : doc.node(['executor', 'slurm', 'gpusPerTask'])
        ? ['executor', 'slurm', 'gpusPerTask']
        : ['executor', 'kind'];
    out.push(
      diagnostic(
        doc.rangeOf(path),
        `executor.slurm asks for ${gpus} GPU${gpus > 1 ? 's' : ''} per node, but ${where} ` +
          `(Doctor: ${gpuSummary(fact.value, offered)}); set executor.slurm.gpusPerNode to 0 for a CPU-only partition`,
        DiagnosticSeverity.Error,
      ),
    );
  }
  return out;
}

function hasGpus(p: SlurmPartition): boolean {
  return /(^|,)gpu[:(]/.test(p.gres);
}

function gpuSummary(d: DoctorResult, partitions: SlurmPartition[]): string {
  const gres = partitions.map((p) => `${p.name}: ${p.gres || 'no gres'}`).join(', ');
  return `${gres}; GPUs on ${d.host}: ${d.torch.gpus.length ? d.torch.gpus.join(', ') : 'none'}`;
}
