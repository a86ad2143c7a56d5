// PDB (legacy fixed-column format) reader for the simulator: ATOM records (HETATM on request),
// chain selection, first alternate location only, element from columns 77–78 with a fallback to the
// atom name, and centring on the centroid.

export interface Atoms {
  /** Coordinates in Å, centred on the centroid when returned by `centred`. */
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  /** Element symbol per atom, upper case ('C', 'N', 'O', 'S', 'H', ...). */
  element: string[];
}

export interface PdbOptions {
  /** Chain identifier (column 22); all chains when omitted. */
  chain?: string;
  /** Also read HETATM records (ligands, waters). Default false. */
  hetatm?: boolean;
  /** Keep hydrogen atoms. Default false (the EF2 files have none). */
  hydrogens?: boolean;
}

const TWO_LETTER = new Set(['FE', 'ZN', 'MG', 'MN', 'CA', 'CL', 'NA', 'SE', 'CU', 'CO', 'NI', 'BR']);

/** Element of one ATOM/HETATM line: columns 77–78, else derived from the atom name (13–16). */
export function elementOf(line: string): string {
  const col = line.slice(76, 78).trim().toUpperCase();
  if (/^[A-Z]{1,2}$/.test(col)) return col;
  const name = line.slice(12, 16);
  const letters = name.replace(/[^A-Za-z]/g, '').toUpperCase();
  if (!letters) return '';
  // Two-letter elements are right-justified from column 13 (e.g. "FE  "); one-letter ones start at 14.
  if (/[A-Za-z]/.test(name[0]) && TWO_LETTER.has(letters.slice(0, 2))) return letters.slice(0, 2);
  return letters[0];
}

export function parsePdb(text: string, source: string, opts: PdbOptions = {}): Atoms {
  const xs: number[] = [];
  const ys: number[] = [];
  const zs: number[] = [];
  const els: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const rec = line.slice(0, 6);
    if (rec === 'ENDMDL') break; // first model only
    if (rec !== 'ATOM  ' && !(opts.hetatm && rec === 'HETATM')) continue;
    if (opts.chain !== undefined && line[21] !== opts.chain) continue;
    const alt = line[16];
    if (alt !== ' ' && alt !== 'A' && alt !== undefined) continue;
    const x = Number(line.slice(30, 38));
    const y = Number(line.slice(38, 46));
    const z = Number(line.slice(46, 54));
    if (line.length < 54 || ![x, y, z].every(Number.isFinite))
      throw new Error(`${source}:${i + 1}: bad coordinates in ${JSON.stringify(line)}`);
    const el = elementOf(line);
    if (!el) throw new Error(`${source}:${i + 1}: cannot tell the element of ${JSON.stringify(line)}`);
    if ((el === 'H' || el === 'D') && !opts.hydrogens) continue;
    xs.push(x);
    ys.push(y);
    zs.push(z);
    els.push(el === 'D' ? 'H' : el);
  }
  if (xs.length === 0) {
    throw new Error(
      `${source}: no ${opts.hetatm ? 'ATOM/HETATM' : 'ATOM'} records${opts.chain !== undefined ? ` in chain '${opts.chain}'` : ''}`,
    );
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys), z: Float64Array.from(zs), element: els };
}

/** A copy of the atoms translated so that their (unweighted) centroid is the origin. */
export function centred(a: Atoms): Atoms {
  const n = a.x.length;
  let cx = 0,
    cy = 0,
    cz = 0;
  for (let i = 0; i < n; i++) {
    cx += a.x[i];
    cy += a.y[i];
    cz += a.z[i];
  }
  cx /= n;
  cy /= n;
  cz /= n;
  return {
    x: a.x.map((v) => v - cx),
    y: a.y.map((v) => v - cy),
    z: a.z.map((v) => v - cz),
    element: a.element.slice(),
  };
}

export function elementCounts(a: Atoms): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of a.element) out[e] = (out[e] ?? 0) + 1;
  return out;
}
