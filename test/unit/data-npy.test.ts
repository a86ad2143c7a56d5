import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeNpy, encodeNpy, encodeNpyHeader, parseNpyHeader, readNpyHeader } from '../../runner/src/data/npy';

test('npy round trip keeps dtype, shape and values; header is 64-byte aligned', () => {
  const cases = [
    ['float32', Float32Array.of(1.5, -2, 3.25, 0, 1e-7, 7)],
    ['float64', Float64Array.of(Math.PI, -1e300)],
    ['uint8', Uint8Array.of(0, 255, 7)],
    ['uint16', Uint16Array.of(65535, 1)],
    ['int32', Int32Array.of(-5, 2147483647)],
    ['int64', BigInt64Array.of(-3n, 9007199254740993n)],
  ] as const;
  for (const [dtype, data] of cases) {
    const shape = dtype === 'float32' ? [2, 3] : [data.length];
    const buf = encodeNpy(dtype, shape, data);
    assert.equal(parseNpyHeader(buf, 'x').dataOffset % 64, 0);
    const { header, data: back } = decodeNpy(buf, 'x.npy');
    assert.equal(header.dtype, dtype);
    assert.deepEqual(header.shape, shape);
    assert.deepEqual(Array.from(back as ArrayLike<number | bigint>), Array.from(data as ArrayLike<number | bigint>));
  }
});

test('npy decoder handles big-endian and Fortran-ordered arrays as NumPy writes them', () => {
  const dict = "{'descr': '>f4', 'fortran_order': True, 'shape': (2, 3), }";
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(dict.length + 1, 8);
  // Column-major data of [[1,2,3],[4,5,6]] = 1,4,2,5,3,6, big-endian.
  const body = Buffer.alloc(24);
  [1, 4, 2, 5, 3, 6].forEach((v, i) => body.writeFloatBE(v, i * 4));
  const { data } = decodeNpy(Buffer.concat([head, Buffer.from(`${dict}\n`), body]), 'f.npy');
  assert.deepEqual(Array.from(data as Float32Array), [1, 2, 3, 4, 5, 6]);
});

test('npy errors name the file and the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'npy-'));
  assert.throws(() => parseNpyHeader(Buffer.from('hello world'), 'a.npy'), /a\.npy: not a \.npy file/);
  const full = encodeNpy('float32', [4, 4], new Float32Array(16));
  const truncated = join(dir, 't.npy');
  writeFileSync(truncated, full.subarray(0, full.length - 5));
  assert.throws(
    () => readNpyHeader(truncated),
    (e: Error) => e.message.includes('t.npy') && /truncated/.test(e.message),
  );
  assert.throws(() => decodeNpy(full.subarray(0, full.length - 4), 'b.npy'), /b\.npy: truncated/);
  const bad = Buffer.concat([
    encodeNpyHeader('float32', [1]).subarray(0, 10),
    Buffer.from("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n"),
  ]);
  bad.writeUInt16LE(bad.length - 10, 8);
  assert.throws(() => parseNpyHeader(bad, 'c.npy'), /c\.npy: unsupported \.npy dtype '<c8'/);
});
