// The language server (dist/language-server.js) driven over its stdio protocol as another editor
// would drive it: no client forwarding, so host checks go to the runner it starts on this machine
// (`runner.js serve`). Diagnostics with their ranges, genome and field hovers, the cost code lens,
// and completion of enums and of dataset folders, against real dataset folders in a temp dir.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PRESETS } from '../../common/config';
import { cost, decode } from '../../common/model';
import { writeSyntheticDataset } from '../helpers/npy';
import { LspTestClient, positionOf, serverBundle } from '../helpers/lsp-client';

const skip = existsSync(serverBundle) ? undefined : 'dist/language-server.js missing (npm run build)';
const GENOME = '0001101 1100000 0110010'; // 4 nodes: 7 bits per phase

describe(
  'language server over stdio (stand-alone: a local runner answers host checks)',
  { skip, timeout: 120_000 },
  () => {
    let dir: string;
    let data: string;
    let client: LspTestClient;
    const uri = (name: string) => pathToFileURL(join(dir, name)).href;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'pnas-lsp-'));
      data = writeSyntheticDataset(join(dir, 'data', 'xfel-small'), {
        size: 16,
        channels: 1,
        classes: 3,
        train: 40,
        val: 10,
      });
      mkdirSync(join(dir, 'data', 'not-a-dataset'));
      client = await LspTestClient.start();
    });
    after(async () => {
      await client?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("marks each bad value with the runner schema's message, and sizes nobody means", async () => {
      const text = [
        '{',
        `  "dataset": ${JSON.stringify(data)},`,
        '  "search": { "nodes": 4, "population": 50000, "initialGenomes": ["0101"], "mutation": 0.1 },',
        '  "training": { "epochs": 0 }',
        '}',
      ].join('\n');
      const u = uri('bad.pareto-nas.json');
      await client.open(u, text);
      const d = await client.diagnostics(u, (ds) => ds.length >= 4);
      const at = (needle: string) => positionOf(text, needle, 0);
      const find = (re: RegExp) => d.find((x) => re.test(x.message));
      const genome = find(/search\.initialGenomes\.0: genome "0101" has 4 bits; 3 phases of 4 nodes need 21/);
      assert.ok(genome, JSON.stringify(d));
      assert.deepEqual(genome.range.start, at('"0101"'));
      assert.equal(genome.range.end.character - genome.range.start.character, '"0101"'.length);
      assert.deepEqual(find(/training\.epochs: Too small/)?.range.start, at('0 }'));
      assert.deepEqual(find(/search\.mutation is not a field of search/)?.range.start, at('"mutation"'));
      const size = find(/make a search over 50,725 networks/);
      assert.equal(size?.severity, 2, 'a warning');
      assert.deepEqual(size?.range.start, at('50000'));
    });

    it('says a missing dataset is missing, and checks a named one on this machine', async () => {
      const u = uri('dataset.pareto-nas.json');
      await client.open(u, '{ "search": { "nodes": 4 } }');
      const missing = await client.diagnostics(u, (ds) => ds.some((x) => /dataset is missing/.test(x.message)));
      assert.deepEqual(missing.find((x) => /dataset is missing/.test(x.message))?.range.start, {
        line: 0,
        character: 0,
      });

      const notOne = `{ "dataset": ${JSON.stringify(join(dir, 'data', 'not-a-dataset'))} }`;
      await client.change(u, notOne);
      const d = await client.diagnostics(u, (ds) => ds.some((x) => /is not a dataset on this machine/.test(x.message)));
      const bad = d.find((x) => /is not a dataset on this machine/.test(x.message))!;
      assert.match(bad.message, /dataset\.json: missing/);
      assert.deepEqual(bad.range.start, positionOf(notOne, '"/', 0));

      await client.change(u, `{ "dataset": ${JSON.stringify(data)} }`);
      // settle on the host-checked publication: nothing wrong with it
      await client.diagnostics(u, (ds) => ds.length === 0);
    });

    it("hovers a genome with its decoded network and the runner's MFLOPs for the dataset's shape; a field with its schema text", async () => {
      const text = `{\n  "dataset": ${JSON.stringify(data)},\n  "search": { "nodes": 4, "initChannels": 8, "initialGenomes": ["${GENOME}"] }\n}`;
      const u = uri('hover.pareto-nas.json');
      await client.open(u, text);
      const p = positionOf(text, GENOME, 3);
      const h = await client.hover(u, p.line, p.character);
      const md = (h?.contents as { value: string }).value;
      const expected = cost(
        decode(GENOME, { nodes: 4, initChannels: 8, input: { channels: 1, height: 16, width: 16 }, classes: 3 }),
      );
      assert.ok(md.includes(`**${expected.mflops} MFLOPs**`), md);
      assert.ok(md.includes(`**${expected.params.toLocaleString('en-US')} params**`), md);
      // phase 1 = 0001101: edges 1→4 and 2→4, node 3 without any, the skip bit set
      assert.ok(md.includes('Phase 1: nodes 1, 2, 4 active (3 isolated), edges 1→4 2→4, with skip connection.'), md);
      assert.ok(
        md.includes(
          'Channels: 1→8 at 14×14 (phase 1), 8→16 at 7×7 (phase 2), 16→32 at 3×3 (phase 3). For 1×16×16 input and 3 classes',
        ),
        md,
      );
      const k = positionOf(text, '"initChannels"', 2);
      const field = await client.hover(u, k.line, k.character);
      assert.match(
        (field?.contents as { value: string }).value,
        /\*\*search\.initChannels\*\* — integer ≥ 1\n\nC: phase channels are/,
      );
    });

    it('puts the cost and the actions above search', async () => {
      const text = `{\n  "dataset": ${JSON.stringify(data)},\n  "search": { "population": 10, "offspring": 5, "generations": 3 },\n  "training": { "epochs": 2 }\n}`;
      const u = uri('lens.pareto-nas.json');
      await client.open(u, text);
      const lenses = (await client.codeLenses(u)) ?? [];
      assert.equal(lenses.length, 3);
      assert.deepEqual(lenses[0].range.start, positionOf(text, '"search"', 0));
      // 10 + 5 × 2 = 20 trainings × 2 epochs × (40 + 10) images = 2,000 image-passes
      assert.match(
        lenses[0].command!.title,
        /^20 trainings × 2 epochs · 2\.0 k image-passes · ≈ \d+ GPU-seconds? on an NVIDIA H200 \(no GPU on this machine\)$/,
      );
      assert.deepEqual(
        lenses.slice(1).map((l) => l.command!.command),
        ['paretoNas.startSearch', 'paretoNas.validateOnHost'],
      );
      assert.deepEqual(lenses[1].command!.arguments, [
        { configFile: join(dir, 'lens.pareto-nas.json'), host: 'local' },
      ]);
    });

    it('completes enum values and dataset folders on the host, datasets first', async () => {
      const text = `{\n  "dataset": "${join(dir, 'data')}/",\n  "engine": { "name": "" },\n  "training": { "mixedPrecision": "" }\n}`;
      const u = uri('complete.pareto-nas.json');
      await client.open(u, text);
      const e = positionOf(text, '"name": ""', 9);
      assert.deepEqual(
        (await client.completions(u, e.line, e.character)).map((i) => i.label),
        ['auto', 'torch', 'tfjs'],
      );
      const m = positionOf(text, '"mixedPrecision": ""', 19);
      assert.deepEqual(
        (await client.completions(u, m.line, m.character)).map((i) => i.label),
        ['auto', 'off', 'bf16'],
      );
      const ds = positionOf(text, '/",', 1);
      const items = await client.completions(u, ds.line, ds.character);
      const folders = items
        .filter((i) => i.label !== 'default')
        .sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
      assert.deepEqual(
        folders.map((i) => [i.label, i.detail]),
        [
          [`${join(dir, 'data')}/xfel-small`, 'dataset on this machine'],
          [`${join(dir, 'data')}/not-a-dataset`, 'folder on this machine'],
        ],
      );
      assert.ok(items.some((i) => i.label === 'default'));
      // at a key of the config: the presets, as their search and training sections
      const presets = await client.completions(uri('presets.pareto-nas.json'), 1, 2).catch(() => []);
      assert.deepEqual(presets, [], 'not an open document: nothing');
      await client.open(uri('presets.pareto-nas.json'), '{\n  \n}');
      const offered = await client.completions(uri('presets.pareto-nas.json'), 1, 2);
      assert.deepEqual(
        offered.map((i) => i.label),
        ['preset: paper', 'preset: demo'],
      );
      // the inserted text is the preset's sections as JSON members (the demo preset is retuned now and
      // then, so compare with it rather than with numbers typed here)
      assert.deepEqual(JSON.parse(`{${offered[1].insertText ?? ''}}`), {
        search: PRESETS.demo.search,
        training: PRESETS.demo.training,
      });
    });
  },
);
