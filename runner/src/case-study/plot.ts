// The case study's Pareto plot (pareto.svg, shown in case-study.md): every candidate of the search
// coloured by generation, the search's front, and the paper's three networks trained here ringed.
import type { CandidateRecord } from '../../../common/protocol';
import { frontEligible, paretoFront } from '../../../common/pareto';
import { plotSvg } from '../../../common/explorer/plotSvg';

const COLORS = {
  background: '#ffffff',
  foreground: '#3b3b3b',
  grid: '#e5e5e5',
  front: '#e51400',
  cutoff: '#bf8803',
  selected: '#652d90',
};

/** Blue (first generation) to green (last), as a light explorer shows generations. */
function generationColor(t: number): string {
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(26, 56)}, ${mix(133, 138)}, ${mix(255, 52)})`;
}

export function caseStudyPlot(
  search: readonly CandidateRecord[],
  networks: ReadonlyArray<{ name: string; record: CandidateRecord }>,
): string {
  const trained = search.filter(frontEligible);
  const gmax = Math.max(1, ...trained.map((r) => r.generation));
  const color = (g: number) => generationColor(gmax <= 1 ? 0 : (g - 1) / (gmax - 1));
  const ours = networks.filter((n) => frontEligible(n.record));
  const points = [
    ...trained.map((r) => ({
      id: `${r.id} ${r.valAccuracy}% ${r.mflops} MFLOPs`,
      x: Math.max(r.mflops, 1e-4),
      y: r.valAccuracy!,
      color: color(r.generation),
      selected: false,
    })),
    ...ours.map((n) => ({
      id: `network ${n.name}: ${n.record.valAccuracy}% ${n.record.mflops} MFLOPs`,
      x: Math.max(n.record.mflops, 1e-4),
      y: n.record.valAccuracy!,
      color: COLORS.selected,
      selected: true,
    })),
  ];
  const front = paretoFront(trained).map((r) => ({ x: Math.max(r.mflops, 1e-4), y: r.valAccuracy! }));
  const generations = [...new Set(trained.map((r) => r.generation))].sort((a, b) => a - b);
  const legend = [
    ...generations.map((g) => ({ label: `generation ${g}`, color: color(g) })),
    ...(ours.length ? [{ label: `networks ${ours.map((n) => n.name).join(', ')}`, color: COLORS.selected }] : []),
  ];
  return plotSvg({
    width: 820,
    height: 460,
    title: 'Search: validation accuracy vs MFLOPs',
    xLabel: 'MFLOPs (log)',
    yLabel: 'validation accuracy (%)',
    points,
    front,
    cutoff: null,
    legend,
    colors: COLORS,
  });
}
