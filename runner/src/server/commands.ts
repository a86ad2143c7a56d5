// CLI commands for serve and doctor. (Filled in by the issue that builds this part.)
import type { Command } from 'commander';

export function registerServerCommands(_program: Command): void {}
