// `pareto-nas`: the runner's command line. Each concern registers its own commands; this file
// only wires them and turns errors into one clear line and a non-zero exit code.
import { Command, CommanderError } from 'commander';
import { registerCaseStudyCommand } from './case-study/commands';
import { registerDataCommands } from './data/commands';
import { registerDemoCommand } from './demo';
import { registerEngineCommands } from './engines/commands';
import { registerExportCommands } from './export/commands';
import { registerRefineCommands } from './refine/commands';
import { registerReportCommands } from './report/commands';
import { registerCurveCommands } from './search/early-stop/commands';
import { registerSearchCommands } from './search/commands';
import { registerServerCommands } from './server/commands';
import { registerTrainCommands } from './train/commands';
import { RUNNER_VERSION } from '../../common/version';

export function buildProgram(): Command {
  const program = new Command('pareto-nas')
    .description('Pareto NAS runner: NSGA-Net macro search, Pareto selection and refinement')
    .version(RUNNER_VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerSearchCommands(program);
  registerDataCommands(program);
  registerEngineCommands(program);
  registerTrainCommands(program);
  registerRefineCommands(program);
  registerReportCommands(program);
  registerExportCommands(program);
  registerCurveCommands(program);
  registerServerCommands(program);
  registerDemoCommand(program);
  registerCaseStudyCommand(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    const err = e as Error;
    process.stderr.write(`pareto-nas: ${err.message}\n`);
    if (process.env.PARETO_NAS_DEBUG) process.stderr.write(`${err.stack}\n`);
    // An interrupted command says so by its exit code (130 after Ctrl-C, as shells expect).
    const code = (err as { exitCode?: unknown }).exitCode;
    process.exit(typeof code === 'number' ? code : 1);
  }
}

if (require.main === module) void main(process.argv);
