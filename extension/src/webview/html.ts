// The HTML shell of the explorer and topology panels: strict CSP (nothing by default, styles and
// images only from the webview's own resource origin, the one script by nonce), the bundle and its
// CSS through asWebviewUri. Pure, so it is unit-tested without VS Code.
import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  view: 'explorer' | 'topology';
  title: string;
  nonce?: string;
}

export function makeNonce(): string {
  return randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

function attr(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

export function cspFor(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data: blob:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function panelHtml(o: PanelHtmlOptions): string {
  const nonce = o.nonce ?? makeNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(cspFor(o.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>${attr(o.title)}</title>
</head>
<body data-view="${o.view}">
<main id="app"></main>
<script nonce="${nonce}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}
