// Decoding a genome the way a given run does (its nodes, channels and dataset shape, from
// config.json and run.json: the dataset itself need not be reachable).
import { decode, type DecodeOptions, type NetworkSpec } from '../../../common/model';
import { readRunConfig, readRunInfo } from '../store';

export function runDecodeOptions(runDir: string): DecodeOptions {
  const { search } = readRunConfig(runDir);
  const { shape, classes } = readRunInfo(runDir).dataset;
  return {
    nodes: search.nodes,
    initChannels: search.initChannels,
    input: { channels: shape[0], height: shape[1], width: shape[2] },
    classes: classes.length,
  };
}

/** The network spec of a genome as the run decodes it. */
export function runSpec(runDir: string, genome: string): NetworkSpec {
  return decode(genome, runDecodeOptions(runDir));
}
