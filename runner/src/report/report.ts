// `pareto-nas report <run>`: a self-contained report.html (the explorer's own bundle and CSS inlined,
// the run's data embedded as JSON, a static light theme), pareto.csv and Table I as Markdown.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DecodeOptions } from '../../../common/model/spec';
import type { CandidateRecord } from '../../../common/protocol';
import { lastSeq, readCandidates, readRefineRecords, RUN_FILES, summarizeRun } from '../store';
import { runDecodeOptions } from '../search/run-spec';
import type { ExplorerSnapshot, ExplorerUiState, HostToWebview } from '../../../common/explorer/messages';
import { DEFAULT_UI } from '../../../common/explorer/messages';
import { paretoFrontOf } from '../../../common/explorer/front';
import { defaultCutoff, selectedIds } from '../../../common/explorer/selection';
import { paretoCsv, table1Markdown, table1Rows } from '../../../common/explorer/table';
import { readBenchRecord, type ModelBenchRecord } from '../export/bench-model';
import { REPORT_LIGHT_THEME } from './theme';

export class ReportError extends Error {
  override name = 'ReportError';
}

export interface ReportOptions {
  runDir: string;
  /** Folder for the three files; default: the run directory. */
  outDir?: string;
  /** FLOPs cutoff (MFLOPs) for the selection; default: the explorer's (the largest refined network, else the knee of the front). */
  cutoff?: number | null;
  /** Where dist/webview.js and dist/webview.css are; default: found next to the runner. */
  assetsDir?: string;
}

export interface ReportResult {
  html: string;
  paretoCsv: string;
  table1: string;
  candidates: number;
  front: number;
  selected: string[];
  cutoff: number | null;
}

/** Folders that may hold the webview bundle: next to the running bundle (dist/), or the repo's dist/. */
export function findWebviewAssets(explicit?: string): { js: string; css: string } {
  const dirs = explicit
    ? [explicit]
    : [__dirname, join(__dirname, '..', '..', '..', 'dist'), join(process.cwd(), 'dist')];
  for (const d of dirs) {
    const js = join(d, 'webview.js');
    const css = join(d, 'webview.css');
    if (existsSync(js) && existsSync(css)) return { js, css };
  }
  throw new ReportError(`cannot find webview.js and webview.css (looked in ${dirs.join(', ')}); run \`npm run build\``);
}

/** How the run decodes genomes; null (no topologies) when its config or run.json is unreadable. */
function decodeOptionsOrNull(runDir: string): DecodeOptions | null {
  try {
    return runDecodeOptions(runDir);
  } catch {
    return null;
  }
}

/** The explorer's snapshot of a run directory, as the extension would send it. */
export function runSnapshot(runDir: string): ExplorerSnapshot {
  const dir = resolve(runDir);
  if (!existsSync(join(dir, RUN_FILES.config)))
    throw new ReportError(`${runDir} is not a run directory (no ${RUN_FILES.config})`);
  const summary = summarizeRun(dir);
  const candidates: CandidateRecord[] = readCandidates(dir);
  return {
    run: {
      id: basename(dir),
      name: summary.name,
      dir,
      dataset: summary.dataset,
      state: summary.state,
      generations: summary.generations,
    },
    lastSeq: lastSeq(dir),
    decode: decodeOptionsOrNull(dir),
    candidates,
    refinements: readRefineRecords(dir),
  };
}

/** JSON inside <script type="application/json">: nothing in it may close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);
}

/** A script or style body must not contain its own end tag. */
function inlineSafe(code: string, tag: 'script' | 'style'): string {
  return code.replace(new RegExp(`</${tag}`, 'gi'), `<\\/${tag}`);
}

export function reportHtml(
  snapshot: ExplorerSnapshot,
  ui: ExplorerUiState,
  assets: { js: string; css: string },
): string {
  const nonce = randomBytes(16).toString('base64');
  const messages: HostToWebview[] = [{ type: 'snapshot', snapshot, ui }];
  const title = `Pareto NAS report — ${snapshot.run.name || snapshot.run.id}`;
  const js = readFileSync(assets.js, 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/m, '');
  const css = readFileSync(assets.css, 'utf8').replace(/\/\*# sourceMappingURL=.*?\*\//g, '');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data: blob:;">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pareto-nas report">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${inlineSafe(REPORT_LIGHT_THEME, 'style')}</style>
<style nonce="${nonce}">${inlineSafe(css, 'style')}</style>
</head>
<body class="vscode-light report" data-view="explorer">
<main id="app"><noscript>This report draws its plots with JavaScript; pareto.csv and table1.md next to it hold the same data.</noscript></main>
<script type="application/json" id="pareto-data">${scriptJson(messages)}</script>
<script nonce="${nonce}">${inlineSafe(js, 'script')}</script>
</body>
</html>
`;
}

export function buildReport(opts: ReportOptions): ReportResult {
  const snapshot = runSnapshot(opts.runDir);
  snapshot.run.dir = opts.runDir; // as the user wrote it: the report shows it in the refine command
  const outDir = resolve(opts.outDir ?? opts.runDir);
  const records = new Map(snapshot.candidates.map((c) => [c.id, c]));
  const front = paretoFrontOf(snapshot.candidates);
  const cutoff = opts.cutoff !== undefined ? opts.cutoff : defaultCutoff(front, snapshot.refinements);
  if (cutoff !== null && !(Number.isFinite(cutoff) && cutoff > 0))
    throw new ReportError(`--cutoff must be a positive number of MFLOPs, got ${cutoff}`);
  const ui: ExplorerUiState = { ...DEFAULT_UI, cutoff };
  const selected = selectedIds(records, front, ui);
  const frontIds = front.map((p) => p.id);
  const rows = table1Rows(records, snapshot.refinements, selected, new Set(frontIds));

  mkdirSync(outDir, { recursive: true });
  const html = join(outDir, 'report.html');
  const csv = join(outDir, 'pareto.csv');
  const md = join(outDir, 'table1.md');
  writeFileSync(html, reportHtml(snapshot, ui, findWebviewAssets(opts.assetsDir)));
  writeFileSync(csv, paretoCsv(records, frontIds, new Set(selected)));
  const name = snapshot.run.name || snapshot.run.id;
  const intro = [
    `# ${name}: Table I`,
    '',
    `Run \`${snapshot.run.id}\`: ${snapshot.candidates.length} candidates, ${front.length} on the Pareto front, ` +
      `${selected.length} selected${cutoff === null ? ' (no cutoff)' : ` at or below ${cutoff} MFLOPs`}, ${snapshot.refinements.length} refined.`,
    'Accuracy is validation accuracy in percent; inference time is per image on the refinement device.',
  ].join('\n');
  const deployed = deployedInferenceMarkdown(
    opts.runDir,
    rows.map((r) => r.id),
  );
  writeFileSync(md, `${intro}\n\n${table1Markdown(rows)}${deployed ? `\n${deployed}` : ''}`);
  return {
    html,
    paretoCsv: csv,
    table1: md,
    candidates: snapshot.candidates.length,
    front: front.length,
    selected,
    cutoff,
  };
}

/** Inference of the exported networks where `pareto-nas bench-model` measured it; '' when none was. */
export function deployedInferenceMarkdown(runDir: string, ids: readonly string[]): string {
  const measured = ids.map((id) => readBenchRecord(runDir, id)).filter((r): r is ModelBenchRecord => r !== undefined);
  if (measured.length === 0) return '';
  const header = [
    'Model',
    'Format',
    'Runtime',
    'Batch',
    'Images/s',
    'Inference time (ms/image)',
    'Batch latency p95 (ms)',
  ];
  return [
    'Exported networks, measured with `pareto-nas bench-model` where the workflow runs them:',
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i < 3 ? '---' : '---:')).join(' | ')} |`,
    ...measured.map(
      (r) =>
        `| ${r.candidate} | ${r.format} | ${r.runtime} on ${r.host} | ${r.batchSize} | ${r.imagesPerSecond.toFixed(0)} | ` +
        `${r.perImageMs.toFixed(4)} | ${r.latencyMs.p95.toFixed(2)} |`,
    ),
    '',
  ].join('\n');
}
