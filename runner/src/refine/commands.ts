// CLI commands for refine. (Filled in by the issue that builds this part.)
import type { Command } from 'commander';

export function registerRefineCommands(_program: Command): void {}
