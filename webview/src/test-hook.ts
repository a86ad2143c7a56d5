// window.__paretoExplorer: what host tests, the report test and the webview benchmark read and drive.
// Geometry is in CSS px relative to the chart canvas' top-left (chart.js pixels are CSS pixels).
import type { HostToWebview } from '../../common/explorer/messages';

export interface ExplorerTestHook {
  renderCount: number;
  /** Applies pending live updates now (they are otherwise folded into the next animation frame). */
  flush(): void;
  plottedPoints(): number;
  frontIds(): string[];
  selectedIds(): string[];
  cutoff(): number | null;
  setCutoff(v: number | null): void;
  /** x of the cutoff line and the plot's vertical extent. */
  cutoffHandle(): { x: number; top: number; bottom: number } | null;
  /** Where a candidate is drawn (undefined when not plotted). */
  pointPosition(id: string): { x: number; y: number } | undefined;
  pixelForMflops(v: number): number;
  /** Visible axis ranges, the plot area and the x labels shown. */
  axis(): {
    x: [number, number];
    y: [number, number];
    area: { left: number; right: number; top: number; bottom: number };
    xLabels: string[];
  };
  zoomed(): boolean;
  /** The candidate the Candidate panel shows (null: the hint). */
  details(): string | null;
  generations(): number[];
  lastSeq(): number;
  colors(): { front: string; background: string; generation1: string };
  apply(msg: HostToWebview): void;
}
