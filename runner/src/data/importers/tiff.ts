// TIFF images: reading with geotiff (any sample format it supports, float32 included), and a
// minimal baseline writer (one float32 strip, uncompressed) for exports and tests.
import { fromArrayBuffer } from 'geotiff';

export interface DecodedImage {
  width: number;
  height: number;
  channels: number;
  /** Planar [channels, height, width]. */
  data: Float32Array;
}

export async function readTiff(buf: Buffer, file: string): Promise<DecodedImage> {
  let image;
  try {
    const tiff = await fromArrayBuffer(
      buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer,
    );
    image = await tiff.getImage();
  } catch (e) {
    throw new Error(`${file}: not a readable TIFF (${(e as Error).message})`, { cause: e });
  }
  const width = image.getWidth();
  const height = image.getHeight();
  const channels = image.getSamplesPerPixel();
  const rasters = (await image.readRasters({ interleave: false })) as unknown as ArrayLike<number>[];
  const data = new Float32Array(channels * width * height);
  for (let c = 0; c < channels; c++) data.set(rasters[c] as ArrayLike<number>, c * width * height);
  return { width, height, channels, data };
}

/** A single-channel float32 TIFF (little endian, one uncompressed strip), as PIL mode "F" writes. */
export function encodeFloat32Tiff(width: number, height: number, data: Float32Array): Buffer {
  if (data.length !== width * height)
    throw new Error(`image data has ${data.length} values, expected ${width}×${height}`);
  const entries: [number, number, number, number][] = [
    // tag, type (3 SHORT, 4 LONG), count, value
    [256, 4, 1, width],
    [257, 4, 1, height],
    [258, 3, 1, 32],
    [259, 3, 1, 1],
    [262, 3, 1, 1],
    [273, 4, 1, 0],
    [277, 3, 1, 1],
    [278, 4, 1, height],
    [279, 4, 1, data.byteLength],
    [284, 3, 1, 1],
    [339, 3, 1, 3],
  ];
  const ifdOffset = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  const dataOffset = ifdOffset + ifdSize;
  entries[5][3] = dataOffset;
  const buf = Buffer.alloc(dataOffset + data.byteLength);
  buf.write('II', 0, 'latin1');
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(ifdOffset, 4);
  buf.writeUInt16LE(entries.length, ifdOffset);
  entries.forEach(([tag, type, count, value], i) => {
    const o = ifdOffset + 2 + i * 12;
    buf.writeUInt16LE(tag, o);
    buf.writeUInt16LE(type, o + 2);
    buf.writeUInt32LE(count, o + 4);
    if (type === 3) buf.writeUInt16LE(value, o + 8);
    else buf.writeUInt32LE(value, o + 8);
  });
  buf.writeUInt32LE(0, ifdOffset + 2 + entries.length * 12);
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(buf, dataOffset);
  return buf;
}
