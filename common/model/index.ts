// The model package: genome → network spec → cost. Engines consume only NetworkSpec. Browser-safe:
// the spec hash (node:crypto) lives in the runner, runner/src/model/hash.ts.
export * from './genome';
export * from './spec';
export { decode, decodePhase, phaseChannels } from './decode';
export { cost, type Cost } from './cost';
export { describeSpec } from './describe';
