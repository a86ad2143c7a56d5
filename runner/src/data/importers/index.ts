// `dataset import`: picks the importer from what the source is.
import { existsSync, statSync } from 'node:fs';
import { importFolder, type FolderImportOptions } from './folder';
import { importHdf5 } from './hdf5';
import { importNpy, importNpz, type ArrayImportOptions } from './numpy';

export type ImportFormat = 'auto' | 'folder' | 'hdf5' | 'npz' | 'npy';

export interface AnyImportOptions extends FolderImportOptions, ArrayImportOptions {
  format?: ImportFormat;
  /** For an images .npy: the labels .npy. */
  labelsFile?: string;
}

export function detectFormat(source: string): Exclude<ImportFormat, 'auto'> {
  if (!existsSync(source)) throw new Error(`${source}: no such file or folder`);
  if (statSync(source).isDirectory()) return 'folder';
  if (/\.(h5|hdf5|hdf|he5)$/i.test(source)) return 'hdf5';
  if (/\.npz$/i.test(source)) return 'npz';
  if (/\.npy$/i.test(source)) return 'npy';
  throw new Error(`${source}: cannot tell the format from the name; give --format folder|hdf5|npz|npy`);
}

export async function importDataset(source: string, o: AnyImportOptions): Promise<string> {
  const format = !o.format || o.format === 'auto' ? detectFormat(source) : o.format;
  switch (format) {
    case 'folder':
      return importFolder(source, o);
    case 'hdf5':
      return importHdf5(source, o);
    case 'npz':
      return importNpz(source, o);
    case 'npy':
      if (!o.labelsFile) throw new Error(`${source}: an images .npy needs its labels: --labels-file labels.npy`);
      return importNpy(source, o.labelsFile, o);
    default:
      throw new Error(`unknown --format ${String(format)}`);
  }
}
