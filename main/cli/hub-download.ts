// npm run download -- [owner/name] [--revision R] [--folder P] [--target DIR] [--parallel N] [--json]
// Download a Lance dataset from the Hub (HF_ENDPOINT, HF_TOKEN honoured) without the window: on a
// headless box, or from a script. Stopping it (Ctrl+C, a kill, a crash) keeps what was fetched; running
// it again resumes.
import path from 'node:path';
import { hubConfigFromEnv } from '../services/hub/hub-client';
import { fmtBytes, runDownload } from '../services/hub/downloader';
import { defaultDataDir } from '../services/support/paths';
import { HubService } from '../services/hub/hub-service';
import { AppEvents, JobRegistry } from '../services/jobs/jobs';
import { errorText } from '../services/support/errors';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const repo = args[0] && !args[0].startsWith('--') ? args[0] : 'lance-format/laion-1m';
const folder = flag('--folder') ?? 'data/train.lance';
const revision = flag('--revision') ?? 'main';
const json = args.includes('--json');
const hub = new HubService(new JobRegistry(new AppEvents()), defaultDataDir(), null);
const target = path.resolve(flag('--target') ?? hub.defaultTarget(repo, folder));
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());

let maxChunk = 0;
try {
  let last = 0;
  const r = await runDownload(
    hubConfigFromEnv(),
    { repo, revision, folder, target, parallel: Number(flag('--parallel') ?? 4) },
    (done, total, message, d) => {
      if (json) return void process.stdout.write(`${JSON.stringify({ done, total, inFlight: d?.inFlight.length ?? 0, maxChunk })}\n`);
      if (Date.now() - last < 1000 && done < total) return;
      last = Date.now();
      process.stderr.write(`${message}${d?.etaSeconds != null ? ` · ETA ${d.etaSeconds} s` : ''}${d?.retrying ? ` · ${d.retrying}` : ''}\n`);
    },
    controller.signal,
    // --json reports after every written chunk: a parent that kills this process knows what was on disk.
    json ? { onChunk: (done, chunk) => {
      maxChunk = Math.max(maxChunk, chunk);
      process.stdout.write(`${JSON.stringify({ done, total: 0, inFlight: -1, maxChunk })}\n`);
    } } : {},
  );
  console.log(`${json ? '' : 'downloaded '}${JSON.stringify({ path: r.path, bytes: r.bytes, files: r.files, size: fmtBytes(r.bytes) })}`);
} catch (err) {
  console.error(errorText(err));
  process.exit(1);
}
