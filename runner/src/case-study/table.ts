// Table I of the case study beside the paper's, from the networks' run directory: MFLOPs, accuracy
// after the search-length training and after refinement, inference time; plus the step times.
// Rows, Markdown and the JSON object written next to it.
import type { CandidateRecord, RefineRecord } from '../../../common/protocol';
import type { Ledger, StepName } from './ledger';
import type { PaperNetwork } from './paper';

export interface CaseStudyRow {
  network: string;
  genome: string;
  /** Candidate id in the networks' run directory. */
  candidate: string | null;
  paper: { mflops: number; accuracyBefore: number; accuracyAfter: number };
  measured: {
    mflops: number | null;
    params: number | null;
    /** Validation accuracy (%) after the search-length training; null when not trained (yet) or failed. */
    accuracyBefore: number | null;
    /** After refinement; null until it finished. */
    accuracyAfter: number | null;
    refineEpochs: number;
    refineStatus: RefineRecord['status'] | 'none';
    inferenceMsPerImage: number | null;
    device: string | null;
    failure: string | null;
  };
}

export function caseStudyRows(
  paper: readonly PaperNetwork[],
  candidates: readonly CandidateRecord[],
  refinements: readonly RefineRecord[],
): CaseStudyRow[] {
  return paper.map((p) => {
    const c = candidates.find((r) => r.genome === p.genome);
    const ref = c && refinements.find((r) => r.candidate === c.id);
    const failure = c?.failure ?? ref?.failure;
    return {
      network: p.name,
      genome: p.genome,
      candidate: c?.id ?? null,
      paper: { mflops: p.mflops, accuracyBefore: p.accuracyBefore, accuracyAfter: p.accuracyAfter },
      measured: {
        mflops: c?.mflops ?? null,
        params: c?.params ?? null,
        accuracyBefore: c?.valAccuracy ?? null,
        accuracyAfter: ref?.status === 'done' ? ref.valAccuracy : null,
        refineEpochs: ref?.epochs.length ?? 0,
        refineStatus: ref?.status ?? 'none',
        inferenceMsPerImage: ref?.inference?.perImageMs ?? null,
        device: ref?.device ?? c?.device ?? null,
        failure: failure ? `${failure.kind}: ${failure.message}` : null,
      },
    };
  });
}

const STEP_TITLES: Record<StepName, string> = {
  simulate: 'simulate the dataset',
  train: 'train the three networks',
  refine: 'refine them',
  search: 'search',
};

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.round(s % 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${sec} s`;
}

function pct(v: number | null): string {
  return v === null ? '—' : v.toFixed(1);
}

export function rowsMarkdown(rows: readonly CaseStudyRow[]): string {
  const head =
    '| Network | Genome | MFLOPs (paper) | MFLOPs (here) | Params | Accuracy before refinement, % (paper) | (here) | ' +
    'Accuracy after refinement, % (paper) | (here) | Refinement epochs | Inference, ms/image (here) |';
  const lines = [head, `|${' --- |'.repeat(11)}`];
  for (const r of rows) {
    const m = r.measured;
    const state = m.failure ? ` (${m.failure})` : m.refineStatus === 'running' ? ' (running)' : '';
    lines.push(
      `| ${r.network} | \`${r.genome}\` | ${r.paper.mflops} | ${m.mflops ?? '—'} | ${m.params ?? '—'} | ${r.paper.accuracyBefore} | ` +
        `${pct(m.accuracyBefore)} | ${r.paper.accuracyAfter} | ${pct(m.accuracyAfter)}${state} | ${m.refineEpochs} | ` +
        `${m.inferenceMsPerImage === null ? '—' : m.inferenceMsPerImage.toPrecision(3)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function stepsMarkdown(ledger: Ledger, describe: Partial<Record<StepName, string>>): string {
  const lines = ['| Step | Wall time | State |', '| --- | --- | --- |'];
  for (const name of Object.keys(STEP_TITLES) as StepName[]) {
    const e = ledger[name];
    if (!e) continue;
    lines.push(
      `| ${STEP_TITLES[name]}${describe[name] ? ` (${describe[name]})` : ''} | ${formatSeconds(e.seconds)} | ${e.done ? 'done' : 'unfinished'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
