// The explorer's "Workers" section: each training worker of a Slurm run (a job step) with its node,
// GPU, the candidate it trains, the epoch and the images per second, or why it is down. Fed the same
// host messages as the explorer and hooked in beside it (main.ts), so it does not depend on how the
// explorer is built; hidden while the run reports no workers (local runs, the report page).
import '../../media/webview/workers.css'; // bundled by esbuild into dist/webview.css
import { clear, h } from './dom';
import type { HostToWebview } from '../../common/explorer/messages';
import type { WorkerRow } from '../../common/workers';
import { WorkersModel } from './model/workers';

const COLUMNS = ['Worker', 'Candidate', 'Epoch', 'img/s', 'State'];

export class WorkersView {
  readonly element: HTMLElement;
  private readonly model = new WorkersModel();
  private readonly summaryEl: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private frame: number | null = null;

  constructor() {
    this.summaryEl = h('span', { class: 'muted', id: 'workers-summary' });
    this.body = h('tbody');
    const head = h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { scope: 'col', text: c }))));
    this.element = h(
      'section',
      { class: 'workers', id: 'workers', hidden: true, 'aria-label': 'Training workers' },
      h('h2', {}, 'Workers ', this.summaryEl),
      h('table', { class: 'workers-table' }, head, this.body),
    );
  }

  /** Shows the section right after the explorer's header (or at the end of root). */
  mount(root: HTMLElement): this {
    const header = root.querySelector('header');
    if (header) header.after(this.element);
    else root.append(this.element);
    return this;
  }

  handle(msg: HostToWebview): void {
    if (msg.type === 'snapshot') {
      this.model.applySnapshot(msg.snapshot);
      this.render();
    } else if (msg.type === 'delta' && this.model.applyDelta(msg.delta)) {
      // epochs of many workers arrive close together: draw once per frame
      this.frame ??= requestAnimationFrame(() => this.render());
    }
  }

  private render(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.element.hidden = this.model.size === 0;
    this.summaryEl.textContent = this.model.size ? `(${this.model.summary()})` : '';
    clear(this.body);
    for (const row of this.model.rows()) this.body.append(rowElement(row));
  }
}

function rowElement(r: WorkerRow): HTMLTableRowElement {
  const tr = h('tr', { 'data-worker': r.key, class: `worker-${r.state}`, title: r.detail });
  tr.append(
    h('td', { text: r.label }),
    h('td', { text: r.candidate ?? (r.state === 'up' ? 'idle' : '–') }),
    h('td', { class: 'num', text: r.epoch === undefined ? '' : String(r.epoch) }),
    h('td', { class: 'num', text: r.imagesPerSecond === undefined ? '' : String(r.imagesPerSecond) }),
    h('td', { text: r.state === 'up' ? (r.candidate ? 'training' : 'idle') : r.description }),
  );
  return tr;
}
