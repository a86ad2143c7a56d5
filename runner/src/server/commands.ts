// CLI commands for serve and doctor.
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_STALL_MS } from './frame-reader';
import { runsRoot } from '../store';
import { doctor, formatDoctor } from './doctor';
import { startServer } from './server';

export function registerServerCommands(program: Command): void {
  program
    .command('serve')
    .description('JSON-RPC 2.0 server on stdin/stdout (Content-Length framing) for the VS Code extension')
    .option('--runs <dir>', 'runs root (default: $PARETO_NAS_RUNS, else ~/.pareto-nas/runs)')
    .option(
      '--root <dir>',
      'another folder clients may name runs in (repeatable); every other path is refused',
      collect,
      [],
    )
    .option('--max-message-bytes <n>', 'largest JSON-RPC message accepted', positiveInt, DEFAULT_MAX_MESSAGE_BYTES)
    .option(
      '--stall-ms <ms>',
      'close the connection when a message stays incomplete this long',
      positiveInt,
      DEFAULT_STALL_MS,
    )
    .action(async (opts: { runs?: string; root: string[]; maxMessageBytes: number; stallMs: number }) => {
      // stdout carries the protocol only: anything printed by accident goes to stderr.
      const toStderr = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
      console.log = toStderr;
      console.info = toStderr;
      console.debug = toStderr;
      process.on('uncaughtException', (e) => process.stderr.write(`serve: uncaught: ${e.stack ?? e.message}\n`));
      process.on('unhandledRejection', (e) => process.stderr.write(`serve: unhandled rejection: ${String(e)}\n`));
      process.stdout.on('error', () => process.exit(0)); // client gone
      const server = startServer({
        input: process.stdin,
        output: process.stdout,
        runsRoot: opts.runs ?? runsRoot(),
        roots: opts.root,
        limits: { maxMessageBytes: opts.maxMessageBytes, stallMs: opts.stallMs },
      });
      await server.closed();
      server.dispose();
      process.exit(0);
    });

  program
    .command('doctor')
    .description('check Node, Python/torch, CUDA and GPUs, TF.js backends and Slurm on this host')
    .option('--python <path>', 'python to check (default: $PARETO_NAS_PYTHON, else python3)')
    .option('--json', 'print JSON instead of text')
    .action(async (opts: { python?: string; json?: boolean }) => {
      const d = await doctor({ python: opts.python, runsRoot: runsRoot() });
      process.stdout.write(opts.json ? `${JSON.stringify(d, null, 2)}\n` : `${formatDoctor(d)}\n`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}
