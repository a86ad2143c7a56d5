// Completion in a config: the allowed values of enum fields (engines, executor kinds, precision,
// schedules, ...) from the schema, dataset folders on the target host (dataset/list), Slurm
// partitions from the target's sinfo (Doctor), and the presets as whole search + training sections.
import { getLocation, type JSONPath } from 'jsonc-parser';
import { CompletionItemKind, type CompletionItem, type Position, type Range } from 'vscode-languageserver/node';
import { configJsonSchema, PRESETS } from '../../common/config';
import type { TargetParams } from '../../common/lsp';
import type { ConfigDocument } from './config-document';
import type { HostFacts } from './host-facts';

export async function completions(
  doc: ConfigDocument,
  position: Position,
  facts: HostFacts,
  target: TargetParams,
): Promise<CompletionItem[]> {
  const offset = doc.text.offsetAt(position);
  const loc = getLocation(doc.text.getText(), offset);
  const prev = loc.previousNode;
  if (loc.isAtPropertyKey) return loc.path.length <= 1 ? presetItems() : [];
  // the value being typed: a string's whole range (with its quotes) is replaced
  const replace: Range =
    prev && prev.type !== 'property' && prev.offset <= offset && offset <= prev.offset + prev.length
      ? doc.range(prev)
      : { start: position, end: position };
  const typed = prev?.type === 'string' && typeof prev.value === 'string' ? prev.value : '';
  const key = pathKey(loc.path);
  if (key === 'dataset') return datasetItems(typed, replace, facts, target);
  if (key === 'executor.slurm.partition') return partitionItems(replace, facts, target);
  return enumItems(loc.path, replace);
}

function pathKey(path: JSONPath): string {
  return path.filter((p) => typeof p === 'string').join('.');
}

function item(
  label: string,
  replace: Range,
  detail?: string,
  kind: CompletionItemKind = CompletionItemKind.Value,
): CompletionItem {
  return {
    label,
    kind,
    detail,
    textEdit: { range: replace, newText: JSON.stringify(label) },
    filterText: JSON.stringify(label),
  };
}

interface EnumNode {
  enum?: unknown[];
  properties?: Record<string, EnumNode>;
  anyOf?: EnumNode[];
  const?: unknown;
}

function enumItems(path: JSONPath, replace: Range): CompletionItem[] {
  let node: EnumNode | undefined = configJsonSchema() as EnumNode;
  for (const key of path) if (typeof key === 'string') node = node?.properties?.[key];
  const values = node?.enum ?? node?.anyOf?.flatMap((a) => a.enum ?? (a.const !== undefined ? [a.const] : [])) ?? [];
  return values
    .filter((v): v is string => typeof v === 'string')
    .map((v) => item(v, replace, pathKey(path), CompletionItemKind.EnumMember));
}

async function datasetItems(
  typed: string,
  replace: Range,
  facts: HostFacts,
  target: TargetParams,
): Promise<CompletionItem[]> {
  // list the folder the typed path is in: "data/x" lists "data/", "" the runner's working directory
  const slash = typed.lastIndexOf('/');
  const dir = slash < 0 ? '.' : typed.slice(0, slash + 1) || '/';
  const items = [item('default', replace, 'bundled demo data (simulated XFEL diffraction)')];
  const fact = await facts.folders(target.host, dir);
  if (!fact.ok) return items;
  const prefix = slash < 0 ? '' : typed.slice(0, slash + 1);
  for (const e of fact.value.entries) {
    const it = item(
      `${prefix}${e.name}`,
      replace,
      e.dataset ? `dataset on ${target.label}` : `folder on ${target.label}`,
      CompletionItemKind.Folder,
    );
    it.sortText = `${e.dataset ? 0 : 1}${e.name}`;
    items.push(it);
  }
  return items;
}

async function partitionItems(replace: Range, facts: HostFacts, target: TargetParams): Promise<CompletionItem[]> {
  const fact = await facts.doctor(target.host);
  if (!fact.ok) return [];
  return (fact.value.slurm.partitions ?? []).map((p) =>
    item(
      p.name,
      replace,
      `${p.default ? 'default, ' : ''}${p.nodes} nodes ${p.state}, GPUs ${p.gres || 'none'}, limit ${p.timeLimit} (sinfo on ${target.label})`,
    ),
  );
}

/** At a key of the config object: each preset as its search and training sections. */
function presetItems(): CompletionItem[] {
  return Object.entries(PRESETS).map(([name, preset]) => ({
    label: `preset: ${name}`,
    kind: CompletionItemKind.Snippet,
    detail: `search and training sections of the ${name} preset`,
    insertText: `"search": ${JSON.stringify(preset.search)},\n"training": ${JSON.stringify(preset.training)}`,
  }));
}
