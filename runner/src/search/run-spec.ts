// Decoding a genome the way a given run does (its nodes, channels and dataset shape).
import { decode, type NetworkSpec } from '../model';
import { readRunConfig, readRunInfo } from '../store';
/** The network spec of a genome as the run decodes it (its nodes, channels and dataset shape). */
export function runSpec(runDir: string, genome: string): NetworkSpec {
  const { search } = readRunConfig(runDir);
  const { shape, classes } = readRunInfo(runDir).dataset;
  return decode(genome, {
    nodes: search.nodes,
    initChannels: search.initChannels,
    input: { channels: shape[0], height: shape[1], width: shape[2] },
    classes: classes.length,
  });
}
