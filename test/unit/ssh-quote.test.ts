// Remote command quoting: every argument reaches the program unchanged through a real /bin/sh.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
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
    const cmd = remoteCommand({ argv: ['printf', '%s\\0', '$X', 'y z'], env: { X: "v'$(id)" }, prefix: 'true', exec: true });
    assert.equal(cmd, `true && exec env 'X=v'\\''$(id)' printf '%s\\0' '$X' 'y z'`);
    assert.deepEqual(viaShell(cmd), ['$X', 'y z']);
    const envCmd = remoteCommand({ argv: ['sh', '-c', 'printf %s "$X"'], env: { X: '`id`;$HOME' } });
    assert.equal(spawnSync('/bin/sh', ['-c', envCmd], { encoding: 'utf8' }).stdout, '`id`;$HOME');
  });

  it('refuses bad env names and NUL bytes', () => {
    assert.throws(() => remoteCommand({ argv: ['x'], env: { 'A;B': '1' } }), /not an environment variable name/);
    assert.throws(() => shQuote('a\0b'), /NUL/);
    assert.throws(() => shJoin([]), /empty/);
  });

  it('keeps ~/ expandable in remote paths and quotes the rest', () => {
    assert.equal(shPath('~/.pareto-nas/run ner'), `"$HOME"/'.pareto-nas/run ner'`);
    const out = spawnSync('/bin/sh', ['-c', `printf %s ${shPath('~/a b')}`], { encoding: 'utf8', env: { HOME: '/h' } }).stdout;
    assert.equal(out, '/h/a b');
  });
});
