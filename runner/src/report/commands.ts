// CLI: `pareto-nas report <run> [--cutoff <MFLOPs>] [--out <dir>]`.
import type { Command } from 'commander';
import { positiveNumber } from '../cli-args';
import { buildReport } from './report';

export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description(
      'write a self-contained report.html (Pareto plot, front, cutoff, topologies, Table I), pareto.csv and table1.md',
    )
    .argument('<run>', 'run directory')
    .option(
      '--cutoff <MFLOPs>',
      'FLOPs cutoff for the selection (default: the largest refined network, else the knee of the front)',
      positiveNumber,
    )
    .option('--out <dir>', 'folder for the report files (default: the run directory)')
    .action((run: string, o: { cutoff?: number; out?: string }) => {
      const r = buildReport({ runDir: run, outDir: o.out, cutoff: o.cutoff });
      console.log(
        `${r.candidates} candidates, ${r.front} on the front, ${r.selected.length} selected${r.cutoff === null ? '' : ` (cutoff ${r.cutoff} MFLOPs)`}`,
      );
      console.log(`wrote ${r.html}`);
      console.log(`wrote ${r.paretoCsv}`);
      console.log(`wrote ${r.table1}`);
    });
}
