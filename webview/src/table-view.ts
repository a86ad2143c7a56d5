// Table I of the explorer (the "Table" view): one row per selected or refined network, sortable by
// any numeric column; it keeps the sort the user chose, which the CSV and Markdown exports follow.
import { sortRows, type Table1Key, type Table1Row } from '../../common/explorer/table';
import { clear, h } from './dom';
import { formatInt, formatNumber } from '../../common/explorer/scale';

const COLUMNS: Array<{ key: Table1Key; label: string; num: boolean }> = [
  { key: 'id', label: 'Model', num: false },
  { key: 'mflops', label: 'MFLOPs', num: true },
  { key: 'params', label: 'Params', num: true },
  { key: 'searchAccuracy', label: 'Accuracy before refinement (%)', num: true },
  { key: 'refinedAccuracy', label: 'Accuracy after refinement (%)', num: true },
  { key: 'inferenceMsPerImage', label: 'Inference time (ms/image)', num: true },
];

export class Table1View {
  private sortKey: Table1Key = 'mflops';
  private sortDir: 'asc' | 'desc' = 'asc';
  private last: Table1Row[] = [];

  constructor(private readonly tableEl: HTMLTableElement) {}

  /** Rows in the table's current order. */
  sorted(rows: readonly Table1Row[]): Table1Row[] {
    return sortRows(rows, this.sortKey, this.sortDir);
  }

  render(rows: readonly Table1Row[]): void {
    this.last = [...rows];
    clear(this.tableEl);
    const tr = h('tr', {});
    for (const c of COLUMNS) tr.append(this.header(c));
    tr.append(h('th', { scope: 'col', text: 'Refinement' }));
    const tbody = h('tbody', {});
    const dash = (v: number | null, d: number) => (v === null ? '—' : v.toFixed(d));
    for (const r of this.sorted(rows)) {
      const status =
        r.refineStatus === 'none'
          ? '—'
          : r.refineStatus === 'running'
            ? `running ${r.epochsDone}/${r.epochsPlanned ?? '?'}`
            : r.refineStatus;
      tbody.append(
        h(
          'tr',
          { 'data-id': r.id },
          h('th', { scope: 'row', text: r.id }),
          h('td', { class: 'num', text: formatNumber(r.mflops) }),
          h('td', { class: 'num', text: formatInt(r.params) }),
          h('td', { class: 'num', text: dash(r.searchAccuracy, 2) }),
          h('td', { class: 'num', text: dash(r.refinedAccuracy, 2) }),
          h('td', { class: 'num', text: dash(r.inferenceMsPerImage, 4) }),
          h('td', { text: status }),
        ),
      );
    }
    this.tableEl.append(h('thead', {}, tr), tbody);
  }

  /** A column header whose button sorts by it (again: the other direction). */
  private header(c: (typeof COLUMNS)[number]): HTMLElement {
    const active = this.sortKey === c.key;
    const th = h('th', {
      scope: 'col',
      class: c.num ? 'num' : '',
      'aria-sort': active ? (this.sortDir === 'asc' ? 'ascending' : 'descending') : 'none',
    });
    const b = h('button', {
      class: 'sort',
      'data-key': c.key,
      text: `${c.label}${active ? (this.sortDir === 'asc' ? ' ▲' : ' ▼') : ''}`,
    });
    b.addEventListener('click', () => {
      this.sortDir = this.sortKey === c.key && this.sortDir === 'asc' ? 'desc' : 'asc';
      this.sortKey = c.key;
      this.render(this.last);
      (this.tableEl.querySelector(`button[data-key="${c.key}"]`) as HTMLButtonElement | null)?.focus();
    });
    th.append(b);
    return th;
  }
}
