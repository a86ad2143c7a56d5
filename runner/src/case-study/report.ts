// The case study's results in --out: table1.md (Table I beside the paper's, the step times, the
// search's Pareto plot) and table1.json (the same as data), written from the run directories and
// steps.json, so they can be rewritten at any time, also after an interrupted run.
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import type { CandidateRecord } from '../../../common/protocol';
import { paretoFront } from '../../../common/pareto';
import { readCandidates, readRefineRecords, RUN_FILES } from '../store';
import type { DatasetSummary } from './dataset';
import { epochs, formatFluence } from './format';
import { readLedger } from './ledger';
import { PAPER_NETWORKS } from './paper';
import { caseStudyPlot } from './plot';
import { caseStudyRows, rowsMarkdown, stepsMarkdown, type CaseStudyRow } from './table';

export interface CaseStudySettings {
  fluence: number;
  count: number;
  size: number;
  seed: number;
  valFraction: number;
  oversample: number | null;
  epochs: number;
  refineEpochs: number;
  nodes: number;
  initChannels: number;
  batchSize: number | null;
  search: { population: number; generations: number } | null;
}

export interface TableFiles {
  markdown: string;
  json: string;
  /** Table I and the step times as printed on the terminal. */
  text: string;
}

interface SearchSummary {
  run: string;
  candidates: number;
  front: number;
  report: string | null;
  plot: string | null;
}

export const TABLE_FILES = { markdown: 'table1.md', json: 'table1.json', plot: 'pareto.svg' } as const;

export function writeCaseStudyTable(
  out: string,
  settings: CaseStudySettings,
  dataset: DatasetSummary | undefined,
): TableFiles {
  const networksDir = join(out, 'networks');
  const hasNetworks = existsSync(join(networksDir, RUN_FILES.config));
  const candidates = hasNetworks ? readCandidates(networksDir) : [];
  const rows = caseStudyRows(PAPER_NETWORKS, candidates, hasNetworks ? readRefineRecords(networksDir) : []);
  const ledger = readLedger(out);
  const search = searchSummary(out, candidates);
  const machine = {
    host: hostname(),
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    devices: [...new Set(rows.flatMap((r) => (r.measured.device ? [r.measured.device] : [])))],
  };
  const describe = {
    simulate: `${settings.count} patterns, ${settings.size}×${settings.size}`,
    train: `${epochs(settings.epochs)} each`,
    refine: `${epochs(settings.refineEpochs)} each`,
    search: settings.search
      ? `population ${settings.search.population}, ${settings.search.generations} generations`
      : undefined,
  };
  const text = `${rowsMarkdown(rows)}\n${stepsMarkdown(ledger, describe)}`;
  const md = join(out, TABLE_FILES.markdown);
  const json = join(out, TABLE_FILES.json);
  writeFileSync(md, markdown(settings, dataset, rows, text, machine, search));
  writeFileSync(
    json,
    `${JSON.stringify({ format: 'pareto-nas.case-study/1', writtenAt: new Date().toISOString(), settings, dataset: dataset ?? null, machine, rows, steps: ledger, search }, null, 2)}\n`,
  );
  return { markdown: md, json, text };
}

function searchSummary(out: string, networks: readonly CandidateRecord[]): SearchSummary | null {
  const dir = join(out, 'search');
  if (!existsSync(join(dir, RUN_FILES.config))) return null;
  const records = readCandidates(dir);
  let plot: string | null = null;
  if (records.length > 0) {
    plot = join(out, TABLE_FILES.plot);
    const ours = PAPER_NETWORKS.flatMap((n) => {
      const record = networks.find((r) => r.genome === n.genome);
      return record ? [{ name: n.name, record }] : [];
    });
    writeFileSync(plot, caseStudyPlot(records, ours));
  }
  const report = join(dir, 'report.html');
  return {
    run: dir,
    candidates: records.length,
    front: paretoFront(records).length,
    report: existsSync(report) ? report : null,
    plot,
  };
}

function markdown(
  s: CaseStudySettings,
  dataset: DatasetSummary | undefined,
  rows: readonly CaseStudyRow[],
  tables: string,
  machine: { host: string; cpus: string; devices: string[] },
  search: SearchSummary | null,
): string {
  const data = dataset
    ? `${dataset.train + dataset.val} simulated XFEL patterns (${dataset.classes.join(' vs ')}), ${dataset.shape[1]}×${dataset.shape[2]}, ` +
      `fluence ${formatFluence(s.fluence)} photons/µm², ${dataset.train} train / ${dataset.val} validation (\`dataset/\`)`
    : 'not simulated yet';
  const lines = [
    '# Case study: Table I of Patel et al. beside this run',
    '',
    `Data: ${data}.`,
    `Networks (\`networks/\`): NSGA-Net macro genomes with N=${s.nodes}, C=${s.initChannels}, trained ${epochs(s.epochs)} as in the search, ` +
      `then refined ${epochs(s.refineEpochs)} from scratch. The paper trained on 79,384 patterns of 127×127 for 15 and 500 epochs; ` +
      'MFLOPs match the paper only at 127×127.',
    'Accuracy is validation accuracy in percent; inference time is per image on the refinement device, after refinement ' +
      "(the paper's Table I times are not reproduced here).",
    '',
    tables.split('\n\n')[0],
    '',
    `## Time per step on this machine`,
    '',
    `${machine.host}: ${machine.cpus}; trained on ${machine.devices.join(', ') || '—'}. Wall time, summed over the invocations that worked on the step.`,
    '',
    tables.split('\n\n')[1] ?? '',
  ];
  const failed = rows.filter((r) => r.measured.failure);
  if (failed.length) lines.push('', ...failed.map((r) => `Network ${r.network}: ${r.measured.failure}`));
  if (search) {
    lines.push(
      '',
      '## Search',
      '',
      `\`search/\`: ${search.candidates} candidates, ${search.front} on the Pareto front` +
        `${search.report ? `; interactive plot and Table I in \`search/report.html\`` : ''}.`,
    );
    if (search.plot)
      lines.push(
        '',
        `![Validation accuracy vs MFLOPs of the search, with networks 740, 729 and 736 ringed](${TABLE_FILES.plot})`,
      );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
