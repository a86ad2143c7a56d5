// CLI commands for bench (engines). (Filled in by the issue that builds this part.)
import type { Command } from 'commander';

export function registerEngineCommands(_program: Command): void {}
