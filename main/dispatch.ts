// The single entry point for every request from the UI, whatever carried it (Electron IPC or the
// web bridge): check the channel, validate the payload against the contract, call the service,
// and return a Result. Nothing throws past this function.
import type { IndexVariant } from '../shared/types';
import { requestSchemas, type Requests, type Responses } from '../shared/contract';
import { fail, ok, type Result } from '../shared/result';
import { CHANNEL_NAMES, type Channel } from '../shared/channels';
import { toAppError } from './services/support/errors';
import { previewMerge, mergeLabels } from './services/writes/merge-labels';
import { addDerivedColumn, addLabelColumn, dropColumn, previewDerived, renameColumn } from './services/writes/evolve';
import type { AppServices } from './services/app-services';

const jobIdOf = (req: { jobId?: string | undefined }) => (req.jobId === undefined ? {} : { jobId: req.jobId });

type Handlers = { [C in Channel]: (req: Requests[C]) => Promise<Responses[C]> };

/** One service call per channel: the request is already validated; nothing else happens here. */
function handlers(s: AppServices): Handlers {
  return {
    'app:info': async () => s.info(),
    'app:activity': async () => (s.datasets.activity.touch(), { noted: true as const }),
    'dataset:inspect': (req) => s.inspect(req),
    'credentials:forget': async (req) => ({ forgotten: await s.credentials.forget(req.path) }),
    'dataset:open': (req) => s.open(req),
    'dataset:close': async (req) => ({ closed: s.datasets.close(req.id) }),
    'dataset:info': async (req) => s.datasets.get(req.id).info,
    'dataset:display': ({ id, ...change }) => s.datasets.setDisplay(id, change),
    'evolve:add-label-column': (req) => addLabelColumn(s.datasets, req.id, req),
    'evolve:preview-derived': (req) => previewDerived(s.datasets, req.id, req.name, req.expression),
    'evolve:add-derived': (req) => addDerivedColumn(s.datasets, req.id, req.name, req.expression),
    'evolve:rename-column': (req) => renameColumn(s.datasets, req.id, req.from, req.to, !!req.insist),
    'evolve:drop-column': (req) => dropColumn(s.datasets, req.id, req.column, !!req.insist),
    'labels:merge-preview': (req) => s.jobs.start('merge-preview', (progress, signal) => previewMerge(s.datasets, req.id, req.path, { signal, progress }), jobIdOf(req)).done,
    'labels:merge': (req) => s.jobs.start('merge', (progress, signal) => mergeLabels(s.datasets, req.id, req.path, req.expectedMatched, { signal, progress }), jobIdOf(req)).done,
    'labels:plan': (req) => s.labels.plan(req.id, req.viewId, req.positions),
    'labels:set': (req) => s.labels.apply(req),
    'versions:list': (req) => s.versions.history(req.id),
    'versions:compare': (req) => s.versions.compare(req.id, req.from, req.to),
    'versions:restore': (req) => s.versions.restore(req.id, req.version),
    'versions:cleanup-plan': (req) => s.versions.cleanupPlan(req.id, req.olderThanDays, req.includeRecentUnfinished),
    'versions:cleanup': (req) => s.versions.cleanUp(req.id, req.olderThanDays, req.includeRecentUnfinished, req.expectedBytes),
    'tags:change': (req) => s.versions.tag(req.id, req.action, req.tag, req.version),
    'index:list': (req) => s.indices.list(req.id),
    'index:build': (req) => s.indices.start({ datasetId: req.id, column: req.column, kind: req.kind, metric: req.metric ?? 'l2', variant: req.variant as IndexVariant | undefined }),
    'advisor:start': async (req) => s.advisor.start(req.id, req.column, req.queries),
    'advisor:report': async (req) => s.advisor.report(req.jobId),
    'stats:status': (req) => s.stats.status(req.id),
    'stats:start': async (req) => s.stats.start(req.id),
    'near:status': (req) => s.near.status(req.id, req.column),
    'near:start': async (req) => s.near.start(req.id, req.column),
    'near:count': (req) => s.near.count(req.id, req.column, req.threshold),
    'map:status': (req) => s.map.status(req.id),
    'map:start': async (req) => s.map.start(req.id, req.column, req.mode),
    'map:points': (req) => s.map.mapPoints(req.id),
    'map:colours': (req) => s.map.colours(req.id, req.column),
    'map:mask': (req) => s.map.mask(req.id, req.viewId === null ? null : s.views.viewRowIds(req.id, req.viewId)),
    'duplicates:plan': (req) => s.duplicates.plan(req.id, req.viewId, req.rule),
    'duplicates:mark': (req) => s.duplicates.mark(req.id, req.viewId, { ...(req.rule ? { rule: req.rule } : {}), group: req.group, column: req.column, expectedRedundant: req.expectedRedundant }),
    'stats:view': (req) => s.stats.viewStats(req.id, req.viewId === null ? null : s.views.viewRowIds(req.id, req.viewId)),
    'rows:page': (req) => s.datasets.page(req.id, req.offset, req.limit),
    'rows:get': (req) => s.datasets.row(req.id, req.rowId),
    'view:open': (req) => s.views.open(req.id, req.spec),
    'view:page': (req) => s.views.page(req.id, req.viewId, req.offset, req.limit),
    'filter:check': (req) => s.views.checkFilter(req.id, req.filter),
    'column:top-values': (req) => s.views.topValues(req.id, req.column, req.limit),
    'export:default-path': async (req) => s.exports.defaultPath(req.id, req.format),
    'export:start': (req) => s.exports.start(req),
    'model:status': (req) => s.models.status(s.datasets.get(req.id).info, req.column),
    'model:plan': (req) => s.models.plan(req.repo, req.revision, req.dtype),
    'model:download': (req) => s.models.download(s.datasets.get(req.id).info, req.column, req.repo, req.revision, req.dtype, req.parallel),
    'model:use-folder': (req) => s.models.useFolder(s.datasets.get(req.id).info, req.column, req.path, req.dtype),
    'query:image': async (req) => {
      s.datasets.get(req.id);
      return s.models.putImage(new Uint8Array(Buffer.from(req.bytes, 'base64')));
    },
    'embed:models': () => s.models.installed(),
    'embed:plan': (req) => s.embeddings.plan({ datasetId: req.id, imageColumn: req.imageColumn, column: req.column, model: req.model }),
    'embed:start': (req) => s.embeddings.start({ datasetId: req.id, imageColumn: req.imageColumn, column: req.column, model: req.model }),
    'embed:discard': (req) => s.embeddings.discard(req.id, req.column),
    'hub:plan': (req) => s.hub.planFor(req),
    'hub:download': (req) => s.hub.download(req),
    'hub:incomplete': () => s.hub.incomplete(),
    'hub:discard': (req) => s.hub.discard(req.target),
    'hub:token-status': () => s.hub.tokenStatus(),
    'hub:set-token': (req) => s.hub.setToken(req.token, req.remember),
    'view:materialize': (req) => s.subsets.start(req),
    'recent:list': () => s.recent.list(),
    'recent:forget': (req) => s.recent.forget(req.path, req.table),
    'demo:status': () => s.demo.status(),
    'demo:build': async () => s.demo.build(),
    'job:cancel': async (req) => ({ cancelled: s.jobs.cancel(req.jobId) }),
    'job:status': async (req) => s.jobs.status(req.jobId),
    'dialog:pick-dataset': () => s.pickDataset(),
  };
}

export type Dispatch = (channel: string, payload: unknown) => Promise<Result<unknown>>;

export function createDispatch(services: AppServices): Dispatch {
  const table = handlers(services) as Record<Channel, (req: unknown) => Promise<unknown>>;
  return async (channel, payload) => {
    if (!(CHANNEL_NAMES as readonly string[]).includes(channel)) {
      return fail('UNKNOWN_CHANNEL', `There is no channel "${String(channel).slice(0, 80)}".`);
    }
    const schema = requestSchemas[channel as Channel];
    const parsed = schema.safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
      return fail('INVALID_PAYLOAD', `Invalid request for ${channel}${where}: ${issue?.message ?? 'malformed'}.`);
    }
    try {
      return ok(await table[channel as Channel](parsed.data));
    } catch (err) {
      return { ok: false, error: toAppError(err) };
    }
  };
}
