// CLI: `pareto-nas export <run> <id> --format onnx|torchscript [--out F]` and
// `pareto-nas bench-model <run> <id> [--batch B]`.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { positiveInt, positiveNumber } from '../cli-args';
import { benchModel } from './bench-model';
import { EXPORT_FORMATS, exportModel, manifestFileOf, type ExportFormat } from './export';

interface CommonOptions {
  format: ExportFormat;
  dataset?: string;
  python?: string;
}

const formatOption = () => new Option('--format <format>', 'file format').choices([...EXPORT_FORMATS]).default('onnx');

export function registerExportCommands(program: Command): void {
  program
    .command('export')
    .description(
      'write a refined network as ONNX or TorchScript for a workflow (input transform inside, metadata beside it)',
    )
    .argument('<run>', 'run directory')
    .argument('<id>', 'candidate id, e.g. g3-07 (a refined one: refinement keeps the weights)')
    .addOption(formatOption())
    .option('--out <file>', 'output file (default: <run>/exports/<id>/<id>.onnx or .pt)')
    .option('--dataset <dir>', 'dataset folder, when it moved since the search')
    .option('--python <path>', 'Python with PyTorch (default: the run’s engine.python)')
    .option('--json', 'print the metadata written beside the file')
    .action(async (run: string, id: string, o: CommonOptions & { out?: string; json?: boolean }) => {
      const { file, manifest } = await exportModel({
        runDir: resolve(run),
        id,
        format: o.format,
        out: o.out && resolve(o.out),
        dataset: o.dataset && resolve(o.dataset),
        engine: o.python ? { python: o.python } : undefined,
      });
      if (o.json) return void console.log(JSON.stringify(manifest));
      console.log(`${file}`);
      console.log(
        `  ${manifest.modelFormat}, input images [batch, ${manifest.input.shape.slice(1).join(', ')}] as stored (${manifest.input.storedAs}), output logits over ${manifest.classes.join(' / ')}`,
      );
      console.log(`  metadata: ${manifestFileOf(file)}`);
    });

  program
    .command('bench-model')
    .description('measure inference throughput and latency of an exported network on this machine')
    .argument('<run>', 'run directory')
    .argument('<id>', 'candidate id (exported first when needed)')
    .addOption(formatOption())
    .option('--batch <n>', 'images per batch', positiveInt, 256)
    .option('--seconds <s>', 'time budget of the timed loop', positiveNumber, 3)
    .option('--dataset <dir>', 'dataset folder, when it moved since the search')
    .option('--python <path>', 'Python with PyTorch (default: the run’s engine.python)')
    .option('--json', 'print the record as JSON')
    .action(async (run: string, id: string, o: CommonOptions & { batch: number; seconds: number; json?: boolean }) => {
      const r = await benchModel({
        runDir: resolve(run),
        id,
        format: o.format,
        batchSize: o.batch,
        seconds: o.seconds,
        dataset: o.dataset && resolve(o.dataset),
        engine: o.python ? { python: o.python } : undefined,
      });
      if (o.json) return void console.log(JSON.stringify(r));
      console.log(`${id} (${r.format}) on ${r.runtime}, batch ${r.batchSize}, ${r.batches} batches timed`);
      console.log(`  ${r.imagesPerSecond.toFixed(0)} images/s, ${r.perImageMs.toFixed(4)} ms per image`);
      console.log(`  batch latency p50 ${r.latencyMs.p50.toFixed(2)} ms, p95 ${r.latencyMs.p95.toFixed(2)} ms`);
    });
}
