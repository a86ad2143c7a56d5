// The run directory: writer (RunStore) and readers.
export * from './run-store';
export { RUN_FILES, runFile, generationFile, refineDir, runsRoot, newRunId } from './layout';
