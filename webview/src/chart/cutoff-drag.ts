// Dragging the cutoff line with the pointer (and double-clicking the plot to put it there). Values
// are read off the current scale, so they follow the zoom: the rounding is one pixel's worth of
// MFLOPs there (common/explorer/axis.ts `roundToResolution`).
export interface DragGeometry {
  /** The cutoff line's x in CSS px from the canvas' left, or null without a cutoff. */
  handleX(): number | null;
  area(): { left: number; right: number };
  /** The MFLOPs at x, clamped to the plot and rounded to the resolution there. */
  valueAt(x: number): number;
}

/** How near the line (CSS px) a press grabs it. */
const GRAB = 8;

export class CutoffDrag {
  private active = false;
  private frame = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly geometry: DragGeometry,
    private readonly onCutoff: (value: number, final: boolean) => void,
    private readonly redraw: () => void,
  ) {
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', (e) => this.end(e));
    canvas.addEventListener('pointercancel', (e) => this.end(e));
    canvas.addEventListener('dblclick', (e) => this.doubleClick(e));
  }

  get dragging(): boolean {
    return this.active;
  }

  /** Whether a press at x (CSS px from the canvas' left) grabs the line rather than panning. */
  nearHandle(x: number): boolean {
    const hx = this.geometry.handleX();
    return hx !== null && Math.abs(x - hx) <= GRAB;
  }

  private xOf(e: MouseEvent): number {
    return e.clientX - this.canvas.getBoundingClientRect().left;
  }

  private down(e: PointerEvent): void {
    if (!this.nearHandle(this.xOf(e))) return;
    this.active = true;
    this.canvas.setPointerCapture(e.pointerId);
    e.preventDefault();
    this.redraw();
  }

  private move(e: PointerEvent): void {
    if (!this.active) {
      this.canvas.style.cursor = this.nearHandle(this.xOf(e)) ? 'ew-resize' : '';
      return;
    }
    const x = this.xOf(e);
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.onCutoff(this.geometry.valueAt(x), false));
  }

  private end(e: PointerEvent): void {
    if (!this.active) return;
    this.active = false;
    cancelAnimationFrame(this.frame);
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.onCutoff(this.geometry.valueAt(this.xOf(e)), true);
  }

  private doubleClick(e: MouseEvent): void {
    const a = this.geometry.area();
    const x = this.xOf(e);
    if (x >= a.left && x <= a.right) this.onCutoff(this.geometry.valueAt(x), true);
  }
}
