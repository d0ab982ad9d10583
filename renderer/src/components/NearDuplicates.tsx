// Near duplicates in the statistics panel: the job that finds every row's nearest neighbours, the
// histogram of those similarities with the threshold drawn on it (so a person sees where duplicates
// end), the groups the threshold gives, and a button that opens them in the grid.
import { formatCount, formatDuration } from '../format';
import { JobLine } from './JobLine';
import type { Near } from '../hooks/useNear';
import type { DatasetInfo, NearestHistogram } from '../../../shared/types';
import { ErrorText } from './ErrorText';

const W = 260;
const H = 64;

interface Props {
  dataset: DatasetInfo;
  near: Near;
  onShow(column: string, threshold: number): void;
}

export function NearDuplicates({ dataset, near, onShow }: Props) {
  if (!dataset.vectorColumns.length || !near.column) return null;
  const s = near.status;
  const r = s?.result ?? null;
  const running = !!near.job.id && !near.job.finished;
  const c = near.count;
  return (
    <section className="stats-column" data-testid="stats-near">
      <h3>
        Near duplicates{' '}
        {dataset.vectorColumns.length > 1 ? (
          <select aria-label="Vector column" value={near.column} onChange={(e) => near.setColumn(e.target.value)} disabled={running}>
            {dataset.vectorColumns.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        ) : (
          <span className="muted">by {near.column}</span>
        )}
      </h3>
      {running && (
        <JobLine job={near.job} onStop={near.stop} name="near" stopTitle="Stop; what is done is kept, and Find goes on from there" />
      )}
      {near.error && !running && (
        <div role="alert" className="stats-error" data-testid="near-error">
          <ErrorText text={near.error} />
        </div>
      )}
      {!running && (!r || (s?.stale && !s.usable)) && (
        <>
          <p className="muted">
            {r ? `Found at version ${r.version}; rows have changed since. ` : ''}
            Compares every row&rsquo;s {near.column} (cosine similarity) with the rows of its cluster and the cluster&rsquo;s border, not every pair: a job you can stop and go on with.
          </p>
          <button type="button" onClick={near.start} data-testid="near-start">
            {s?.resumable ? `Go on finding them (${formatCount(s.resumable.done)} of ${formatCount(s.resumable.total)} rows compared)` : r ? 'Find them again' : 'Find near duplicates'}
          </button>
        </>
      )}
      {r && (!s?.stale || s.usable) && (
        <>
          <p className="stats-meta" data-testid="near-meta">
            Each row&rsquo;s most similar other row, {formatCount(r.rows - r.unusable)} rows{r.unusable ? ` (${formatCount(r.unusable)} without a usable vector)` : ''}, in {formatDuration(r.tookMs / 1000)}
            {r.clusters > 1 ? ` within ${formatCount(r.clusters)} clusters` : ', every pair compared'}
            {s?.stale ? ` (at version ${r.version}; the rows are unchanged)` : ''}.
          </p>
          <NearHistogram histogram={r.histogram} threshold={near.threshold} onPick={near.setThreshold} />
          <label className="near-threshold">
            Threshold{' '}
            <input type="range" min={0.8} max={1} step={0.005} value={near.threshold} onChange={(e) => near.setThreshold(Number(e.target.value))} aria-label="Similarity threshold" data-testid="near-threshold" />
            <input
              type="number"
              min={0.5}
              max={1}
              step={0.005}
              value={near.threshold}
              onChange={(e) => Number.isFinite(e.target.valueAsNumber) && near.setThreshold(e.target.valueAsNumber)}
              aria-label="Similarity threshold (number)"
              className="near-threshold-number"
            />
          </label>
          <p className="stats-meta" data-testid="near-count" aria-live="polite">
            {c && c.threshold === near.threshold ? (
              c.groups ? (
                <>
                  At {near.threshold} or more: <strong>{formatCount(c.groups)}</strong> {c.groups === 1 ? 'group' : 'groups'}, {formatCount(c.rows)} rows, <strong data-testid="near-redundant">{formatCount(c.redundant)}</strong> redundant
                  {c.largest.length ? ` (largest ${c.largest.join(', ')})` : ''}.
                </>
              ) : (
                `No two rows are ${near.threshold} or more similar.`
              )
            ) : (
              'Counting…'
            )}
          </p>
          {c && c.groups > 0 && c.threshold === near.threshold && (
            <button type="button" onClick={() => onShow(near.column as string, near.threshold)} data-testid="near-show">
              Show them, grouped
            </button>
          )}
          {!running && s?.stale && (
            <button type="button" className="link-button" onClick={near.start}>
              Find them again at version {dataset.version}
            </button>
          )}
        </>
      )}
    </section>
  );
}

/**
 * Bars of the nearest-neighbour similarities from the lowest one shown to 1, heights on a square-root
 * scale (the few rows near 1 stay visible beside the bulk); bars at or above the threshold in the
 * accent colour. Clicking a bar sets the threshold to its left edge.
 */
function NearHistogram({ histogram: h, threshold, onPick }: { histogram: NearestHistogram; threshold: number; onPick(t: number): void }) {
  const lowest = h.counts.findIndex((x) => x > 0);
  if (lowest < 0) return <div className="stats-empty">No row has a neighbour this similar.</div>;
  // From a round edge (0.05) below the lowest bar, so the chart starts where the rows do.
  const edge = Math.floor((h.from + lowest * h.width) / 0.05 + 1e-9) * 0.05;
  const first = Math.max(0, Math.round((edge - h.from) / h.width));
  const counts = h.counts.slice(first);
  const lo = h.from + first * h.width;
  const bins = counts.length;
  const bw = W / bins;
  const max = Math.sqrt(Math.max(1, ...counts));
  const x = (t: number) => ((t - lo) / (1 - lo)) * W;
  const above = counts.reduce((sum, n, i) => (lo + i * h.width >= threshold - 1e-9 ? sum + n : sum), 0);
  return (
    <div className="stats-hist">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        height={H}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Nearest-neighbour similarity of every row, ${lo.toFixed(2)} to 1: ${formatCount(above)} rows at or above the threshold ${threshold}`}
        className="pickable"
        data-testid="near-hist"
        onClick={(e) => {
          const b = e.currentTarget.getBoundingClientRect();
          const i = Math.max(0, Math.min(bins - 1, Math.floor(((e.clientX - b.left) / b.width) * bins)));
          onPick(Math.round((lo + i * h.width) * 1000) / 1000);
        }}
      >
        {counts.map((n, i) => {
          const hh = n ? Math.max(1, (Math.sqrt(n) / max) * (H - 4)) : 0;
          const on = lo + i * h.width >= threshold - 1e-9;
          return (
            <rect key={i} x={i * bw} y={H - hh} width={Math.max(0.5, bw - 0.3)} height={hh} className={on ? 'bar view' : 'bar all'}>
              <title>{`${(lo + i * h.width).toFixed(3)}–${(lo + (i + 1) * h.width).toFixed(3)}: ${formatCount(n)} rows`}</title>
            </rect>
          );
        })}
        <line x1={x(threshold)} x2={x(threshold)} y1={0} y2={H} className="near-line" />
      </svg>
      <div className="stats-axis">
        <span>{lo.toFixed(2)}</span>
        <span>{h.below ? `${formatCount(h.below)} rows below ${h.from}` : ''}</span>
        <span>1</span>
      </div>
    </div>
  );
}
