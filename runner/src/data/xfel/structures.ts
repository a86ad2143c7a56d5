// The two EF2 conformations of the XPSI / A4NN case study, shipped with the runner as the ATOM
// records of the chain used (generated from test/fixtures/pdb by make-structures.ts):
//   1n0u  = wwPDB 1N0U chain A, protein atoms (sordarin and waters dropped),
//   1n0vc = wwPDB 1N0V chain C.
import { inflateSync } from 'fflate';
import { centred, parsePdb, type Atoms } from './pdb';
import { STRUCTURE_DATA } from './structures-data';

export interface StructureSource {
  /** Class name in datasets. */
  name: string;
  file: string;
  chain: string;
  description: string;
}

export const STRUCTURE_SOURCES: StructureSource[] = [
  {
    name: '1n0u',
    file: '1n0u.pdb',
    chain: 'A',
    description: 'yeast eEF2 + sordarin (wwPDB 1N0U), chain A, protein atoms',
  },
  { name: '1n0vc', file: '1n0v.pdb', chain: 'C', description: 'yeast eEF2 apo (wwPDB 1N0V), chain C' },
];

/** The shipped ATOM records of one built-in structure, as PDB text. */
export function builtinPdbText(name: string): string {
  const d = STRUCTURE_DATA[name];
  if (!d) throw new Error(`no built-in structure '${name}' (have: ${Object.keys(STRUCTURE_DATA).join(', ')})`);
  return Buffer.from(inflateSync(Buffer.from(d.deflatedBase64, 'base64'))).toString('utf8');
}

/** Centred atoms of a built-in structure. */
export function builtinAtoms(name: string): Atoms {
  const src = STRUCTURE_SOURCES.find((s) => s.name === name);
  if (!src) throw new Error(`no built-in structure '${name}'`);
  return centred(parsePdb(builtinPdbText(name), `${src.file} (built in)`, { chain: src.chain }));
}
