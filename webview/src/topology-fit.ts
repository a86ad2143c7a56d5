// Fitting a topology drawing to its panel: "Fit" scales it to the panel's width (never above 100 %,
// never below a scale where its 10–12 px labels stay legible; past that the box scrolls, with a
// visible scrollbar), "100 %" draws it at its own size. Re-fitted when the panel is resized.
import { h } from './dom';

export type TopologyZoom = 'fit' | 'actual';

/** The smallest scale at which the drawing's smallest text (10 px) stays readable (about 7 px). */
export const MIN_LEGIBLE_SCALE = 0.7;

/** The scale that fits `natural` px into `available` px, within [MIN_LEGIBLE_SCALE, 1]. */
export function fitScale(natural: number, available: number): number {
  if (!(natural > 0) || !(available > 0)) return 1;
  return Math.min(1, Math.max(MIN_LEGIBLE_SCALE, available / natural));
}

export class TopologyFit {
  private mode: TopologyZoom;
  private readonly observer: ResizeObserver;
  readonly buttons: HTMLElement;
  private readonly fitBtn: HTMLButtonElement;
  private readonly actualBtn: HTMLButtonElement;

  constructor(
    private readonly box: HTMLElement,
    private readonly svg: SVGSVGElement,
    private readonly natural: { width: number; height: number },
    initial: TopologyZoom,
    private readonly changed: (mode: TopologyZoom) => void,
  ) {
    this.mode = initial;
    this.fitBtn = h('button', {
      class: 'secondary',
      id: 'topology-fit',
      text: 'Fit',
      title: 'Scale the drawing to the panel width',
    });
    this.actualBtn = h('button', {
      class: 'secondary',
      id: 'topology-actual',
      text: '100 %',
      title: 'Draw at full size (scroll to see all)',
    });
    this.fitBtn.addEventListener('click', () => this.set('fit'));
    this.actualBtn.addEventListener('click', () => this.set('actual'));
    this.buttons = h(
      'span',
      { class: 'group', role: 'group', 'aria-label': 'Drawing size' },
      this.fitBtn,
      this.actualBtn,
    );
    this.observer = new ResizeObserver(() => this.apply());
    this.observer.observe(box);
    this.apply();
  }

  private set(mode: TopologyZoom): void {
    this.mode = mode;
    this.apply();
    this.changed(mode);
  }

  private apply(): void {
    const scale = this.mode === 'fit' ? fitScale(this.natural.width, this.box.clientWidth) : 1;
    // CSSOM sizes (allowed by the webview CSP, unlike style attributes); the viewBox scales the drawing
    this.svg.style.width = `${this.natural.width * scale}px`;
    this.svg.style.height = `${this.natural.height * scale}px`;
    this.box.dataset.scale = scale.toFixed(3);
    this.box.dataset.mode = this.mode;
    this.fitBtn.setAttribute('aria-pressed', String(this.mode === 'fit'));
    this.actualBtn.setAttribute('aria-pressed', String(this.mode === 'actual'));
  }

  dispose(): void {
    this.observer.disconnect();
  }
}
