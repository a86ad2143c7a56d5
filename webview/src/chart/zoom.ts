// Zoom and pan of the scatter with chartjs-plugin-zoom (wheel or pinch to zoom, drag to pan, bounded
// by the data). A press on the cutoff line drags the line instead of panning.
import type { Chart } from 'chart.js';

export interface ZoomHooks {
  /** Whether a press at x (CSS px from the canvas' left) belongs to the cutoff line. */
  grabsCutoff(x: number): boolean;
  /** The user zoomed or panned. */
  changed(): void;
}

export interface Limits {
  x: { min: number; max: number };
  y: { min: number; max: number };
}

export function zoomOptions(hooks: ZoomHooks, limits: Limits): Record<string, unknown> {
  return {
    limits,
    pan: {
      enabled: true,
      mode: 'xy',
      threshold: 6,
      onPanStart: ({ point }: { point: { x: number } }) => !hooks.grabsCutoff(point.x),
      onPan: () => hooks.changed(),
    },
    zoom: {
      wheel: { enabled: true, speed: 0.1 },
      pinch: { enabled: true },
      mode: 'xy',
      onZoom: () => hooks.changed(),
    },
  };
}

/** The limits object the plugin reads, updated in place as the data grows. */
export function setLimits(chart: Chart, limits: Limits): void {
  const zoom = (chart.options.plugins as Record<string, { limits?: Limits }>).zoom;
  if (zoom) zoom.limits = limits;
}
