// The dataset folder format, readable by both engines: dataset.json plus NumPy .npy arrays.
// (Owned by the data package; the manifest shape is a contract with the engines.)

export const DATASET_FORMAT = 'pareto-nas.dataset/1';
export const MANIFEST_FILE = 'dataset.json';

export type SplitName = 'train' | 'val';

export interface SplitFiles {
  /** Number of images in the split. */
  count: number;
  /** .npy file, shape [count, channels, height, width], dtype as the manifest says. */
  images: string;
  /** .npy file, shape [count], int64 class indices in [0, classes.length). */
  labels: string;
  /**
   * Optional per-image metadata (additive; engines ignore it): name → .npy file whose first
   * dimension is `count`, e.g. `orientations` → quaternions [count, 4] of simulated images.
   */
  metadata?: Record<string, string>;
}

export interface DatasetManifest {
  format: typeof DATASET_FORMAT;
  name: string;
  /** [channels, height, width] of one image. */
  shape: [number, number, number];
  /** Class names; a label k means classes[k]. */
  classes: string[];
  dtype: 'float32' | 'uint8' | 'uint16';
  splits: Record<SplitName, SplitFiles>;
  /** Where the data came from: simulator parameters, import source, seed, ... */
  provenance: Record<string, unknown>;
}

export type ImageDtype = DatasetManifest['dtype'];
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val'];
