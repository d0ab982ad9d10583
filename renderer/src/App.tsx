// The window: toolbar, grid, detail panel, status bar, the open dialog and the first-start demo build.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from './api/client';
import { useJob } from './hooks/useJob';
import { ThumbnailGrid } from './components/ThumbnailGrid';
import { DetailPanel } from './components/DetailPanel';
import { StatusBar } from './components/StatusBar';
import { OpenDatasetDialog } from './components/OpenDatasetDialog';
import { DemoBuildScreen } from './components/DemoBuildScreen';
import { ViewBar } from './components/ViewBar';
import { ExportDialog } from './components/ExportDialog';
import { CodeDialog } from './components/CodeDialog';
import { SaveTableDialog } from './components/SaveTableDialog';
import { VersionsDialog } from './components/VersionsDialog';
import { AddColumnDialog } from './components/AddColumnDialog';
import { IndexBuildDialog, type IndexTarget } from './components/IndexBuildDialog';
import { DEFAULT_FORM, DownloadDialog, type DownloadForm } from './components/DownloadDialog';
import { LabelBar } from './components/LabelBar';
import { LabelViewDialog } from './components/LabelViewDialog';
import { MergeLabelsDialog } from './components/MergeLabelsDialog';
import { useViews } from './hooks/useViews';
import { useRowPages } from './hooks/useRowPages';
import { useSelection } from './hooks/useSelection';
import { labelText, valueForDigit } from './label-keys';
import { formatCount } from './format';
import type { AppInfo, ColumnInfo, DatasetInfo, JobProgress, LabelSpec, LabelValue, RowSummary } from '../../shared/types';

/** The grid takes the keyboard back (after a dialog, the detail panel or a click in the label bar). */
const focusGrid = () => document.querySelector<HTMLElement>('[data-testid="grid"]')?.focus();

type Phase = { kind: 'starting' } | { kind: 'opening'; path: string } | { kind: 'demo'; jobId: string | null; error: string | null } | { kind: 'ready' } | { kind: 'failed'; message: string };

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });
  const [dataset, setDataset] = useState<DatasetInfo | null>(null);
  const [focused, setFocused] = useState(0);
  const [detail, setDetail] = useState<RowSummary | null>(null);
  const [showOpen, setShowOpen] = useState(false);
  const [dialog, setDialog] = useState<'export' | 'code' | 'index' | 'download' | 'save' | 'versions' | 'add-column' | 'merge' | null>(null);
  // The download outlives its dialog, like the index build.
  const [downloadForm, setDownloadForm] = useState<DownloadForm>(DEFAULT_FORM);
  const [downloadJobId, setDownloadJobId] = useState<string | null>(null);
  // The last change this window made, so it can be undone (restoring the version before it, as a new version).
  const [lastChange, setLastChange] = useState<{ datasetId: string; what: string; before: number } | null>(null);
  // The index build outlives its dialog: kept here so reopening the dialog shows the same job.
  const [indexBuild, setIndexBuild] = useState<{ datasetId: string; target: IndexTarget; jobId: string | null } | null>(null);
  const [job, setJob] = useState<JobProgress | null>(null);
  // The same session at a new version or schema (labels written, a column added, an index built).
  const refreshDataset = async (id: string) => {
    const r = await api.datasetInfo({ id });
    if (r.ok) setDataset((d) => (d && d.id === r.value.id ? r.value : d));
  };
  // A change this window made: offered for Undo, and the session picks up the new version.
  const changed = (ds: DatasetInfo, what: string) => {
    setLastChange({ datasetId: ds.id, what, before: ds.version });
    return refreshDataset(ds.id);
  };
  const selection = useSelection();
  const views = useViews(dataset, () => {
    setFocused(0);
    setDetail(null);
    selection.clear();
  });
  const total = views.view ? views.view.count : (dataset?.rowCount ?? 0);
  // The dataset's version as the pages' generation: a label written or a column added refetches the
  // loaded pages in place.
  const pages = useRowPages(dataset?.id ?? null, total, views.view?.viewId ?? null, dataset?.version ?? 0);

  // Labelling: the column the digit keys write to, the write in flight, its error, and a whole-view
  // label waiting for confirmation.
  // Kept by identity across renders: every tile gets it.
  const columns = dataset?.columns;
  const labelColumns = useMemo(() => (columns?.filter((c) => c.label) ?? []) as Array<ColumnInfo & { label: LabelSpec }>, [columns]);
  const [labelColumnName, setLabelColumnName] = useState<string | null>(null);
  const activeLabel = labelColumns.find((c) => c.name === labelColumnName) ?? labelColumns[0] ?? null;
  const [labelBusy, setLabelBusy] = useState(false);
  const [labelError, setLabelError] = useState<string | null>(null);
  const [confirmLabel, setConfirmLabel] = useState<{ column: string; value: LabelValue } | null>(null);
  const canLabel = !!dataset && !dataset.readOnly && labelColumns.length > 0;

  const writeLabel = async (column: string, value: LabelValue, target: { positions: number[]; rowIds?: string[] } | { all: { expectedCount: number } }) => {
    if (!dataset) return;
    setLabelBusy(true);
    setLabelError(null);
    const r = await api.setLabels({ id: dataset.id, viewId: views.view?.viewId ?? null, column, value, ...target });
    setLabelBusy(false);
    if (!r.ok) return setLabelError(r.error.message);
    const n = r.value.updated;
    await changed(dataset, `Labelled ${formatCount(n)} ${n === 1 ? 'row' : 'rows'}: ${column} = ${labelText(value)}`);
    if (r.value.reopenView) {
      // Rows moved in ways the session could not follow (another writer, a large write): look again.
      selection.clear();
      views.refresh();
    }
    if (detail) {
      // The row has a new id now: show the same position again.
      const viewId = views.view?.viewId;
      const page = await (viewId && !r.value.reopenView ? api.getViewPage({ id: dataset.id, viewId, offset: detail.index, limit: 1 }) : api.getPage({ id: dataset.id, offset: detail.index, limit: 1 }));
      if (page.ok && page.value.rows[0]) setDetail(page.value.rows[0]);
    }
  };

  const applyLabel = (column: string, value: LabelValue) => {
    if (!canLabel || labelBusy) return;
    if (selection.all) return setConfirmLabel({ column, value });
    const positions = selection.positions.size ? [...selection.positions].sort((a, b) => a - b) : [focused];
    const rows = positions.map((p) => pages.row(p));
    // The row ids the person is looking at: if the rows moved meanwhile, the write is refused, never misplaced.
    const rowIds = rows.every((r) => r) ? rows.map((r) => (r as RowSummary).rowId) : undefined;
    void writeLabel(column, value, { positions, ...(rowIds ? { rowIds } : {}) });
  };

  const onLabelKey = (digit: number) => {
    if (!activeLabel) return;
    const value = valueForDigit(activeLabel.label, digit);
    if (value === undefined) {
      setLabelError(activeLabel.label.type === 'text' ? `"${activeLabel.name}" takes text: type it in the label bar.` : `No value on key ${digit} for "${activeLabel.name}".`);
      return;
    }
    applyLabel(activeLabel.name, value);
  };

  const clearSelection = selection.clear;
  const openPath = useCallback(async (path: string, table?: string, at?: { version?: number; tag?: string }): Promise<string | null> => {
    setPhase((p) => (p.kind === 'ready' ? p : { kind: 'opening', path }));
    const r = await api.openDataset({ path, ...(table ? { table } : {}), ...(at ?? {}) });
    if (!r.ok) {
      setPhase((p) => (p.kind === 'ready' ? p : { kind: 'failed', message: r.error.message }));
      return r.error.message;
    }
    setDataset((prev) => {
      if (prev) void api.closeDataset({ id: prev.id });
      return r.value;
    });
    setFocused(0);
    setDetail(null);
    clearSelection();
    setLabelError(null);
    setShowOpen(false);
    setPhase({ kind: 'ready' });
    return null;
  }, [clearSelection]);

  const startDemo = useCallback(async () => {
    const status = await api.demoStatus({});
    if (!status.ok) return setPhase({ kind: 'failed', message: status.error.message });
    if (status.value.state === 'ready') return void openPath(status.value.path);
    if (status.value.state === 'building') return setPhase({ kind: 'demo', jobId: status.value.jobId, error: null });
    const started = await api.buildDemo({});
    if (!started.ok) return setPhase({ kind: 'demo', jobId: null, error: started.error.message });
    setPhase({ kind: 'demo', jobId: started.value.jobId, error: null });
  }, [openPath]);

  useEffect(() => {
    void api.appInfo({}).then((r) => {
      if (!r.ok) return setPhase({ kind: 'failed', message: r.error.message });
      setInfo(r.value);
      if (r.value.startupPath) void openPath(r.value.startupPath);
      else void startDemo();
    });
  }, [openPath, startDemo]);

  // Any job's progress shows in the status bar.
  useEffect(() => api.on('job:progress', setJob), []);
  useEffect(() => api.on('job:finished', () => setJob(null)), []);

  const indexJob = useJob(indexBuild?.jobId ?? null);
  useEffect(() => {
    // A finished build is a new version with an index: refresh what the status bar and the view show.
    if (!indexJob.finished?.ok || !indexBuild) return;
    void refreshDataset(indexBuild.datasetId);
    views.refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [indexJob.finished]);

  const offerIndex = (target: IndexTarget) => {
    if (!dataset) return;
    const b = indexBuild;
    const sameRunning = b && b.datasetId === dataset.id && b.target.column === target.column && b.target.kind === target.kind && b.jobId && !indexJob.finished;
    if (!sameRunning) setIndexBuild({ datasetId: dataset.id, target, jobId: null });
    setDialog('index');
  };

  const demoJob = useJob(phase.kind === 'demo' ? phase.jobId : null);
  useEffect(() => {
    const f = demoJob.finished;
    if (!f || !info) return;
    if (f.ok) void openPath(info.demoPath);
    else setPhase({ kind: 'demo', jobId: null, error: f.error ?? 'The build failed.' });
  }, [demoJob.finished, info, openPath]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'o') {
        e.preventDefault();
        setShowOpen(true);
      } else if (e.altKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
        // The desktop window has no browser chrome: Alt+Left/Right walk the view history.
        e.preventDefault();
        if (e.key === 'ArrowLeft') history.back();
        else history.forward();
      } else if (e.key === '/' && !(e.target instanceof HTMLInputElement) && !(e.target instanceof HTMLSelectElement)) {
        const search = document.querySelector<HTMLInputElement>('[data-testid="search-input"]');
        if (search) {
          e.preventDefault();
          search.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const closeDetail = useCallback(() => {
    setDetail(null);
    focusGrid();
  }, []);

  return (
    <div className="app">
      <header className="toolbar">
        <h1>Lance Explorer</h1>
        <button type="button" onClick={() => setShowOpen(true)} title="Open a dataset (Ctrl+O)" data-testid="open-button">
          Open…
        </button>
        <button type="button" onClick={() => setDialog('download')} title="Download a Lance dataset from the Hugging Face Hub" data-testid="download-button">
          Download…
        </button>
        <button type="button" className="icon-button" onClick={() => history.back()} title="Previous view (Alt+Left)" aria-label="Previous view" data-testid="history-back">
          ◀
        </button>
        <button type="button" className="icon-button" onClick={() => history.forward()} title="Next view (Alt+Right)" aria-label="Next view">
          ▶
        </button>
        {dataset && (
          <button type="button" onClick={() => setDialog('versions')} title="History of versions and tags" data-testid="versions-button">
            Versions…
          </button>
        )}
        {dataset && !dataset.readOnly && (
          <button type="button" onClick={() => setDialog('add-column')} title="Add a label column" data-testid="add-column-button">
            Add column…
          </button>
        )}
        {dataset && !dataset.readOnly && dataset.keyColumn && (
          <button type="button" onClick={() => setDialog('merge')} title="Merge labels from a CSV, JSON Lines or Parquet file keyed by key" data-testid="merge-button">
            Merge labels…
          </button>
        )}
        {dataset && (
          <span className="toolbar-path" title={dataset.path}>
            {dataset.path}
          </span>
        )}
      </header>
      <main className="content">
        {phase.kind === 'starting' && <div className="center-panel muted">Starting…</div>}
        {phase.kind === 'opening' && (
          <div className="center-panel" role="status" data-testid="opening">
            Opening {phase.path}…
          </div>
        )}
        {phase.kind === 'failed' && (
          <div className="center-panel" data-testid="startup-error">
            <h2>Nothing to show yet</h2>
            <div className="error-box" role="alert">
              {phase.message}
            </div>
            <div className="row">
              <button type="button" className="primary" onClick={() => setShowOpen(true)}>
                Open a dataset…
              </button>
              <button type="button" onClick={() => void startDemo()}>
                Open the demo
              </button>
            </div>
          </div>
        )}
        {phase.kind === 'demo' && (
          <DemoBuildScreen
            progress={demoJob.progress}
            error={phase.error}
            onRetry={() => void startDemo()}
            onCancel={() => phase.jobId && void api.cancelJob({ jobId: phase.jobId })}
            onOpenOther={() => setShowOpen(true)}
          />
        )}
        {phase.kind === 'ready' && dataset && (
          <div className="content-with-bars">
            {lastChange && lastChange.datasetId === dataset.id && (
              <div className="undo-bar" role="status" data-testid="undo-bar">
                {lastChange.what} (version {dataset.version})
                <button
                  type="button"
                  data-testid="undo"
                  onClick={() => {
                    const change = lastChange;
                    setLastChange(null);
                    void api.restoreVersion({ id: dataset.id, version: change.before }).then(async (r) => {
                      if (!r.ok) return setLastChange({ ...change, what: `Could not undo: ${r.error.message}` });
                      await openPath(dataset.path, dataset.table);
                    });
                  }}
                >
                  Undo
                </button>
                <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setLastChange(null)}>
                  ×
                </button>
              </div>
            )}
            {dataset.readOnly && (
              <div className="readonly-banner" role="status" data-testid="readonly-banner">
                Read-only: version {dataset.version}
                {dataset.tag ? ` (tag “${dataset.tag}”)` : ''} of {dataset.name}. Nothing can be changed here.
                <button type="button" onClick={() => void openPath(dataset.path, dataset.table)} data-testid="open-latest">
                  Open the latest version
                </button>
              </div>
            )}
            <ViewBar
              key={dataset.id}
              dataset={dataset}
              view={views.view}
              busy={views.busy}
              onApply={views.apply}
              onExport={() => setDialog('export')}
              onSaveTable={() => setDialog('save')}
              onCode={() => setDialog('code')}
            />
            {views.error && (
              <div className="view-error" role="alert" data-testid="view-error">
                {views.error}
              </div>
            )}
            {!!views.view?.notes.length && (
              <div className="view-notes" data-testid="view-notes">
                {views.view.notes.join(' ')}
                {views.view.missingIndex && !dataset.readOnly && (
                  <button
                    type="button"
                    className="link-button"
                    data-testid="build-index"
                    onClick={() =>
                      offerIndex({
                        column: views.view!.missingIndex!.column,
                        kind: views.view!.missingIndex!.kind,
                        metric: views.view!.spec.kind === 'similar' ? views.view!.spec.metric : 'l2',
                      })
                    }
                  >
                    {views.view.missingIndex.kind === 'ivf_pq' ? `Build an IVF_PQ index on ${views.view.missingIndex.column}…` : `Build a full-text index on ${views.view.missingIndex.column}…`}
                  </button>
                )}
              </div>
            )}
            {canLabel && activeLabel && (
              <LabelBar
                columns={labelColumns}
                column={activeLabel}
                onColumn={setLabelColumnName}
                targetCount={selection.count(total)}
                all={selection.all}
                total={total}
                busy={labelBusy}
                error={labelError}
                // Back to the grid after a click in the bar, so the next key labels or moves again.
                onApply={(value) => {
                  applyLabel(activeLabel.name, value);
                  focusGrid();
                }}
                onSelectAll={() => {
                  selection.selectAll();
                  focusGrid();
                }}
                onClearSelection={() => {
                  selection.clear();
                  focusGrid();
                }}
                hasSelection={selection.positions.size > 0}
              />
            )}
            <div className="browse">
              <ThumbnailGrid
                key={`${dataset.id}:${views.view?.viewId ?? 'table'}`}
                dataset={dataset}
                pages={pages}
                selection={selection}
                onLabelKey={canLabel ? onLabelKey : null}
                labelColumns={labelColumns}
                view={views.view}
                highlight={views.view?.spec.kind === 'search' ? views.view.spec.text.split(/\s+/) : []}
                focused={focused}
                onFocus={setFocused}
                onOpen={setDetail}
                onFindSimilar={views.findSimilar}
              />
              {detail && (
                <DetailPanel
                  key={detail.rowId}
                  dataset={dataset}
                  row={detail}
                  onClose={closeDetail}
                  onFindSimilar={dataset.vectorColumns.length ? () => views.findSimilar(detail) : null}
                  onLabel={canLabel ? applyLabel : null}
                  labelTargets={selection.count(total)}
                />
              )}
            </div>
          </div>
        )}
      </main>
      <StatusBar dataset={phase.kind === 'ready' ? dataset : null} viewCount={views.view?.count ?? null} focused={focused} job={job} />
      {dialog === 'export' && dataset && <ExportDialog dataset={dataset} view={views.view} onClose={() => setDialog(null)} />}
      {dialog === 'index' && dataset && indexBuild && indexBuild.datasetId === dataset.id && (
        <IndexBuildDialog
          dataset={dataset}
          target={indexBuild.target}
          jobId={indexBuild.jobId}
          onStarted={(jobId) => setIndexBuild((b) => (b ? { ...b, jobId } : b))}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'download' && (
        <DownloadDialog
          form={downloadForm}
          onForm={setDownloadForm}
          jobId={downloadJobId}
          onStarted={(jobId, target) => {
            setDownloadJobId(jobId);
            setDownloadForm((f) => ({ ...f, target }));
          }}
          onOpen={async (p) => {
            const err = await openPath(p);
            if (!err) setDialog(null);
            return err;
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'save' && dataset && (
        <SaveTableDialog
          dataset={dataset}
          view={views.view}
          onOpen={async (p) => {
            const err = await openPath(p);
            if (!err) setDialog(null);
            return err;
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'versions' && dataset && (
        <VersionsDialog
          key={dataset.id}
          dataset={dataset}
          onOpenVersion={async (at) => {
            const err = await openPath(dataset.path, dataset.table, at ?? undefined);
            if (!err) setDialog(null);
            return err;
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'add-column' && dataset && (
        <AddColumnDialog
          dataset={dataset}
          onAdded={(what) => {
            setDialog(null);
            // Same session, new schema: the grid, the detail panel and the filter bar pick it up.
            void changed(dataset, what);
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {confirmLabel && dataset && (
        <LabelViewDialog
          dataset={dataset}
          view={views.view}
          column={confirmLabel.column}
          value={confirmLabel.value}
          onConfirm={(expectedCount) => {
            const { column, value } = confirmLabel;
            setConfirmLabel(null);
            void writeLabel(column, value, { all: { expectedCount } }).then(focusGrid);
          }}
          onClose={() => {
            setConfirmLabel(null);
            focusGrid();
          }}
        />
      )}
      {dialog === 'merge' && dataset && (
        <MergeLabelsDialog
          dataset={dataset}
          onMerged={(what) => {
            setDialog(null);
            // Rows moved and columns may be new: the session's views start again.
            void changed(dataset, what);
            selection.clear();
            views.refresh();
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'code' && dataset && <CodeDialog dataset={dataset} view={views.view} onClose={() => setDialog(null)} />}
      {showOpen && (
        <OpenDatasetDialog
          info={info}
          canClose
          onOpen={openPath}
          onOpenDemo={() => {
            setShowOpen(false);
            void startDemo();
          }}
          onClose={() => setShowOpen(false)}
        />
      )}
    </div>
  );
}
