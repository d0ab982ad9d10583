// The window, composed: the workflows live in hooks (session, views, pages, selection, labelling,
// undo, index builds, shortcuts); the pieces of screen in components; this file wires them together.
import { useCallback, useState } from 'react';
import { BrowsePane } from './components/BrowsePane';
import { StatusBar } from './components/StatusBar';
import { StartScreen } from './components/StartScreen';
import { ViewBar } from './components/ViewBar';
import { ViewNotes } from './components/ViewNotes';
import { Toolbar } from './components/Toolbar';
import { SessionBars } from './components/SessionBars';
import { SelectionLabelBar } from './components/LabelBar';
import { Dialogs, type Dialog } from './components/Dialogs';
import { useSession } from './hooks/useSession';
import { useViews } from './hooks/useViews';
import { useRowPages } from './hooks/useRowPages';
import { useSelection } from './hooks/useSelection';
import { useLabelling } from './hooks/useLabelling';
import { useUndo } from './hooks/useUndo';
import { useIndexBuild } from './hooks/useIndexBuild';
import { useShortcuts } from './hooks/useShortcuts';
import { useDownloadState } from './hooks/useDownloadState';
import { useActiveJob } from './hooks/useActiveJob';
import { useStats } from './hooks/useStats';
import { useNear } from './hooks/useNear';
import { useMap } from './hooks/useMap';
import { StatsPanel } from './components/StatsPanel';
import { applyPick } from './stats-filter';
import type { DatasetInfo, RowSummary } from '../../shared/types';
import { api } from './api/client';
import { useLayout } from './hooks/useLayout';

/** The grid takes the keyboard back (after a dialog, the detail panel or a click in the label bar). */
const focusGrid = () => document.querySelector<HTMLElement>('[data-testid="grid"], [data-testid="table"]')?.focus();

export function App() {
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [focused, setFocused] = useState(0);
  const [detail, setDetail] = useState<RowSummary | null>(null);
  const download = useDownloadState();
  const job = useActiveJob();
  const selection = useSelection();
  const clearSelection = selection.clear;
  const session = useSession(
    useCallback(() => {
      setFocused(0);
      setDetail(null);
      clearSelection();
    }, [clearSelection]),
  );
  const { dataset } = session;
  const views = useViews(dataset, () => {
    setFocused(0);
    setDetail(null);
    selection.clear();
  });
  const total = views.view ? views.view.count : (dataset?.rowCount ?? 0);
  // The statistics panel stays open or closed across datasets and restarts, as the person left it.
  const [statsOpen, setStatsOpen] = useState(() => localStorage.getItem('lx.statsOpen') === '1');
  const toggleStats = useCallback(() => {
    setStatsOpen((o) => {
      localStorage.setItem('lx.statsOpen', o ? '0' : '1');
      return !o;
    });
  }, []);
  const stats = useStats(session.phase.kind === 'ready' ? dataset : null, views.view, statsOpen);
  const near = useNear(session.phase.kind === 'ready' ? dataset : null, statsOpen);
  const [mapOpen, setMapOpen] = useState(false);
  const [layout, setLayout] = useLayout(dataset);
  const map = useMap(session.phase.kind === 'ready' ? dataset : null, mapOpen, (before, what, next) => changed(before, what, next, true));
  // The dataset's version as the pages' generation: a write refetches the loaded pages in place.
  const pages = useRowPages(dataset?.id ?? null, total, views.view?.viewId ?? null, dataset?.version ?? 0);
  const undo = useUndo(session);
  const labelling = useLabelling({
    dataset, views, selection, focused, detail, setDetail,
    row: pages.row,
    changed: undo.changed,
    confirmWholeView: (column, value) => setDialog({ kind: 'label-view', column, value }),
  });
  const indexBuild = useIndexBuild((datasetId) => {
    void session.refresh(datasetId);
    views.refresh();
  });
  const changed = (ds: DatasetInfo, what: string, next: DatasetInfo, restart = false) => {
    undo.changed(ds, what, next);
    if (restart) {
      selection.clear();
      views.refresh();
    }
  };

  useShortcuts({ open: () => setDialog({ kind: 'open' }), keys: () => setDialog({ kind: 'keys' }) });
  const closeDetail = useCallback(() => {
    setDetail(null);
    focusGrid();
  }, []);

  return (
    <div className="app">
      <Toolbar dataset={dataset} show={setDialog} statsOpen={statsOpen} onToggleStats={toggleStats} mapOpen={mapOpen} onToggleMap={() => setMapOpen((o) => !o)} layout={layout} onLayout={(l) => (setLayout(l), setMapOpen(false))} />
      <main className="content">
        {session.phase.kind === 'ready' && dataset ? (
          <div className="content-with-bars">
            <SessionBars dataset={dataset} undo={undo} openLatest={() => void session.open(dataset.path, dataset.table)} upgrade={() => setDialog({ kind: 'upgrade' })} choose={(c) => void api.setDisplay({ id: dataset.id, ...c }).then((r) => r.ok && session.update(r.value))} />
            <ViewBar
              key={dataset.id}
              dataset={dataset}
              view={views.view}
              busy={views.busy}
              onApply={views.apply}
              onExport={() => setDialog({ kind: 'export' })}
              onSaveTable={() => setDialog({ kind: 'save' })}
              onCode={() => setDialog({ kind: 'code' })}
            />
            <ViewNotes dataset={dataset} view={views.view} error={views.error} onBuildIndex={(t) => (indexBuild.offer(dataset, t), setDialog({ kind: 'index' }))} onAdvise={(column) => setDialog({ kind: 'advisor', column })} onResolve={() => setDialog({ kind: 'resolve' })} />
            <SelectionLabelBar labelling={labelling} selection={selection} total={total} focusGrid={focusGrid} />
            <BrowsePane
              dataset={dataset}
              views={views}
              pages={pages}
              selection={selection}
              labelling={labelling}
              total={total}
              focused={focused}
              onFocus={setFocused}
              detail={detail}
              onDetail={setDetail}
              onCloseDetail={closeDetail}
              map={mapOpen ? map : null}
              layout={layout}
              onRegion={(polygon) => {
                views.apply({ kind: 'region', polygon, ...(views.view?.spec.filter ? { filter: views.view.spec.filter } : {}) });
                setMapOpen(false);
              }}
              onCluster={(cluster) => {
                views.apply({ kind: 'browse', filter: { conditions: [{ column: 'map_cluster', op: 'eq', value: cluster }] } });
                setMapOpen(false);
              }}
              side={
                statsOpen ? (
                  <StatsPanel
                    dataset={dataset}
                    stats={stats}
                    filter={views.view?.spec.filter}
                    onPick={(p) => views.apply(applyPick(views.view?.spec ?? null, p))}
                    onDuplicates={(column) => views.apply({ kind: 'duplicates', column, ...(views.view?.spec.filter ? { filter: views.view.spec.filter } : {}) })}
                    near={near}
                    onNearDuplicates={(column, threshold) => views.apply({ kind: 'duplicates', column, near: threshold, ...(views.view?.spec.filter ? { filter: views.view.spec.filter } : {}) })}
                    onClose={() => {
                      toggleStats();
                      focusGrid();
                    }}
                  />
                ) : null
              }
            />
          </div>
        ) : (
          <StartScreen session={session} onOpenOther={() => setDialog({ kind: 'open' })} />
        )}
      </main>
      <StatusBar dataset={session.phase.kind === 'ready' ? dataset : null} viewCount={views.view?.count ?? null} focused={focused} job={job} />
      <Dialogs
        dialog={dialog}
        close={() => setDialog(null)}
        show={setDialog}
        restored={undo.restored}
        info={session.info}
        dataset={dataset}
        view={views.view}
        session={session}
        indexBuild={indexBuild}
        download={download}
        labelling={labelling}
        changed={changed}
        focusGrid={focusGrid}
      />
    </div>
  );
}
