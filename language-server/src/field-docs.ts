// A field's documentation for its hover, from the JSON Schema generated from the runner's zod
// definitions (common/config.ts configJsonSchema(): the `.describe()` texts, types, ranges, defaults).
import type { JSONPath } from 'jsonc-parser';
import { configJsonSchema } from '../../common/config';

interface SchemaNode {
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
}

let schema: SchemaNode | undefined;

/** Markdown for the field at a JSON path (array indices step into items), or undefined. */
export function fieldMarkdown(path: JSONPath): string | undefined {
  schema ??= configJsonSchema() as SchemaNode;
  let node: SchemaNode | undefined = schema;
  for (const key of path) {
    node =
      typeof key === 'number'
        ? node?.items
        : (node?.properties?.[key] ?? node?.anyOf?.find((a) => a.properties?.[key])?.properties?.[key]);
    if (!node) return undefined;
  }
  if (node === schema || path.length === 0) return undefined;
  const name = path.filter((k) => typeof k === 'string').join('.');
  const parts = [`**${name}**${typeText(node)}`];
  if (node.description) parts.push(node.description);
  if (node.default !== undefined && typeof node.default !== 'object')
    parts.push(`Default: \`${JSON.stringify(node.default)}\`.`);
  return parts.join('\n\n');
}

function typeText(n: SchemaNode): string {
  const values = n.enum ?? n.anyOf?.flatMap((a) => a.enum ?? (a.const !== undefined ? [a.const] : []));
  if (values?.length) return ` — one of ${values.map((v) => `\`${JSON.stringify(v)}\``).join(', ')}`;
  const types = [n.type, ...(n.anyOf ?? []).map((a) => a.type)].flat().filter(Boolean);
  const range = [
    n.minimum !== undefined ? `≥ ${n.minimum}` : '',
    n.maximum !== undefined && n.maximum < 2 ** 53 - 1 ? `≤ ${n.maximum}` : '',
  ].filter(Boolean);
  return types.length ? ` — ${[...new Set(types)].join(' or ')}${range.length ? ` ${range.join(', ')}` : ''}` : '';
}
