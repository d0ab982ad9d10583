// Every dialog of the window, one at a time: which one is open is a single piece of state in App.
import { KeysOverlay } from './KeysOverlay';
import { ExportDialog } from './ExportDialog';
import { CodeDialog } from './CodeDialog';
import { SaveTableDialog } from './SaveTableDialog';
import { DisplayDialog } from './DisplayDialog';
import { VersionsDialog } from './VersionsDialog';
import { AddColumnDialog } from './AddColumnDialog';
import { IndexBuildDialog } from './IndexBuildDialog';
import { DownloadDialog, type DownloadForm } from './DownloadDialog';
import { LabelViewDialog } from './LabelViewDialog';
import { MergeLabelsDialog } from './MergeLabelsDialog';
import { OpenDatasetDialog } from './OpenDatasetDialog';
import { EmbedDialog } from './EmbedDialog';
import { AdvisorDialog } from './AdvisorDialog';
import { ResolveDialog } from './ResolveDialog';
import type { Session, OpenAt } from '../hooks/useSession';
import type { IndexBuild } from '../hooks/useIndexBuild';
import type { Labelling } from '../hooks/useLabelling';
import type { AppInfo, DatasetInfo, LabelValue, ViewInfo } from '../../../shared/types';

export type Dialog =
  | { kind: 'open' | 'export' | 'code' | 'index' | 'download' | 'save' | 'upgrade' | 'display' | 'versions' | 'add-column' | 'merge' | 'keys' | 'embed' | 'resolve' }
  | { kind: 'label-view'; column: string; value: LabelValue }
  | { kind: 'advisor'; column: string };

export interface DownloadState {
  form: DownloadForm;
  setForm(f: DownloadForm): void;
  jobId: string | null;
  started(jobId: string, target: string): void;
  /** Forget the finished job: the dialog starts afresh. */
  reset(): void;
}

interface Props {
  dialog: Dialog | null;
  close(): void;
  info: AppInfo | null;
  dataset: DatasetInfo | null;
  view: ViewInfo | null;
  session: Session;
  indexBuild: IndexBuild;
  download: DownloadState;
  labelling: Labelling;
  /** A write a dialog made (`next`: the dataset after it): offered for Undo; `restart` when rows moved and views must start again. */
  changed(ds: DatasetInfo, what: string, next: DatasetInfo, restart?: boolean): void;
  /** Back to the grid, so the next key labels or moves again. */
  focusGrid(): void;
  /** A version was restored from the Versions dialog. */
  restored(ds: DatasetInfo, version: number, previous: number): void;
  /** Open another dialog (the embedding's "Build the vector index…"). */
  show(d: Dialog): void;
}

export function Dialogs({ dialog, close, info, dataset, view, session, indexBuild, download, labelling, changed, focusGrid, restored, show }: Props) {
  if (!dialog) return null;
  // Dialogs that open a dataset close once it is open, and show the error otherwise.
  const openAndClose = async (path: string, table?: string, at?: OpenAt) => {
    const err = await session.open(path, table, at);
    if (!err) close();
    return err;
  };
  switch (dialog.kind) {
    case 'open':
      return <OpenDatasetDialog info={info} canClose onOpen={(p, table, credentials) => openAndClose(p, table, credentials)} onOpenDemo={() => (close(), session.startDemo())} onClose={close} />;
    case 'keys':
      return <KeysOverlay onClose={close} />; // focus goes back to the grid or the button it came from
    case 'download':
      return <DownloadDialog form={download.form} onForm={download.setForm} jobId={download.jobId} onStarted={download.started} onNew={download.reset} onOpen={(p) => openAndClose(p)} onClose={close} />;
  }
  if (!dataset) return null;
  switch (dialog.kind) {
    case 'export':
      return <ExportDialog dataset={dataset} view={view} onClose={close} />;
    case 'code':
      return <CodeDialog dataset={dataset} view={view} onClose={close} />;
    case 'save':
      return <SaveTableDialog dataset={dataset} view={view} onOpen={(p) => openAndClose(p)} onClose={close} />;
    case 'display':
      // Display choices change what the session shows, never the data: the same views go on.
      return <DisplayDialog dataset={dataset} onChanged={session.update} onClose={close} />;
    case 'upgrade':
      // An old-format dataset copied whole, indices built again, into the current format.
      return <SaveTableDialog dataset={dataset} view={null} upgrade onOpen={(p) => openAndClose(p)} onClose={close} />;
    case 'versions':
      return <VersionsDialog key={dataset.id} dataset={dataset} onOpenVersion={(at) => openAndClose(dataset.path, dataset.table, at ?? undefined)} onRestored={(v, prev) => restored(dataset, v, prev)} onClose={close} />;
    case 'index': {
      const b = indexBuild.build;
      if (!b || b.datasetId !== dataset.id) return null;
      return <IndexBuildDialog dataset={dataset} target={b.target} jobId={b.jobId} onStarted={indexBuild.started} onClose={close} />;
    }
    case 'add-column':
      // Same session, new schema: the grid, the detail panel and the filter bar pick it up.
      return <AddColumnDialog dataset={dataset} onAdded={(what, next) => (close(), changed(dataset, what, next))} onClose={close} />;
    case 'merge':
      // Rows moved and columns may be new: the session's views start again.
      return <MergeLabelsDialog dataset={dataset} onMerged={(what, next) => (close(), changed(dataset, what, next, true))} onClose={close} />;
    case 'embed':
      // A new column and rows rewritten by key: the session's views start again.
      return <EmbedDialog dataset={dataset} onDone={(what, next) => changed(dataset, what, next, true)} onBuildIndex={(t) => (indexBuild.offer(dataset, t), show({ kind: 'index' }))} onClose={close} />;
    case 'advisor':
      // A build replaces the index as a new version: the session follows it like any index build.
      return <AdvisorDialog dataset={dataset} column={dialog.column} onBuilt={() => void session.refresh(dataset.id)} onClose={close} />;
    case 'resolve':
      // Marked rows were rewritten by key: the session's views start again.
      return view?.spec.kind === 'duplicates' ? <ResolveDialog dataset={dataset} view={view} onMarked={(what, next) => changed(dataset, what, next, true)} onClose={close} /> : null;
    case 'label-view': {
      const { column, value } = dialog;
      return (
        <LabelViewDialog
          dataset={dataset}
          view={view}
          column={column}
          value={value}
          onConfirm={(expectedCount) => {
            close();
            void labelling.applyToView(column, value, expectedCount).then(focusGrid);
          }}
          onClose={() => (close(), focusGrid())}
        />
      );
    }
    default:
      return null;
  }
}
