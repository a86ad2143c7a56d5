// `pareto-nas curves replay FILE`: replays recorded learning curves through an early-termination
// policy and prints what it saves and what it costs the Pareto front (see replay.ts).
import type { Command } from 'commander';
import { readCurveFile, type CurveSet } from './curves';
import { FrontBoundTermination } from './front-bound';
import { PenguinRecorded } from './penguin-recorded';
import type { EarlyStopPolicy } from './policy';
import { replayCurves, type ReplayReport } from './replay';

const REPLAY_POLICIES = ['front-bound', 'penguin-recorded', 'off'] as const;

export function registerCurveCommands(program: Command): void {
  const curves = program.command('curves').description('Learning curves and early termination');
  curves
    .command('replay <file>')
    .description(
      'Replay complete learning curves (A4NN CSV or candidates.jsonl) in search order through an early-termination policy',
    )
    .option('--policy <name>', `${REPLAY_POLICIES.join(' | ')}`, 'front-bound')
    .option(
      '--json',
      'print one JSON object (epochsSavedPercent, frontGapMean, frontGapMax, predictionErrorMean, networks)',
    )
    .action((file: string, opts: { policy: string; json?: boolean }) => {
      const set = readCurveFile(file);
      const report = replayCurves(set, policyFor(opts.policy, set));
      process.stdout.write(opts.json ? `${JSON.stringify(jsonReport(report))}\n` : textReport(file, report));
    });
}

function policyFor(name: string, set: CurveSet): EarlyStopPolicy {
  if (name === 'front-bound') return new FrontBoundTermination();
  if (name === 'off') return { name: 'off', decide: () => undefined };
  if (name === 'penguin-recorded') {
    if (!set.curves.some((c) => c.recordedStop))
      throw new Error('--policy penguin-recorded needs a file with PENGUIN\'s recorded "converged" column (A4NN CSV)');
    return new PenguinRecorded(set.curves);
  }
  throw new Error(`unknown --policy "${name}"; choose one of ${REPLAY_POLICIES.join(', ')}`);
}

function jsonReport(r: ReplayReport): object {
  return {
    policy: r.policy,
    plannedEpochs: r.plannedEpochs,
    epochsSavedPercent: r.epochsSavedPercent,
    frontGapMean: r.frontGapMean,
    frontGapMax: r.frontGapMax,
    predictionErrorMean: r.predictionErrorMean,
    predictionErrorMax: r.predictionErrorMax,
    stopped: r.stopped,
    trueFront: r.trueFront,
    skipped: r.skipped,
    networks: r.networks.map((n) => ({
      id: n.id,
      epochsTrained: n.epochsTrained,
      ...(n.decision ? { reason: n.decision.reason } : {}),
    })),
  };
}

function textReport(file: string, r: ReplayReport): string {
  const f = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
  return [
    `${file}: ${r.networks.length} networks × ${r.plannedEpochs} epochs replayed with policy ${r.policy}` +
      (r.skipped ? ` (${r.skipped} records without a complete curve left out)` : ''),
    `  epochs saved        ${r.epochsSavedPercent.toFixed(1)} %  (stopped: ${r.stopped.dominated} dominated, ${r.stopped.converged} converged)`,
    `  |predicted − final| mean ${f(r.predictionErrorMean)}, max ${f(r.predictionErrorMax)} points over ${r.predictions} predictions`,
    `  front gap           mean ${f(r.frontGapMean)}, max ${f(r.frontGapMax)} points over the ${r.trueFront.length} networks of the true front`,
    '',
  ].join('\n');
}
