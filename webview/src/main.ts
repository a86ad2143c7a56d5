// Entry of dist/webview.js. One bundle, three uses: the explorer panel and the topology panel in
// VS Code, and the standalone `pareto-nas report` page (data embedded in <script type="application/json">).
import '../../media/webview/explorer.css'; // bundled by esbuild into dist/webview.css
import { Explorer } from './explorer';
import { createHost } from './host';
import { isHostMessage, type HostToWebview } from '../../common/explorer/messages';
import { TopologyView } from './topology-view';
import { WorkersView } from './workers-view';

function start(): void {
  const host = createHost();
  const root = document.getElementById('app') ?? document.body;
  const view = document.body.dataset.view === 'topology' ? 'topology' : 'explorer';
  const target = view === 'topology' ? new TopologyView(root, host) : new Explorer(root, host);
  if (target instanceof Explorer)
    (window as unknown as { __paretoExplorer: unknown }).__paretoExplorer = target.testHook();
  const workers = target instanceof Explorer ? new WorkersView().mount(root) : undefined;
  const deliver = (m: HostToWebview) => {
    target.handle(m);
    workers?.handle(m);
  };
  window.addEventListener('message', (e: MessageEvent) => {
    if (isHostMessage(e.data)) deliver(e.data);
  });
  const embedded = document.getElementById('pareto-data');
  if (embedded?.textContent) {
    const msgs = JSON.parse(embedded.textContent) as HostToWebview | HostToWebview[];
    for (const m of Array.isArray(msgs) ? msgs : [msgs]) if (isHostMessage(m)) deliver(m);
  }
  host.post({ type: 'ready', view });
  document.body.dataset.ready = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
