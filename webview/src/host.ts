// Where the webview runs: inside a VS Code WebviewPanel (acquireVsCodeApi) or as the standalone
// `pareto-nas report` page (data embedded, exports as downloads, no extension to talk to).
import type { WebviewToHost } from '../../common/explorer/messages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export interface Host {
  readonly standalone: boolean;
  post(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
  save(filename: string, mime: string, data: string, encoding: 'utf8' | 'base64'): void;
}

export function createHost(): Host {
  const acquire = (globalThis as { acquireVsCodeApi?: () => VsCodeApi }).acquireVsCodeApi;
  if (typeof acquire === 'function') {
    const api = acquire(); // once per session; kept in this closure, never global
    return {
      standalone: false,
      post: (m) => api.postMessage(m),
      getState: () => api.getState(),
      setState: (s) => api.setState(s),
      save: (filename, mime, data, encoding) =>
        api.postMessage({ type: 'save-file', filename, mime, data, encoding } satisfies WebviewToHost),
    };
  }
  let state: unknown;
  const posted: WebviewToHost[] = [];
  return {
    standalone: true,
    post: (m) => {
      posted.push(m);
      window.dispatchEvent(new CustomEvent('pareto-host-message', { detail: m }));
    },
    getState: () => state,
    setState: (s) => {
      state = s;
    },
    save: (filename, mime, data, encoding) => {
      const bytes =
        encoding === 'base64' ? Uint8Array.from(atob(data), (c) => c.charCodeAt(0)) : new TextEncoder().encode(data);
      const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
  };
}
