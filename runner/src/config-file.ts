// Reading a search config file from disk: the one Node-only part of the config (the schema itself is
// common/config.ts, shared with the extension and the webview).
import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig, type SearchConfig } from '../../common/config';

export function readConfigFile(file: string): SearchConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(json, file);
}
