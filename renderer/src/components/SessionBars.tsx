// The bars above the view that speak of the session: the last change with its Undo, and the
// read-only banner of an old version or tag.
import type { DatasetInfo } from '../../../shared/types';
import { belongsTo, type Undo } from '../hooks/useUndo';
import { candidateText } from './DisplayDialog';

export function SessionBars({ dataset, undo, openLatest, upgrade, choose }: { dataset: DatasetInfo; undo: Undo; openLatest(): void; upgrade(): void; choose(c: { image?: string | null; caption?: string | null }): void }) {
  const last = undo.last;
  return (
    <>
      {last && belongsTo(last, dataset) && (
        <div className="undo-bar" role="status" data-testid="undo-bar">
          {last.what} (version {dataset.version})
          <button type="button" data-testid="undo" onClick={() => undo.undo(dataset)}>
            {last.action}
          </button>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={undo.dismiss}>
            ×
          </button>
        </div>
      )}
      {dataset.asks?.includes('image') && (
        <div className="ask-bar" role="status" data-testid="ask-image">
          <label htmlFor="ask-image">Several columns hold images. Which one is shown?</label>
          <select id="ask-image" value="" onChange={(e) => choose({ image: e.target.value || null })}>
            <option value="" disabled>
              Choose…
            </option>
            {(dataset.imageCandidates ?? []).filter((c) => c.images * 2 >= c.sampled && c.sampled > 0).map((c) => (
              <option key={c.column} value={c.column}>
                {c.column} ({candidateText(c)})
              </option>
            ))}
          </select>
          <button type="button" onClick={() => choose({ image: dataset.imageColumn })}>
            Keep {dataset.imageColumn}
          </button>
        </div>
      )}
      {dataset.asks?.includes('caption') && (
        <div className="ask-bar" role="status" data-testid="ask-caption">
          <label htmlFor="ask-caption">No column is named like a caption. Which text should the tiles show?</label>
          <select id="ask-caption" value="" onChange={(e) => choose({ caption: e.target.value || null })}>
            <option value="" disabled>
              Choose…
            </option>
            {dataset.columns.filter((c) => c.kind === 'string' && !c.unreadable && c.name !== dataset.imageColumn).map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => choose({ caption: null })} data-testid="ask-caption-none">
            None
          </button>
        </div>
      )}
      {dataset.damaged && (
        <div className="error-box" role="alert" data-testid="damaged-banner">
          This dataset is damaged: {dataset.damaged}
        </div>
      )}
      {dataset.readOnlyWhy === 'legacy' && (
        <div className="readonly-banner" role="status" data-testid="readonly-banner">
          Read-only: {dataset.name} is in Lance&apos;s old file format (0.1/0.2). Everything can be looked at, searched and exported; upgrade this dataset to edit it.
          <button type="button" onClick={upgrade} data-testid="upgrade">
            Upgrade…
          </button>
        </div>
      )}
      {dataset.readOnly && !dataset.damaged && dataset.readOnlyWhy !== 'version' && dataset.readOnlyWhy !== 'legacy' && dataset.readOnlyWhy !== undefined && (
        <div className="readonly-banner" role="status" data-testid="readonly-banner">
          {dataset.readOnlyWhy === 'online'
            ? `Read-only: ${dataset.name} is read from the Hub. Download it (Download…) to label it or add columns.`
            : dataset.readOnlyWhy === 'remote'
            ? `LanceDB Cloud: ${dataset.name} is read through the service's API (browse, filters, find similar, search). Labels, columns and tags are written through your LanceDB service; statistics, the map and history are not offered here.`
            : `Read-only: you cannot write to ${dataset.path}. Save it as a table somewhere you can to change it.`}
        </div>
      )}
      {dataset.readOnly && !dataset.damaged && (dataset.readOnlyWhy === 'version' || dataset.readOnlyWhy === undefined) && (
        <div className="readonly-banner" role="status" data-testid="readonly-banner">
          Read-only: version {dataset.version}
          {dataset.tag ? ` (tag “${dataset.tag}”)` : ''} of {dataset.name}. Nothing can be changed here.
          <button type="button" onClick={openLatest} data-testid="open-latest">
            Open the latest version
          </button>
        </div>
      )}
    </>
  );
}
