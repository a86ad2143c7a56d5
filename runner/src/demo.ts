// `pareto-nas demo`: the whole method on the bundled default dataset, sized for a laptop:
// generate (a small search), select (the Pareto networks below the knee of the front), refine
// (briefly), and write the report.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { presetConfig } from '../../common/config';
import { refine } from './refine';
import { buildReport } from './report/report';
import { createRun, executeSearch } from './search/execute';
import { kneeOf, paretoFront, selectBelowCutoff } from '../../common/pareto';
import { readCandidates } from './store';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('search, select, refine and report on the bundled default dataset (minutes on a laptop)')
    .option('--run-dir <dir>', 'where to write the run (default: a new folder under the runs root)')
    .option('--cutoff <MFLOPs>', 'FLOPs cutoff for refinement (default: the knee of the Pareto front)', positiveNumber)
    .option('--refine-epochs <n>', 'epochs of the (brief) refinement', positiveInt, 4)
    .addOption(new Option('--engine <name>', 'training engine').choices(['auto', 'torch', 'tfjs']).default('auto'))
    .action(async (o: { runDir?: string; cutoff?: number; refineEpochs: number; engine: 'auto' | 'torch' | 'tfjs' }) => {
      const say = (m: string) => process.stderr.write(`\n== ${m}\n`);
      say('1/4 generate: NSGA-Net macro search (preset demo) on the default dataset');
      const preset = presetConfig('demo', 'default');
      const store = await createRun({ ...preset, engine: { ...preset.engine, name: o.engine } }, o.runDir);
      const code = await executeSearch(store);
      if (code !== 0) return void (process.exitCode = code);

      const front = paretoFront(readCandidates(store.dir));
      const cutoff = o.cutoff ?? kneeOf(front)?.mflops;
      if (cutoff === undefined) throw new Error(`no candidate of ${store.dir} trained successfully; nothing to select`);
      const selected = selectBelowCutoff(front, cutoff);
      say(`2/4 select: ${front.length} Pareto networks, ${selected.length} at or below the cutoff of ${cutoff} MFLOPs`);
      for (const r of selected) process.stderr.write(`   ${r.id}  ${r.valAccuracy?.toFixed(2)}%  ${r.mflops} MFLOPs\n`);

      say(`3/4 refine: ${selected.length} networks for ${o.refineEpochs} epochs (the paper used 500)`);
      await refine({
        runDir: store.dir,
        select: { ids: selected.map((r) => r.id) },
        epochs: o.refineEpochs,
        onProgress: (p) => {
          if (p.state === 'finished' && p.record) {
            process.stderr.write(`   ${p.id}: ${p.record.valAccuracy?.toFixed(2)}% after refinement\n`);
          }
        },
      });

      say('4/4 report');
      const report = buildReport({ runDir: store.dir, cutoff });
      console.log(`run       ${store.dir}`);
      console.log(`report    ${report.html}`);
      console.log(`Table I   ${report.table1}`);
      console.log(`front     ${report.paretoCsv}`);
      console.log(`explore   pareto-nas status ${store.dir}   |   open the run in VS Code: "Pareto NAS: Open Pareto Explorer"`);
    });
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError(`expected a positive number, got "${v}"`);
  return n;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return n;
}
