// The single entry point for every request from the UI, whatever carried it (Electron IPC or the
// web bridge): check the channel, validate the payload against the contract, call the service,
// and return a Result. Nothing throws past this function.
import { requestSchemas, type Requests, type Responses } from '../shared/contract';
import { fail, ok, type Result } from '../shared/result';
import { CHANNEL_NAMES, type Channel } from '../shared/channels';
import { toAppError, failure } from './services/errors';
import { checkExportTarget, defaultExportPath, exportColumns, exportRows } from './services/export';
import { checkMaterialize, defaultSubsetPath, materialize } from './services/materialize';
import { mergeLabels, previewMerge } from './services/merge-labels';
import { addDerivedColumn, addLabelColumn, dropColumn, previewDerived, renameColumn } from './services/evolve';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AppServices } from './services/app-services';

type Handlers = { [C in Channel]: (req: Requests[C]) => Promise<Responses[C]> };

function handlers(s: AppServices): Handlers {
  return {
    'app:info': async () => ({
      version: s.version,
      carrier: s.platform.carrier,
      demoPath: s.demo.path,
      canPickFolder: !!s.platform.pickFolder,
      startupPath: s.startupPath,
    }),
    'dataset:inspect': (req) => s.datasets.inspect(req.path),
    'dataset:open': async (req) => {
      const at = req.version !== undefined || req.tag !== undefined ? { ...(req.version !== undefined ? { version: req.version } : {}), ...(req.tag !== undefined ? { tag: req.tag } : {}) } : undefined;
      const info = await s.datasets.openDataset(req.path, req.table, at);
      if (at) return info; // a read-only look at an old version is not a "recent dataset" of its own
      // Remembering is a convenience: a read-only data folder must not stop the dataset opening.
      await s.recent
        .add({ path: info.path, table: info.table, name: info.name, openedAt: new Date().toISOString(), rowCount: info.rowCount })
        .catch(() => {});
      return info;
    },
    'dataset:close': async (req) => ({ closed: s.datasets.close(req.id) }),
    'dataset:info': async (req) => s.datasets.get(req.id).info,
    'evolve:add-label-column': (req) => addLabelColumn(s.datasets, req.id, req),
    'evolve:preview-derived': (req) => previewDerived(s.datasets, req.id, req.name, req.expression),
    'evolve:add-derived': (req) => addDerivedColumn(s.datasets, req.id, req.name, req.expression),
    'evolve:rename-column': (req) => renameColumn(s.datasets, req.id, req.from, req.to, !!req.insist),
    'evolve:drop-column': (req) => dropColumn(s.datasets, req.id, req.column, !!req.insist),
    'labels:merge-preview': (req) => previewMerge(s.datasets, req.id, req.path),
    'labels:merge': (req) => mergeLabels(s.datasets, req.id, req.path, req.expectedMatched),
    'labels:plan': (req) => s.labels.plan(req.id, req.viewId, req.positions),
    // The label service answers in its own terms; the reply adds the session as the write left it.
    'labels:set': async (req) => ({
      ...(await s.labels.set({
        datasetId: req.id,
        viewId: req.viewId,
        column: req.column,
        value: req.value,
        ...(req.positions ? { positions: req.positions } : {}),
        ...(req.rowIds ? { rowIds: req.rowIds } : {}),
        ...(req.all ? { all: req.all } : {}),
      })),
      dataset: s.datasets.get(req.id).info,
    }),
    'versions:list': (req) => s.versions.history(req.id),
    'versions:compare': (req) => s.versions.compare(req.id, req.from, req.to),
    'versions:restore': (req) => s.versions.restore(req.id, req.version),
    'tags:change': (req) => s.versions.tag(req.id, req.action, req.tag, req.version),
    'index:list': (req) => s.indices.list(req.id),
    'index:build': (req) => s.indices.start({ datasetId: req.id, column: req.column, kind: req.kind, metric: req.metric ?? 'l2' }),
    'rows:page': (req) => s.datasets.page(req.id, req.offset, req.limit),
    'rows:get': (req) => s.datasets.row(req.id, req.rowId),
    'view:open': (req) => s.views.open(req.id, req.spec),
    'view:page': (req) => s.views.page(req.id, req.viewId, req.offset, req.limit),
    'filter:check': (req) => s.views.checkFilter(req.id, req.filter),
    'export:default-path': async (req) => ({ path: defaultExportPath(s.datasets.get(req.id).info.name, req.format) }),
    'export:start': async (req) => {
      const count = req.viewId ? s.views.viewCount(req.id, req.viewId) : s.datasets.get(req.id).info.rowCount;
      exportColumns(s.datasets, req.id, req.columns);
      await checkExportTarget(req.path, req.format, !!req.overwrite);
      const request = { datasetId: req.id, viewId: req.viewId, count, format: req.format, columns: req.columns, path: req.path, overwrite: !!req.overwrite };
      const { jobId } = s.jobs.start('export', (report, signal) => exportRows(request, s, report, signal));
      return { jobId, path: req.path, rows: count };
    },
    'hub:plan': async (req) => {
      const defaultTarget = s.hub.defaultTarget(req.repo, req.folder);
      return { ...(await s.hub.plan({ ...req, target: req.target ?? defaultTarget })), defaultTarget };
    },
    'hub:download': (req) => s.hub.start({ ...req, target: req.target ?? s.hub.defaultTarget(req.repo, req.folder), parallel: req.parallel ?? 4 }),
    'hub:incomplete': () => s.hub.incomplete(),
    'hub:discard': (req) => s.hub.discard(req.target),
    'hub:token-status': () => s.hub.tokenStatus(),
    'hub:set-token': (req) => s.hub.setToken(req.token, req.remember),
    'view:materialize': async (req) => {
      const ds = s.datasets.get(req.id);
      const rows = req.viewId ? s.views.viewCount(req.id, req.viewId) : ds.info.rowCount;
      const request = { datasetId: req.id, viewId: req.viewId, columns: req.columns, target: req.target ?? defaultSubsetPath(s.dataDir, ds.info.name) };
      await fs.mkdir(path.dirname(request.target), { recursive: true }).catch(() => {});
      await checkMaterialize(s.datasets, request);
      const { jobId } = s.jobs.start('materialize', (report, signal) => materialize(request, s, report, signal));
      return { jobId, target: request.target, rows };
    },
    'recent:list': () => s.recent.list(),
    'recent:forget': (req) => s.recent.forget(req.path, req.table),
    'demo:status': () => s.demo.status(),
    'demo:build': async () => s.demo.build(),
    'job:cancel': async (req) => ({ cancelled: s.jobs.cancel(req.jobId) }),
    'job:status': async (req) => s.jobs.status(req.jobId),
    'dialog:pick-dataset': async () => {
      if (!s.platform.pickFolder) {
        throw failure('UNSUPPORTED', 'Folder picking needs the desktop app; type the dataset path instead.');
      }
      const picked = await s.platform.pickFolder();
      return picked ? { path: picked } : null;
    },
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
