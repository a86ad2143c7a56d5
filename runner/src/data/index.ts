// Public surface of the data package (used by the engines, the search and the demo).
export * from './format';
export {
  openDataset,
  openDatasetSync,
  parseManifest,
  type Dataset,
  type DatasetSplit,
  type ImageArray,
} from './reader';
export { DatasetWriter, type DatasetSpec } from './writer';
export { balancedSplit, DEFAULT_VAL_FRACTION } from './split';
export { datasetInfo, formatInfo, type DatasetInfo } from './info';
export { ensureDefaultDataset, defaultDatasetDir, DEFAULT_DATASET } from './default';
export { cacheDir } from './cache';
export { importDataset } from './importers';
export { simulateDataset, PRESETS } from './xfel/simulate';
