// The case study of Patel et al. (eScience 2022), Table I: three networks found by the search on
// XFEL diffraction patterns of the EF2 protein (1n0u vs 1n0vc), their MFLOPs and validation
// accuracy after the search's 15 epochs and after 500 epochs of refinement, and the data and
// settings they were trained with. The MFLOPs are NSGA-Net's count for N=4, C=24 on 1×127×127
// inputs with 2 classes (`pareto-nas flops` gives exactly these numbers with those settings).

export interface PaperNetwork {
  /** The network's number in the paper. */
  name: string;
  genome: string;
  mflops: number;
  /** Validation accuracy (%) after the search's training, and after refinement. */
  accuracyBefore: number;
  accuracyAfter: number;
}

export const PAPER_NETWORKS: readonly PaperNetwork[] = [
  { name: '740', genome: '000000100000000000001', mflops: 0.0161, accuracyBefore: 57.1, accuracyAfter: 57.1 },
  { name: '729', genome: '010000000000000000001', mflops: 169.125, accuracyBefore: 92.4, accuracyAfter: 97.7 },
  { name: '736', genome: '010000100000000000001', mflops: 187.125, accuracyBefore: 94.6, accuracyAfter: 98.1 },
];

/** The paper's data and training: 79,384 patterns of 127×127 split 80/20 per class, 15 + 500 epochs. */
export const PAPER_SETTINGS = {
  count: 79_384,
  size: 127,
  valFraction: 0.2,
  fluence: 1e14,
  epochs: 15,
  refineEpochs: 500,
  nodes: 4,
  initChannels: 24,
} as const;
