// `pareto-nas demo`: the whole method on the bundled default dataset, sized for a laptop:
// generate (a small search), select (the whole Pareto front: at the demo's scale it costs under
// 2 MFLOPs, so there is no expensive tail to cut off), refine (from scratch, 2× the search's epochs),
// and write the report.
import { Option, type Command } from 'commander';
import { positiveInt, positiveNumber } from './cli-args';
import { PRESETS, presetConfig } from '../../common/config';
import { refine } from './refine';
import { buildReport } from './report/report';
import { createRun, executeSearch } from './search/execute';
import { paretoFront, selectBelowCutoff } from '../../common/pareto';
import { readCandidates } from './store';
import { findTorchPython } from './engines/torch';

const SEARCH_EPOCHS = PRESETS.demo.training.epochs;
// Refinement trains the selected networks from scratch (as NSGA-Net and the paper do), so it must
// train longer than the search did to end up more accurate: 2× the search's epochs (each epoch is
// 6,400 images; more would not fit the demo's few minutes with three or four networks selected).
const REFINE_EPOCHS = 2 * SEARCH_EPOCHS;

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('search, select, refine and report on the bundled default dataset (minutes on a laptop)')
    .option('--run-dir <dir>', 'where to write the run (default: a new folder under the runs root)')
    .option(
      '--cutoff <MFLOPs>',
      'FLOPs cutoff for refinement (default: the most accurate network, i.e. the whole front)',
      positiveNumber,
    )
    .option(
      '--refine-epochs <n>',
      `epochs of the refinement, from scratch (the search trains each network for ${SEARCH_EPOCHS})`,
      positiveInt,
      REFINE_EPOCHS,
    )
    .addOption(
      new Option(
        '--engine <name>',
        'training engine (auto: torch on a CUDA GPU, else tfjs, which trains these tiny networks faster on a CPU)',
      )
        .choices(['auto', 'torch', 'tfjs'])
        .default('auto'),
    )
    .action(
      async (o: { runDir?: string; cutoff?: number; refineEpochs: number; engine: 'auto' | 'torch' | 'tfjs' }) => {
        const say = (m: string) => process.stderr.write(`\n== ${m}\n`);
        say('1/4 generate: NSGA-Net macro search (preset demo) on the default dataset');
        const preset = presetConfig('demo', 'default');
        const engine = await demoEngine(o.engine);
        const store = await createRun({ ...preset, engine: { ...preset.engine, name: engine } }, o.runDir);
        const code = await executeSearch(store);
        if (code !== 0) return void (process.exitCode = code);

        const front = paretoFront(readCandidates(store.dir));
        // The paper cuts the front below its knee because the networks beyond it are costly to refine;
        // the demo's whole front is cheap, and refining its most accurate network is what shows the gain.
        const cutoff = o.cutoff ?? front.at(-1)?.mflops;
        if (cutoff === undefined)
          throw new Error(`no candidate of ${store.dir} trained successfully; nothing to select`);
        const selected = selectBelowCutoff(front, cutoff);
        say(
          `2/4 select: ${front.length} Pareto networks, ${selected.length} at or below the cutoff of ${cutoff} MFLOPs (*)`,
        );
        for (const r of front) {
          const mark = selected.includes(r) ? '*' : ' ';
          process.stderr.write(`   ${mark} ${r.id}  ${r.valAccuracy?.toFixed(2)}%  ${r.mflops} MFLOPs\n`);
        }

        say(
          `3/4 refine: ${selected.length} networks from scratch for ${o.refineEpochs} epochs (search: ${preset.training.epochs}; the paper used 500)`,
        );
        await refine({
          runDir: store.dir,
          select: { ids: selected.map((r) => r.id) },
          epochs: o.refineEpochs,
          onProgress: (p) => {
            if (p.state === 'finished' && p.record) {
              const { searchAccuracy: before, valAccuracy: after } = p.record;
              process.stderr.write(
                `   ${p.id}: ${before?.toFixed(2)}% after the search → ${after?.toFixed(2)}% after refinement\n`,
              );
            }
          },
        });

        say('4/4 report');
        const report = buildReport({ runDir: store.dir, cutoff });
        console.log(`run       ${store.dir}`);
        console.log(`report    ${report.html}`);
        console.log(`Table I   ${report.table1}`);
        console.log(`front     ${report.paretoCsv}`);
        console.log(
          `explore   pareto-nas status ${store.dir}   |   open the run in VS Code: "Pareto NAS: Open Pareto Explorer"`,
        );
      },
    );
}

/**
 * The demo's networks are tiny: on a CPU the TF.js wasm engine trains them faster than a CPU build of
 * PyTorch, so for the demo "auto" means torch only where it finds a CUDA GPU.
 */
async function demoEngine(choice: 'auto' | 'torch' | 'tfjs'): Promise<'torch' | 'tfjs'> {
  if (choice !== 'auto') return choice;
  try {
    return (await findTorchPython()).cuda ? 'torch' : 'tfjs';
  } catch {
    return 'tfjs';
  }
}
