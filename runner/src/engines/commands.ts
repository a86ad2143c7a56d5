// CLI: `pareto-nas engines`: which training engine `auto` picks on this machine and why, plus what
// each engine sees (Python and PyTorch, GPUs). The throughput benchmark is `npm run bench`.
import { Option, type Command } from 'commander';
import { EngineSettings } from '../../../common/config';
import { createEngine } from './index';

export function registerEngineCommands(program: Command): void {
  program
    .command('engines')
    .description('show which training engine is used here (auto: torch when PyTorch is importable, else tfjs) and why')
    .addOption(new Option('--engine <name>', 'engine to check').choices(['auto', 'torch', 'tfjs']).default('auto'))
    .option('--python <path>', 'Python with PyTorch (default: python3, then other usual interpreters)')
    .option('--json', 'machine-readable output')
    .action(async (o: { engine: 'auto' | 'torch' | 'tfjs'; python?: string; json?: boolean }) => {
      const settings = EngineSettings.parse({ name: o.engine, ...(o.python && { python: o.python }) });
      const made = await createEngine(settings);
      try {
        const info = await made.engine.info();
        if (o.json) console.log(JSON.stringify({ ...info, name: made.name, reason: made.reason }));
        else
          console.log(
            `${made.reason}\n${info.description}${info.gpus.length ? `\nGPUs: ${info.gpus.join(', ')}` : ''}`,
          );
      } finally {
        await made.engine.close();
      }
    });
}
