// CLI commands for report. (Filled in by the issue that builds this part.)
import type { Command } from 'commander';

export function registerReportCommands(_program: Command): void {}
