// CLI commands for dataset. (Filled in by the issue that builds this part.)
import type { Command } from 'commander';

export function registerDataCommands(_program: Command): void {}
