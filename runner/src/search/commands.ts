// CLI commands of the search: flops, nsga2-check, search, resume (of a search or a train run), status, pareto, inspect.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { atLeast, integer, positiveInt } from '../cli-args';
import { presetConfig, PRESETS, type SearchConfig } from '../../../common/config';
import { readConfigFile } from '../config-file';
import { cost, decode, describeSpec } from '../../../common/model';
import type { CandidateRecord } from '../../../common/protocol';
import { readCandidates, readRunConfig, summarizeRun } from '../store';
import { paretoFront } from '../../../common/pareto';
import { slurmJobId } from '../exec/slurm-allocation';
import { LOG_FILE, readLaunch, slurmJobState } from '../server/launch';
import { startSearch } from '../server/start-search';
import { newRunId, RUN_FILES, RunStore, runsRoot } from '../store';
import { runSpec } from './run-spec';
import { createRun, executeSearch, openRunForResume } from './execute';
import { resumeTrainRun } from '../train/commands';
import { isTrainRun } from '../train/train';
import { runZdtCheck, ZDT_NAMES, type ZdtName } from './zdt';

export function registerSearchCommands(program: Command): void {
  program
    .command('flops')
    .description('MFLOPs and parameters of macro genomes by the NSGA-Net counting rule')
    .argument('<genomes...>', 'bit strings, e.g. 000110111000000110010')
    .option('--nodes <n>', 'nodes per phase', positiveInt, 4)
    .option('--init-channels <c>', 'C: channels (c_in,C),(C,2C),(2C,4C)', positiveInt, 24)
    .option('--input <c,h,w>', 'input shape', shape, [1, 127, 127])
    .option('--classes <k>', 'number of classes (at least 2)', atLeast(2), 2)
    .option('--json', 'one JSON object per line')
    .action(
      (
        genomes: string[],
        o: { nodes: number; initChannels: number; input: number[]; classes: number; json?: boolean },
      ) => {
        for (const genome of genomes) {
          const spec = decode(genome, {
            nodes: o.nodes,
            initChannels: o.initChannels,
            input: { channels: o.input[0], height: o.input[1], width: o.input[2] },
            classes: o.classes,
          });
          const c = cost(spec);
          if (o.json) console.log(JSON.stringify({ genome, mflops: c.mflops, params: c.params, flops: c.flops }));
          else console.log(`${genome}  ${c.mflops.toFixed(4)} MFLOPs  ${c.params} params`);
        }
      },
    );

  program
    .command('nsga2-check')
    .description('validate the NSGA-II implementation on ZDT1-3 against pymoo (prints hypervolume and IGD)')
    .addOption(new Option('--problem <name>', 'test problem').choices(ZDT_NAMES).makeOptionMandatory())
    .option('--pop <n>', 'population size (at least 2)', atLeast(2), 100)
    .option('--gens <n>', 'generations', positiveInt, 250)
    .option('--seed <s>', 'random seed', integer, 1)
    .action((o: { problem: ZdtName; pop: number; gens: number; seed: number }) => {
      console.log(JSON.stringify(runZdtCheck(o.problem, o.pop, o.gens, o.seed)));
    });

  program
    .command('search')
    .description('run an NSGA-Net macro search into a new run directory')
    .option('--config <file>', 'search config (JSON)')
    .addOption(new Option('--preset <name>', 'a preset instead of a config file').choices(Object.keys(PRESETS)))
    .option('--dataset <dir>', 'dataset folder (overrides the config); "default" is the bundled demo data')
    .option('--run-dir <dir>', 'where to write the run (default: a new folder under the runs root)')
    .action(async (o: { config?: string; preset?: string; dataset?: string; runDir?: string }) => {
      if (!o.config === !o.preset) throw new Error('give exactly one of --config <file> or --preset <name>');
      let config: SearchConfig = o.config ? readConfigFile(o.config) : presetConfig(o.preset!, o.dataset ?? 'default');
      if (o.dataset) config = { ...config, dataset: o.dataset };
      // slurm, outside an allocation (a login node): submit the search as its batch job and return
      if (config.executor.kind === 'slurm' && !slurmJobId()) return submitSearch(config, o.runDir);
      process.exitCode = await executeSearch(await createRun(config, o.runDir));
    });

  program
    .command('resume')
    .description('continue an interrupted search (or train run) from its run directory')
    .argument('<run>', 'run directory')
    .action(async (run: string) => {
      const dir = resolve(run);
      process.exitCode = isTrainRun(dir)
        ? await resumeTrainRun(RunStore.open(dir))
        : await executeSearch(await openRunForResume(dir));
    });

  program
    .command('status')
    .description('state and progress of a run')
    .argument('<run>', 'run directory')
    .option('--json', 'machine-readable output')
    .action((run: string, o: { json?: boolean }) => {
      const dir = resolve(run);
      const job = slurmJobLine(dir);
      if (!existsSync(join(dir, RUN_FILES.config)) && job)
        return console.log(o.json ? JSON.stringify({ dir, job }) : job);
      const s = summarizeRun(dir);
      if (o.json) return console.log(JSON.stringify(job ? { ...s, job } : s));
      if (job) console.log(job);
      const front = paretoFront(readCandidates(s.dir));
      console.log(`${s.id}: ${s.state}, generation ${s.generation}/${s.generations}, ${s.evaluations} evaluations`);
      console.log(`dataset ${s.dataset}; Pareto front: ${front.length} networks`);
      for (const r of front) console.log(`  ${formatRecord(r)}`);
    });

  program
    .command('pareto')
    .description('the non-dominated set of all evaluated candidates (error vs MFLOPs)')
    .argument('<run>', 'run directory')
    .option('--json', 'one JSON record per line')
    .action((run: string, o: { json?: boolean }) => {
      const dir = resolve(run);
      readRunConfig(dir); // a folder that is not a run is an error, not an empty front
      const front = paretoFront(readCandidates(dir));
      if (front.length === 0) process.stderr.write(`${dir}: no candidate has trained successfully yet\n`);
      for (const r of front) console.log(o.json ? JSON.stringify(r) : formatRecord(r));
    });

  program
    .command('inspect')
    .description('the decoded network of one candidate')
    .argument('<run>', 'run directory')
    .argument('<id>', 'candidate id, e.g. g3-07')
    .option('--json', 'the network spec as JSON')
    .action((run: string, id: string, o: { json?: boolean }) => {
      const dir = resolve(run);
      const record = readCandidates(dir).find((r) => r.id === id);
      if (!record) throw new Error(`${dir} has no candidate "${id}"`);
      const spec = runSpec(dir, record.genome);
      if (o.json) return console.log(JSON.stringify(spec, null, 2));
      console.log(`${formatRecord(record)}\ngenome ${record.genome}\n${describeSpec(spec)}`);
    });
}

function submitSearch(config: SearchConfig, runDir?: string): void {
  const dir = resolve(runDir ?? join(runsRoot(), newRunId(config.name)));
  const info = startSearch(config, dir, process.argv[1]);
  console.log(`submitted Slurm job ${info.jobId} for run ${dir}`);
  console.log(
    `follow it:  pareto-nas status ${dir}   |   tail -f ${join(dir, LOG_FILE)}   |   squeue -j ${info.jobId}`,
  );
  console.log(`stop it:    scancel ${info.jobId}   (the run stays resumable: pareto-nas resume ${dir})`);
}

/** "slurm job 42: RUNNING" for a run submitted to Slurm, else undefined. */
function slurmJobLine(dir: string): string | undefined {
  const l = readLaunch(dir);
  if (l?.executor !== 'slurm' || !l.jobId) return undefined;
  const state = slurmJobState(l.jobId);
  const shown = state === null ? 'unknown (squeue not reachable from here)' : (state ?? 'no longer known to Slurm');
  return `slurm job ${l.jobId}: ${shown}`;
}

/** One line per candidate: id, accuracy, MFLOPs, params, genome (also used by `train`). */
export function formatRecord(r: CandidateRecord): string {
  const acc = r.valAccuracy === null ? 'failed' : `${r.valAccuracy.toFixed(2)}%`;
  return `${r.id}  ${acc.padStart(7)}  ${r.mflops.toFixed(4).padStart(10)} MFLOPs  ${String(r.params).padStart(8)} params  ${r.genome}`;
}

function shape(value: string): number[] {
  const parts = value.split(/[,x×]/).map(Number);
  if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new InvalidArgumentError(`"${value}" is not a shape like 1,127,127 (channels,height,width)`);
  }
  return parts;
}
