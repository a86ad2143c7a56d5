// Refinement of selected Pareto networks (see refine.ts); the CLI is in commands.ts.
export * from './refine';
