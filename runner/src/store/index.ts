// The run directory: writer (RunStore) and readers.
export * from './run-store';
export { RUN_FILES, runFile, generationFile, refineDir, runsRoot, newRunId } from './layout';
export { acquireWriterLock, currentWriter, RunLockedError, WRITER_LOCK_FILE, type WriterOwner } from './run-lock';
