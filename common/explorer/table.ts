// Table I of the paper (model, MFLOPs, accuracy before and after refinement, inference time) and
// the exports: CSV (RFC 4180) and Markdown. Pure functions, shared by the webview and `pareto-nas report`.
import type { CandidateRecord, RefineRecord } from './messages';

export interface Table1Row {
  id: string;
  generation: number;
  genome: string;
  mflops: number;
  params: number;
  /** Validation accuracy (%) at the end of the search. */
  searchAccuracy: number | null;
  /** Validation accuracy (%) after refinement; null until it finished. */
  refinedAccuracy: number | null;
  inferenceMsPerImage: number | null;
  inferenceSeconds: number | null;
  inferenceImages: number | null;
  refineStatus: 'none' | 'running' | 'done' | 'failed';
  epochsDone: number;
  epochsPlanned: number | null;
  pareto: boolean;
  selected: boolean;
}

export type Table1Key = 'id' | 'mflops' | 'params' | 'searchAccuracy' | 'refinedAccuracy' | 'inferenceMsPerImage';

/** The refinement that speaks for a candidate: a finished one over a running one over a failed one, latest last. */
export function refinementFor(candidate: string, refinements: Iterable<RefineRecord>): RefineRecord | undefined {
  const rank = { done: 3, running: 2, failed: 1 } as const;
  let best: RefineRecord | undefined;
  for (const r of refinements) {
    if (r.candidate !== candidate) continue;
    if (!best || rank[r.status] >= rank[best.status]) best = r;
  }
  return best;
}

/** Rows for the selected networks plus every refined one, ordered by MFLOPs. */
export function table1Rows(
  records: ReadonlyMap<string, CandidateRecord>,
  refinements: Iterable<RefineRecord>,
  selected: readonly string[],
  frontIds: ReadonlySet<string>,
): Table1Row[] {
  const refs = [...refinements];
  const ids = new Set<string>(selected);
  for (const r of refs) if (records.has(r.candidate)) ids.add(r.candidate);
  const sel = new Set(selected);
  const rows: Table1Row[] = [];
  for (const id of ids) {
    const c = records.get(id);
    if (!c) continue;
    const ref = refinementFor(id, refs);
    const last = ref?.epochs.at(-1);
    rows.push({
      id,
      generation: c.generation,
      genome: c.genome,
      mflops: c.mflops,
      params: c.params,
      searchAccuracy: ref?.searchAccuracy ?? c.valAccuracy,
      refinedAccuracy: ref?.status === 'done' ? (ref.valAccuracy ?? last?.valAccuracy ?? null) : null,
      inferenceMsPerImage: ref?.inference?.perImageMs ?? null,
      inferenceSeconds: ref?.inference?.seconds ?? null,
      inferenceImages: ref?.inference?.images ?? null,
      refineStatus: ref ? ref.status : 'none',
      epochsDone: ref?.epochs.length ?? 0,
      epochsPlanned: ref?.epochsPlanned ?? null,
      pareto: frontIds.has(id),
      selected: sel.has(id),
    });
  }
  return sortRows(rows, 'mflops', 'asc');
}

/** Stable sort by one column; missing values (null) go last in either direction. */
export function sortRows(rows: readonly Table1Row[], key: Table1Key, dir: 'asc' | 'desc'): Table1Row[] {
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => {
      const va = a.r[key];
      const vb = b.r[key];
      if (va === null && vb === null) return a.i - b.i;
      if (va === null) return 1;
      if (vb === null) return -1;
      const c =
        typeof va === 'string'
          ? va.localeCompare(vb as string, 'en', { numeric: true })
          : (va as number) - (vb as number);
      return c !== 0 ? sign * c : a.i - b.i;
    })
    .map((x) => x.r);
}

export function fmt(v: number | null, digits: number): string {
  return v === null || !Number.isFinite(v) ? '' : v.toFixed(digits);
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  const line = (cells: ReadonlyArray<string | number | null>) =>
    cells.map((c) => csvField(c === null ? '' : String(c))).join(',');
  return [line(header), ...rows.map(line)].join('\r\n') + '\r\n';
}

export const TABLE1_CSV_HEADER = [
  'model',
  'generation',
  'mflops',
  'params',
  'accuracy_before_refinement',
  'accuracy_after_refinement',
  'inference_ms_per_image',
  'inference_seconds',
  'inference_images',
  'refine_status',
  'genome',
] as const;

export function table1Csv(rows: readonly Table1Row[]): string {
  return toCsv(
    TABLE1_CSV_HEADER,
    rows.map((r) => [
      r.id,
      r.generation,
      r.mflops,
      r.params,
      r.searchAccuracy,
      r.refinedAccuracy,
      r.inferenceMsPerImage,
      r.inferenceSeconds,
      r.inferenceImages,
      r.refineStatus,
      r.genome,
    ]),
  );
}

function mdCell(v: string): string {
  return v.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The paper's Table I as a GitHub Markdown table; "—" where a value does not exist yet. */
export function table1Markdown(rows: readonly Table1Row[], title?: string): string {
  const dash = (s: string) => (s === '' ? '—' : s);
  const header = [
    'Model',
    'MFLOPs',
    'Params',
    'Accuracy before refinement (%)',
    'Accuracy after refinement (%)',
    'Inference time (ms/image)',
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map(
      (r) =>
        `| ${[
          mdCell(r.id),
          fmt(r.mflops, 4),
          String(r.params),
          dash(fmt(r.searchAccuracy, 2)),
          dash(fmt(r.refinedAccuracy, 2)),
          dash(fmt(r.inferenceMsPerImage, 4)),
        ].join(' | ')} |`,
    ),
  ];
  return (title ? `${title}\n\n` : '') + lines.join('\n') + '\n';
}

export const PARETO_CSV_HEADER = [
  'id',
  'generation',
  'mflops',
  'params',
  'val_accuracy',
  'error',
  'epochs',
  'train_seconds',
  'selected',
  'genome',
] as const;

/** pareto.csv: the non-dominated networks, by MFLOPs, with whether they are selected. */
export function paretoCsv(
  records: ReadonlyMap<string, CandidateRecord>,
  frontIds: readonly string[],
  selected: ReadonlySet<string>,
): string {
  const rows = frontIds
    .map((id) => records.get(id))
    .filter((r): r is CandidateRecord => !!r)
    .map((r) => [
      r.id,
      r.generation,
      r.mflops,
      r.params,
      r.valAccuracy,
      r.error,
      r.epochs.length,
      r.trainSeconds,
      selected.has(r.id) ? 'yes' : 'no',
      r.genome,
    ]);
  return toCsv(PARETO_CSV_HEADER, rows);
}
