// The arithmetic of `npm run bench:search`: per-network rates from the epochs a training reported,
// and the projection of the paper-scale search's GPU time from them. Pure, so it is unit-tested.

/** One epoch as the engines report it (EpochMetrics; torch adds the train/validation split). */
export interface EpochTiming {
  seconds: number;
  trainSeconds?: number;
  valSeconds?: number;
}

/** What one network's training in the bench measured. */
export interface NetworkTiming {
  /** Wall seconds from dispatch to result, minus the epochs: messaging, building the network, saving. */
  startupSeconds: number;
  /** Extra seconds of the first epoch over a steady one: cuDNN autotuning, graph capture, compilation. */
  warmupSeconds: number;
  trainImagesPerSecond: number;
  valImagesPerSecond: number;
}

export interface PaperScale {
  networks: number;
  epochs: number;
  trainImages: number;
  valImages: number;
}

/** Patel et al.: population 25 + 29 × 25 offspring = 750 networks, 15 epochs, 63,508 + 15,876 images. */
export const PAPER: PaperScale = { networks: 750, epochs: 15, trainImages: 63_508, valImages: 15_876 };

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Rates from the steady epochs (all but the first; the first when there is only one) and the first
 * epoch's excess over them. Epochs without a train/validation split count wholly as training.
 */
export function networkTiming(
  epochs: EpochTiming[],
  wallSeconds: number,
  trainImages: number,
  valImages: number,
): NetworkTiming {
  if (epochs.length === 0) throw new Error('a training reported no epochs');
  const steady = epochs.length > 1 ? epochs.slice(1) : epochs;
  const train = mean(steady.map((e) => e.trainSeconds ?? e.seconds));
  const val = mean(steady.map((e) => e.valSeconds ?? 0));
  const epochSum = epochs.reduce((s, e) => s + e.seconds, 0);
  return {
    startupSeconds: Math.max(0, wallSeconds - epochSum),
    warmupSeconds: Math.max(0, epochs[0].seconds - mean(steady.map((e) => e.seconds))),
    trainImagesPerSecond: trainImages / train,
    valImagesPerSecond: val > 0 ? valImages / val : Infinity,
  };
}

/** GPU seconds one network occupies at paper scale when `share` networks train at once on the GPU. */
export function paperSeconds(t: NetworkTiming, share: number, paper: PaperScale = PAPER): number {
  const epoch = paper.trainImages / t.trainImagesPerSecond + paper.valImages / t.valImagesPerSecond;
  return (t.startupSeconds + t.warmupSeconds + paper.epochs * epoch) / share;
}

/** GPU-hours of the paper-scale search: networks × the mean over the sample of paperSeconds. */
export function projectedHours(timings: NetworkTiming[], share: number, paper: PaperScale = PAPER): number {
  if (timings.length === 0) return NaN;
  return (paper.networks * mean(timings.map((t) => paperSeconds(t, share, paper)))) / 3600;
}
