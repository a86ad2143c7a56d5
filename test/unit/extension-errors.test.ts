// The command rule for failures already shown to the user: such a failure ends the command quietly
// (VS Code would otherwise show it a second time); any other failure still rejects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markShown, quietWhenShown } from '../../extension/src/errors';

test('a failure that was shown ends the command with undefined', async () => {
  const command = quietWhenShown(async (): Promise<string> => {
    throw markShown(new Error('host key was not trusted'));
  });
  assert.equal(await command(), undefined);
});

test('a failure nobody showed still rejects, and results pass through', async () => {
  const failing = quietWhenShown(async (): Promise<string> => {
    throw new Error('unexpected');
  });
  await assert.rejects(failing(), /unexpected/);
  const ok = quietWhenShown(async (n: number) => n * 2);
  assert.equal(await ok(21), 42);
});

test('markShown returns what it marks and leaves non-objects alone', () => {
  const e = new Error('x');
  assert.equal(markShown(e), e);
  assert.equal(markShown('text'), 'text');
});
