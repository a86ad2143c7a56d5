// The model package: genome → network spec → cost. Engines consume only NetworkSpec.
export * from './genome';
export * from './spec';
export { decode, decodePhase, phaseChannels } from './decode';
export { cost, type Cost } from './cost';
export { specHash, canonicalJson } from './hash';
export { describeSpec } from './describe';
