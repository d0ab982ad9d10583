// npm run serve [-- <dataset path>] [--port N]: the app in a browser, on 127.0.0.1 only.
import { commandLineLocation } from '../services/dataset/dataset-locate';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBridge } from '../bridge/server';
import { createAppServices } from '../services/app-services';

const args = process.argv.slice(2);
const portIdx = args.indexOf('--port');
const portText = portIdx >= 0 ? args[portIdx + 1] : (process.env.PORT ?? '0');
const port = Number(portText);
if (!/^\d{1,5}$/.test(portText ?? '') || port > 65535) {
  console.error(`npm run serve: --port takes a port number from 0 to 65535 (got ${JSON.stringify(portText ?? '')}); 0 picks a free one.`);
  process.exit(2);
}
const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--port');
const dataset = positional[0] ? commandLineLocation(positional[0]) : null;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// LANCE_EXPLORER_DEMO_ROWS builds a smaller demo on first start (tests of the first-start experience).
const demoRows = process.env.LANCE_EXPLORER_DEMO_ROWS ? Number(process.env.LANCE_EXPLORER_DEMO_ROWS) : undefined;
// LANCE_EXPLORER_QUERY_BUDGET_MS shortens every filtered query's time budget (the test of running out).
const queryBudgetMs = process.env.LANCE_EXPLORER_QUERY_BUDGET_MS ? Number(process.env.LANCE_EXPLORER_QUERY_BUDGET_MS) : undefined;
const services = createAppServices({
  platform: { carrier: 'web' },
  startupPath: dataset,
  ...(demoRows ? { demoRows } : {}),
  ...(queryBudgetMs && queryBudgetMs > 0 ? { queryBudgetMs } : {}),
});
const bridge = await startBridge({ services, rendererDir: path.join(root, 'out', 'renderer'), port });

console.log(`Lance Explorer (web bridge) on ${bridge.url}`);
console.log(dataset ? `Dataset: ${dataset}` : `Dataset: the built-in demo (${services.demo.path})`);
console.log(`Open this URL (it carries this run's token):\n  ${bridge.openUrl}`);
console.log('Remote box? ssh -L 8080:127.0.0.1:<port> host, then open the URL with that local port.');
const stop = async () => {
  await bridge.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
