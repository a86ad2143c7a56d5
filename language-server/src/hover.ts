// Hovers: a genome string shows its decoded network (genome-paragraph.ts) for the config's nodes,
// channels and the dataset's shape on the target host; any other field shows its documentation.
import type { Hover, Position } from 'vscode-languageserver/node';
import type { TargetParams } from '../../common/lsp';
import type { ConfigDocument } from './config-document';
import type { EffectiveConfig } from './effective-config';
import { fieldMarkdown } from './field-docs';
import { genomeMarkdown, type GenomeContext } from './genome-paragraph';
import type { HostFacts } from './host-facts';

export async function hover(
  doc: ConfigDocument,
  position: Position,
  config: EffectiveConfig,
  facts: HostFacts,
  target: TargetParams,
  fieldHovers: boolean,
): Promise<Hover | null> {
  const at = doc.at(doc.text.offsetAt(position));
  if (!at) return null;
  const { node, path } = at;
  const isValue = node.parent?.type !== 'property' || node.parent.children?.[1] === node;
  if (node.type === 'string' && isValue && typeof node.value === 'string') {
    const text = node.value;
    if (/^[01\s_|]+$/.test(text) && text.replace(/[^01]/g, '').length >= 3) {
      const md = genomeMarkdown(text, await genomeContext(config, facts, target));
      if (md) return { contents: { kind: 'markdown', value: md }, range: doc.range(node) };
    }
  }
  // on a key or a value: the field's documentation (an array item: its array's)
  if (!fieldHovers) return null;
  const fieldPath = [...path];
  while (typeof fieldPath.at(-1) === 'number') fieldPath.pop();
  const md = fieldMarkdown(fieldPath);
  return md ? { contents: { kind: 'markdown', value: md }, range: doc.range(node) } : null;
}

async function genomeContext(config: EffectiveConfig, facts: HostFacts, target: TargetParams): Promise<GenomeContext> {
  const base = { nodes: config.search.nodes, initChannels: config.search.initChannels };
  if (!config.dataset) return { ...base, inputUnknown: 'the config names no dataset' };
  const fact = await facts.dataset(target.host, config.dataset);
  if (!fact.ok) return { ...base, inputUnknown: `the dataset could not be read on ${target.label} (${fact.reason})` };
  const d = fact.value.dataset;
  if (!fact.value.ok || !d) return { ...base, inputUnknown: `no dataset at ${fact.value.dir} on ${target.label}` };
  return { ...base, input: { channels: d.shape[0], height: d.shape[1], width: d.shape[2] }, classes: d.classes.length };
}
