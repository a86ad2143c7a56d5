// What a search costs before it runs: trainings, image-passes and GPU-hours, by the throughput model
// of `npm run bench:search` (scripts/bench-search/projection.ts): a training occupies the GPU for
// epochs × (train images / train img/s + val images / val img/s). The rates come from one measured
// network scaled by FLOPs, since the networks of a search are not known before it runs: the mean
// MFLOPs of the random genomes generation 1 draws (a fixed sample) stands for them.
import type { SearchSettings, TrainingSettings } from '../../common/config';
import { cost, decode, genomeLength, type TensorShape } from '../../common/model';

/**
 * Training throughput measured on one NVIDIA H200 for the seed-size network (893.37 MFLOPs, 1×127×127,
 * batch 128, bf16 autocast + channels-last, the torch engine's default there): 9,164 img/s (README,
 * "Training engines and performance", scripts/gpu-check.sh). bench:search has no GPU numbers yet;
 * until it does this is the default for every GPU. As FLOPs per second: 9,164 × 893.37e6.
 */
export const DEFAULT_GPU = { name: 'NVIDIA H200', trainImagesPerSecond: 9_164, mflops: 893.37 } as const;
const TRAIN_FLOPS_PER_SECOND = DEFAULT_GPU.trainImagesPerSecond * DEFAULT_GPU.mflops * 1e6;
/** Validation is a forward pass only: about a third of a training step's work (forward + backward ≈ 3 forwards). */
const VAL_SPEEDUP = 3;
/** Genomes in the sample whose mean MFLOPs stands for a search's networks. */
const SAMPLE = 64;

/** Trainings of a search: the initial population, then the offspring of every later generation. */
export function trainings(s: Pick<SearchSettings, 'population' | 'offspring' | 'generations'>): number {
  return s.population + s.offspring * (s.generations - 1);
}

export interface SearchEstimate {
  trainings: number;
  /** Images through a network (training + validation) over the whole search. */
  imagePasses: number;
  meanMflops: number;
  gpuHours: number;
}

export function estimateSearch(
  search: SearchSettings,
  training: Pick<TrainingSettings, 'epochs'>,
  data: { shape: [number, number, number]; classes: number; train: number; val: number },
): SearchEstimate {
  const n = trainings(search);
  const meanMflops = meanRandomMflops(
    search,
    { channels: data.shape[0], height: data.shape[1], width: data.shape[2] },
    data.classes,
  );
  return {
    trainings: n,
    imagePasses: n * training.epochs * (data.train + data.val),
    meanMflops,
    gpuHours: (n * trainingSeconds(meanMflops, training.epochs, data.train, data.val)) / 3600,
  };
}

/** GPU seconds of one training of a network of `mflops` (bench:search's epochs × (train / rate + val / val rate)). */
export function trainingSeconds(mflops: number, epochs: number, trainImages: number, valImages: number): number {
  const trainRate = TRAIN_FLOPS_PER_SECOND / (mflops * 1e6);
  return epochs * (trainImages / trainRate + valImages / (trainRate * VAL_SPEEDUP));
}

/** Mean MFLOPs of SAMPLE genomes drawn with a fixed generator (the same answer every time). */
function meanRandomMflops(
  search: Pick<SearchSettings, 'nodes' | 'initChannels'>,
  input: TensorShape,
  classes: number,
): number {
  let state = 0x2545f491;
  const bit = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % 2 === 1 ? '1' : '0';
  };
  const length = genomeLength(search.nodes);
  const mflops: number[] = [];
  for (let i = 0; i < SAMPLE; i++) {
    const genome = Array.from({ length }, bit).join('');
    try {
      mflops.push(
        cost(decode(genome, { nodes: search.nodes, initChannels: search.initChannels, input, classes })).mflops,
      );
    } catch {
      // an input too small for this network's phases: the search would fail it too; not counted
    }
  }
  return mflops.length ? mflops.reduce((a, b) => a + b, 0) / mflops.length : NaN;
}
