// The dataset check a search makes before it trains anything: the folder opens (manifest, file
// shapes and dtypes), every label lies in [0, classes), every image value is finite, and, for a run
// being resumed, the shape and classes are still the ones the run was created with. Written
// against the reader's API (readImages in chunks, labels), so it holds for every stored dtype and
// for datasets larger than memory. Throws the reader's own message, naming the file and index.
import { openDatasetSync } from './reader';
import { SPLIT_NAMES } from './format';

/** Bytes of images read per step while scanning (keeps the scan's memory flat). */
const CHUNK_VALUES = 16 * 1024 * 1024;

export interface ExpectedDataset {
  shape: number[];
  classes: string[];
}

export async function checkDataset(dir: string, expected?: ExpectedDataset): Promise<void> {
  const dataset = openDatasetSync(dir);
  const { manifest } = dataset;
  if (expected && expected.shape.join(',') !== manifest.shape.join(',')) {
    throw new Error(
      `${dir}: images are [${manifest.shape}] but the run was created for [${expected.shape}] (channels,height,width)`,
    );
  }
  if (expected && expected.classes.join('\u0000') !== manifest.classes.join('\u0000')) {
    throw new Error(
      `${dir}: classes are [${manifest.classes.join(', ')}] but the run was created for [${expected.classes.join(', ')}]`,
    );
  }
  for (const name of SPLIT_NAMES) {
    const split = dataset.splits[name];
    if (split.count === 0) throw new Error(`${split.imagesFile}: the ${name} split holds no images`);
    await split.labels(); // throws on a label outside [0, classes)
    const step = Math.max(1, Math.floor(CHUNK_VALUES / dataset.imageSize));
    for (let start = 0; start < split.count; start += step) {
      split.readImages(start, Math.min(step, split.count - start)); // throws on NaN / ±Infinity
    }
  }
}
