// Remote command quoting: every argument reaches the program unchanged through a real /bin/sh.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { serveCommand } from '../../extension/src/ssh/deploy';
import { remoteCommand, shJoin, shPath, shQuote } from '../../extension/src/ssh/quote';

const NASTY = [
  '',
  'plain',
  'with space',
  "it's",
  "'",
  '"double"',
  '$HOME',
  '`id`',
  '$(touch /tmp/pwned)',
  'a;b',
  'a && b',
  'a|b',
  '*',
  '~',
  '\\',
  'line\nbreak',
  '-n',
  'ünïcödé',
  '!bang',
  '#hash',
];

function viaShell(cmd: string): string[] {
  const r = spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

describe('shell quoting', () => {
  it('leaves harmless words bare and quotes everything else', () => {
    assert.equal(shQuote('abc/def-1.2'), 'abc/def-1.2');
    assert.equal(shQuote(''), "''");
    assert.equal(shQuote('a b'), "'a b'");
    assert.equal(shQuote("it's"), `'it'\\''s'`);
  });

  it('round-trips hostile arguments through /bin/sh unchanged', () => {
    const cmd = shJoin(['printf', '%s\\0', ...NASTY]);
    assert.deepEqual(viaShell(cmd), NASTY);
  });

  it('builds env + prefix + exec commands with quoted values', () => {
    const cmd = remoteCommand({
      argv: ['printf', '%s\\0', '$X', 'y z'],
      env: { X: "v'$(id)" },
      prefix: 'true',
      exec: true,
    });
    assert.equal(cmd, `true && exec env 'X=v'\\''$(id)' printf '%s\\0' '$X' 'y z'`);
    assert.deepEqual(viaShell(cmd), ['$X', 'y z']);
    const envCmd = remoteCommand({ argv: ['sh', '-c', 'printf %s "$X"'], env: { X: '`id`;$HOME' } });
    assert.equal(spawnSync('/bin/sh', ['-c', envCmd], { encoding: 'utf8' }).stdout, '`id`;$HOME');
  });

  it('accepts a shell prefix written with or without a trailing && or ;', () => {
    for (const prefix of ['X=1; export X', 'X=1; export X &&', 'X=1; export X ;', ' X=1; export X&& ']) {
      const cmd = remoteCommand({ argv: ['sh', '-c', 'printf %s "$X"'], prefix, exec: true });
      assert.equal(cmd, `X=1; export X && exec sh -c 'printf %s "$X"'`, prefix);
      assert.equal(spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' }).stdout, '1');
    }
  });

  it('passes the remote python to serve only when one is chosen (default python3: the runner searches)', () => {
    const d = { script: '/h/.pareto-nas/0.1.0/runner.js' };
    assert.equal(serveCommand(d, { pythonPath: 'python3' }), `exec node /h/.pareto-nas/0.1.0/runner.js serve`);
    assert.equal(
      serveCommand(d, {
        pythonPath: '/opt/conda/envs/nas/bin/python',
        nodePath: '/opt/node 20/bin/node',
        runsDir: '/scratch/me/runs',
        shellPrefix: 'module load cuda &&',
      }),
      `module load cuda && exec env PARETO_NAS_PYTHON=/opt/conda/envs/nas/bin/python '/opt/node 20/bin/node' /h/.pareto-nas/0.1.0/runner.js serve --runs /scratch/me/runs`,
    );
  });

  it('refuses bad env names and NUL bytes', () => {
    assert.throws(() => remoteCommand({ argv: ['x'], env: { 'A;B': '1' } }), /not an environment variable name/);
    assert.throws(() => shQuote('a\0b'), /NUL/);
    assert.throws(() => shJoin([]), /empty/);
  });

  it('keeps ~/ expandable in remote paths and quotes the rest', () => {
    assert.equal(shPath('~/.pareto-nas/run ner'), `"$HOME"/'.pareto-nas/run ner'`);
    const out = spawnSync('/bin/sh', ['-c', `printf %s ${shPath('~/a b')}`], {
      encoding: 'utf8',
      env: { HOME: '/h' },
    }).stdout;
    assert.equal(out, '/h/a b');
  });
});
