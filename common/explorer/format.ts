// How numbers read to the user, the same everywhere: the explorer, the topology panel, the report and
// the Runs view tree all format accuracies through here (they printed "54.00%", "54 %" and "65.5 %").

/** A validation accuracy in percent: two decimals and a spaced "%" ("54.00 %"); "—" when unknown. */
export function formatAccuracy(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(2)} %`;
}
