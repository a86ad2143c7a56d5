// One open config file as the server sees it: the text parsed with jsonc-parser (the JSON language
// service's parser, tolerant of a file being typed) so every value, key and JSON path has a range.
import {
  findNodeAtLocation,
  findNodeAtOffset,
  getNodePath,
  getNodeValue,
  parseTree,
  type JSONPath,
  type Node,
  type ParseError,
} from 'jsonc-parser';
import type { Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';

export class ConfigDocument {
  readonly root: Node | undefined;
  readonly parseErrors: ParseError[] = [];
  /** The parsed value (partial while the text has syntax errors). */
  readonly value: unknown;

  constructor(readonly text: TextDocument) {
    this.root = parseTree(text.getText(), this.parseErrors, { allowTrailingComma: true });
    this.value = this.root ? getNodeValue(this.root) : undefined;
  }

  get uri(): string {
    return this.text.uri;
  }

  /** The value node at a path, or undefined when the path is not written in the file. */
  node(path: JSONPath): Node | undefined {
    return this.root && findNodeAtLocation(this.root, path);
  }

  /** The property's key node ("dataset" of `"dataset": ...`), or undefined. */
  keyNode(path: JSONPath): Node | undefined {
    const value = this.node(path);
    return value?.parent?.type === 'property' ? value.parent.children?.[0] : undefined;
  }

  /** The range of the value at path, else of the nearest written ancestor (a missing field: its object's brace). */
  rangeOf(path: JSONPath): Range {
    for (let n = path.length; n >= 0; n--) {
      const node = this.node(path.slice(0, n));
      if (!node) continue;
      // a missing field marks only its object's opening brace, not the whole object
      return n === path.length ? this.range(node) : this.range({ offset: node.offset, length: 1 });
    }
    return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  }

  /** The node at path or its nearest written ancestor, as an offset span. */
  rangeNode(path: JSONPath): Pick<Node, 'offset' | 'length'> {
    for (let n = path.length; n >= 0; n--) {
      const node = this.node(path.slice(0, n));
      if (node) return node;
    }
    return { offset: 0, length: 0 };
  }

  range(node: Pick<Node, 'offset' | 'length'>): Range {
    return { start: this.text.positionAt(node.offset), end: this.text.positionAt(node.offset + node.length) };
  }

  /** The innermost node at a position and its JSON path. */
  at(offset: number): { node: Node; path: JSONPath } | undefined {
    if (!this.root) return undefined;
    const node = findNodeAtOffset(this.root, offset, true);
    return node ? { node, path: getNodePath(node) } : undefined;
  }
}
