// The explorer's page: header and tabs, the control bar, the plot view (chart, legend, candidate
// panel, Pareto list, refinement section) and the Table I view. Only builds elements; the controller
// and the components wire them. Element ids are what host tests and the report test address.
import { h } from './dom';

export interface ExplorerLayout {
  title: HTMLElement;
  stats: HTMLElement;
  live: HTMLElement;
  tabs: HTMLElement;
  tabPlot: HTMLButtonElement;
  tabTable: HTMLButtonElement;
  yMetric: HTMLSelectElement;
  cutoffInput: HTMLInputElement;
  cutoffClear: HTMLButtonElement;
  genSlider: HTMLInputElement;
  genLabel: HTMLElement;
  playBtn: HTMLButtonElement;
  zoomReset: HTMLButtonElement;
  refineBtn: HTMLButtonElement;
  refineHint: HTMLElement;
  exportPng: HTMLButtonElement;
  exportSvg: HTMLButtonElement;
  /** Controls that only make sense over the plot: hidden on the Table I tab. */
  plotOnly: HTMLElement[];
  canvas: HTMLCanvasElement;
  legend: HTMLElement;
  details: HTMLElement;
  frontList: HTMLElement;
  refineSection: HTMLElement;
  refineStatus: HTMLElement;
  refineCanvas: HTMLCanvasElement;
  plotView: HTMLElement;
  tableView: HTMLElement;
  table: HTMLTableElement;
  exportCsv: HTMLButtonElement;
  exportMd: HTMLButtonElement;
  /** The report's topology figures (standalone page only). */
  topologies: HTMLElement | null;
}

const HELP =
  'Drag the dashed cutoff line (or double-click the plot, or type a value). The Pareto networks at or below the cutoff are selected; ' +
  'Shift/Ctrl-click a point or use the checkboxes to add or remove one. Click a point to open it. Scroll to zoom, drag to pan.';

function tabBar(standalone: boolean): Pick<ExplorerLayout, 'tabs' | 'tabPlot' | 'tabTable'> {
  const tabPlot = h('button', {
    class: 'tab',
    role: 'tab',
    id: 'tab-plot',
    'aria-controls': 'view-plot',
    text: 'Pareto plot',
  });
  const tabTable = h('button', {
    class: 'tab',
    role: 'tab',
    id: 'tab-table',
    'aria-controls': 'view-table',
    text: 'Table I',
  });
  return {
    tabPlot,
    tabTable,
    tabs: h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Views', hidden: standalone }, tabPlot, tabTable),
  };
}

function controlBar(
  standalone: boolean,
): Omit<
  ExplorerLayout,
  | 'title'
  | 'stats'
  | 'live'
  | 'tabs'
  | 'tabPlot'
  | 'tabTable'
  | 'canvas'
  | 'legend'
  | 'details'
  | 'frontList'
  | 'refineSection'
  | 'refineStatus'
  | 'refineCanvas'
  | 'plotView'
  | 'tableView'
  | 'table'
  | 'exportCsv'
  | 'exportMd'
  | 'topologies'
> & { bar: HTMLElement } {
  const yMetric = h(
    'select',
    { id: 'y-metric', 'aria-label': 'Y axis' },
    h('option', { value: 'accuracy', text: 'Validation accuracy (%)' }),
    h('option', { value: 'error', text: 'Validation error (%)' }),
  );
  const cutoffInput = h('input', {
    id: 'cutoff',
    type: 'number',
    min: 0,
    step: 'any',
    placeholder: 'none',
    'aria-describedby': 'cutoff-help',
  });
  const cutoffClear = h('button', {
    id: 'cutoff-clear',
    class: 'secondary',
    text: 'Clear',
    title: 'Remove the cutoff: every Pareto network is selected',
  });
  const genSlider = h('input', {
    id: 'generation',
    type: 'range',
    min: 1,
    max: 1,
    step: 1,
    value: 1,
    'aria-label': 'Show candidates up to generation',
  });
  const genLabel = h('output', { id: 'generation-label', for: 'generation' });
  const playBtn = h('button', {
    id: 'replay',
    class: 'secondary',
    text: 'Replay',
    title: 'Replay the search generation by generation',
  });
  const zoomReset = h('button', {
    id: 'zoom-reset',
    class: 'secondary',
    text: 'Reset zoom',
    title: 'Show every candidate again',
    disabled: true,
  });
  const refineBtn = h('button', { id: 'refine-selected', class: 'primary', text: 'Refine selected' });
  const refineHint = h('code', { id: 'refine-command', class: 'hint' });
  const exportPng = h('button', { id: 'export-png', class: 'secondary', text: 'PNG' });
  const exportSvg = h('button', { id: 'export-svg', class: 'secondary', text: 'SVG' });
  const plotOnly = [
    h('span', { class: 'group plot-only' }, h('label', { for: 'y-metric', text: 'Y axis' }), yMetric),
    h(
      'span',
      { class: 'group plot-only' },
      h('label', { for: 'generation', text: 'Generation' }),
      genSlider,
      genLabel,
      playBtn,
    ),
    h(
      'span',
      { class: 'group plot-only', role: 'group', 'aria-label': 'Export plot' },
      h('span', { class: 'muted', text: 'Export plot' }),
      exportPng,
      exportSvg,
    ),
  ];
  // Reset zoom sits over the chart's top-right corner (see layout below), not in the bar
  const bar = h(
    'div',
    { class: 'controls' },
    plotOnly[0],
    h(
      'span',
      { class: 'group' },
      h('label', { for: 'cutoff', text: 'FLOPs cutoff (MFLOPs)' }),
      cutoffInput,
      cutoffClear,
    ),
    plotOnly[1],
    h('span', { class: 'spacer' }),
    plotOnly[2],
    standalone ? refineHint : refineBtn,
  );
  return {
    bar,
    yMetric,
    cutoffInput,
    cutoffClear,
    genSlider,
    genLabel,
    playBtn,
    zoomReset,
    refineBtn,
    refineHint,
    exportPng,
    exportSvg,
    plotOnly,
  };
}

export function buildLayout(root: HTMLElement, standalone: boolean): ExplorerLayout {
  const title = h('h1', { class: 'title', text: 'Pareto explorer' });
  const stats = h('p', { class: 'stats', id: 'stats', 'aria-live': 'polite' });
  const live = h('div', { class: 'sr-only', 'aria-live': 'polite', id: 'live' });
  const tabs = tabBar(standalone);
  const controls = controlBar(standalone);

  const { zoomReset } = controls;
  const canvas = h('canvas', {
    id: 'pareto-chart',
    role: 'img',
    'aria-label': 'Scatter of validation accuracy against MFLOPs for every candidate',
  });
  const legend = h('div', { class: 'legend', id: 'legend', 'aria-label': 'Legend' });
  const frontList = h('div', { class: 'front-list', id: 'front-list' });
  const details = h('div', { class: 'details', id: 'details', 'aria-live': 'polite' });
  const refineCanvas = h('canvas', {
    id: 'refine-chart',
    role: 'img',
    'aria-label': 'Validation accuracy per epoch of each refinement',
  });
  const refineStatus = h('p', { class: 'muted', id: 'refine-status' });
  const refineSection = h(
    'section',
    { class: 'refine', id: 'refine-section', hidden: true },
    h('h2', { text: 'Refinement' }),
    refineStatus,
    h('div', { class: 'chart-wrap small' }, refineCanvas),
  );
  const plotView = h(
    'section',
    { id: 'view-plot', role: 'tabpanel', 'aria-labelledby': 'tab-plot', class: 'view' },
    h('p', { id: 'cutoff-help', class: 'muted help', text: HELP }),
    h(
      'div',
      { class: 'plot-row' },
      h('div', { class: 'plot-col' }, h('div', { class: 'chart-wrap main' }, canvas, zoomReset), legend, refineSection),
      h(
        'aside',
        { class: 'side' },
        h('h2', { text: 'Candidate' }),
        details,
        h('h2', { text: 'Pareto networks' }),
        frontList,
      ),
    ),
  );

  const exportCsv = h('button', { id: 'export-csv', class: 'secondary', text: 'Export CSV' });
  const exportMd = h('button', { id: 'export-md', class: 'secondary', text: 'Export Markdown' });
  const table = h('table', { id: 'table1', class: 'table1' });
  const tableView = h(
    'section',
    { id: 'view-table', role: 'tabpanel', 'aria-labelledby': 'tab-table', class: 'view', hidden: true },
    h(
      'div',
      { class: 'controls' },
      h('span', { class: 'muted', text: 'Selected and refined networks (Table I of Patel et al.)' }),
      h('span', { class: 'spacer' }),
      exportCsv,
      exportMd,
    ),
    table,
  );
  const topologies = standalone ? h('section', { id: 'topologies', class: 'topologies' }) : null;

  root.replaceChildren(h('header', {}, title, stats, tabs.tabs), controls.bar, plotView, tableView, live);
  if (topologies) root.append(topologies);
  const { bar: _bar, ...c } = controls;
  return {
    title,
    stats,
    live,
    ...tabs,
    ...c,
    canvas,
    legend,
    details,
    frontList,
    refineSection,
    refineStatus,
    refineCanvas,
    plotView,
    tableView,
    table,
    exportCsv,
    exportMd,
    topologies,
  };
}
