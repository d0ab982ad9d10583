// The statistics side panel: every column over the whole dataset, with the current view's counts
// beside the overall ones. Clicking a bar or a value (or brushing a range) filters the view; the
// NSFW column gets a one-click "safe only".
import { useMemo, useState } from 'react';
import { formatCount, formatDuration } from '../format';
import { JobLine } from './JobLine';
import { StatsHistogram, formatEdge } from './StatsHistogram';
import { StatsValues } from './StatsValues';
import { NearDuplicates } from './NearDuplicates';
import type { Near } from '../hooks/useNear';
import { safeValue, type PanelPick } from '../stats-filter';
import type { Stats } from '../hooks/useStats';
import type { ColumnStats, DatasetInfo, FilterSpec, StatsFacet } from '../../../shared/types';
import { ErrorText } from './ErrorText';

interface Props {
  dataset: DatasetInfo;
  stats: Stats;
  /** The filter of the current view (the toggle shows whether "safe only" is on). */
  filter: FilterSpec | undefined;
  onPick(pick: PanelPick): void;
  /** Open the view of exact duplicates by this column (a checksum, or the image bytes). */
  onDuplicates(column: string): void;
  /** Near duplicates: the job, its histogram and threshold. */
  near: Near;
  /** Open the view of near duplicates by this vector column at this threshold. */
  onNearDuplicates(column: string, threshold: number): void;
  onClose(): void;
}

/** Columns that hold a checksum of the image: equal values are the same picture. */
const CHECKSUM = /^(md5|sha1|sha256|hash|checksum|image_hash)$/i;

function summary(f: StatsFacet): string {
  const parts = [`${formatCount(f.rows - f.nulls)} values`];
  if (f.nulls) parts.push(`${formatCount(f.nulls)} null`);
  if (f.type === 'histogram' && f.min !== null && f.min !== undefined) {
    parts.push(`min ${formatEdge(f.min, f.integer, f.dates)}`, `max ${formatEdge(f.max as number, f.integer, f.dates)}`, `mean ${formatEdge(f.mean as number, false, f.dates)}`, `median ${formatEdge(f.median as number, f.integer && Number.isInteger(f.median), f.dates)}`);
  }
  if (f.type !== 'histogram' && f.distinct !== undefined) parts.push(`${formatCount(f.distinct)} distinct`);
  return parts.join(' · ');
}

function Facet({ facet, stats, onPick }: { facet: StatsFacet; stats: Stats; onPick(p: PanelPick): void }) {
  const inView = stats.view && stats.view.rows !== stats.stats?.rows ? (stats.view.facets[facet.id] ?? null) : null;
  const filterable = facet.filter.by !== 'none';
  return (
    <div className="stats-facet" data-testid={`stats-facet-${facet.id}`}>
      <div className="stats-facet-head">
        <span className="stats-facet-label">{facet.label}</span>
        <span className="stats-summary" title={facet.filter.by === 'none' ? facet.filter.why : undefined}>
          {summary(facet)}
        </span>
      </div>
      {facet.type === 'histogram' ? (
        <StatsHistogram facet={facet} view={inView?.counts ?? null} onPick={filterable ? (from, to) => onPick({ kind: 'range', facet, from, to }) : null} />
      ) : (
        <StatsValues facet={facet} view={inView} onPick={filterable ? (value, add) => onPick({ kind: 'value', facet, value, add }) : null} />
      )}
    </div>
  );
}

export function StatsPanel({ dataset, stats, filter, onPick, onDuplicates, near, onNearDuplicates, onClose }: Props) {
  const [query, setQuery] = useState('');
  const s = stats.stats;
  const columns = useMemo(() => (s?.columns ?? []).filter((c) => !query.trim() || c.column.toLowerCase().includes(query.trim().toLowerCase())), [s, query]);
  const nsfw = s?.columns.find((c) => /^nsfw$/i.test(c.column))?.facets[0];
  const safe = safeValue(nsfw);
  const safeOn = safe !== null && !!filter?.conditions.some((c) => c.column === nsfw?.column && c.op === 'eq' && c.value === safe);
  const running = !!stats.job.id && !stats.job.finished;
  const v = stats.view;
  return (
    <aside className="stats-panel" aria-label="Statistics" data-testid="stats-panel">
      <header className="stats-head">
        <h2>Statistics</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close the statistics" title="Close (the Statistics button opens it again)">
          ×
        </button>
      </header>
      {running && (
        <JobLine job={stats.job} onStop={stats.stop} name="stats" />
      )}
      {stats.error && !running && (
        <div role="alert" className="stats-error" data-testid="stats-error">
          <ErrorText text={stats.error} />{' '}
          <button type="button" className="link-button" onClick={stats.compute}>
            Compute again
          </button>
        </div>
      )}
      {!s && !running && !stats.error && <p className="muted">No statistics yet.</p>}
      {s && (
        <>
          <p className="stats-meta" data-testid="stats-meta">
            {stats.stale ? `Of version ${s.version} (this is version ${dataset.version}; updating). ` : ''}
            {formatCount(s.rows)} rows, every one counted{s.tookMs ? ` in ${formatDuration(s.tookMs / 1000)}` : ''}.
            {v && v.rows !== s.rows ? (
              <span data-testid="stats-view-count">
                {' '}
                The view: <strong>{formatCount(v.rows)}</strong> rows{v.matched < v.rows ? ` (${formatCount(v.rows - v.matched)} not in the statistics)` : ''}.
              </span>
            ) : null}
          </p>
          {safe !== null && nsfw && (
            <label className="stats-safe">
              <input type="checkbox" checked={safeOn} onChange={(e) => onPick({ kind: 'toggle', condition: { column: nsfw.column, op: 'eq', value: safe }, on: e.target.checked })} data-testid="stats-safe" />
              Safe only ({nsfw.column} = {String(safe)})
            </label>
          )}
          <input type="search" className="stats-find" placeholder="Find a column…" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Find a column" />
          <Duplicates stats={s} imageColumn={dataset.imageColumn} onDuplicates={onDuplicates} />
          <NearDuplicates dataset={dataset} near={near} onShow={onNearDuplicates} />
          {s.images && (
            <section className="stats-column" data-testid="stats-images">
              <h3>
                Images <span className="muted">({s.images.column}, {s.images.source === 'columns' ? 'sizes from the width and height columns' : 'sizes read from the image bytes'})</span>
              </h3>
              {s.images.facets.map((f) => (
                <Facet key={`img-${f.id}`} facet={s.images?.source === 'columns' && !f.id.endsWith(':aspect') ? { ...f, label: `${f.column} in pixels` } : f} stats={stats} onPick={onPick} />
              ))}
            </section>
          )}
          {columns.map((c) => (
            <ColumnSection key={c.column} column={c} stats={stats} onPick={onPick} />
          ))}
        </>
      )}
    </aside>
  );
}

function Duplicates({ stats, imageColumn, onDuplicates }: { stats: NonNullable<Stats['stats']>; imageColumn: string | null; onDuplicates(column: string): void }) {
  const sum = stats.columns.find((c) => CHECKSUM.test(c.column) && c.kind === 'string' && c.facets[0]);
  const f = sum?.facets[0];
  if (!f && !imageColumn) return null;
  const values = f ? f.rows - f.nulls : 0;
  const redundant = f ? values - (f.distinct ?? values) : 0;
  return (
    <section className="stats-column" data-testid="stats-duplicates">
      <h3>Exact duplicates</h3>
      {f && sum ? (
        <>
          <p className="stats-meta">
            By <code>{sum.column}</code>: <strong data-testid="stats-redundant">{formatCount(redundant)}</strong> redundant {redundant === 1 ? 'row' : 'rows'} ({formatCount(f.distinct ?? 0)} distinct of {formatCount(values)}).
          </p>
          {redundant > 0 && (
            <button type="button" onClick={() => onDuplicates(sum.column)} data-testid="stats-show-duplicates">
              Show them, grouped
            </button>
          )}
        </>
      ) : (
        <button type="button" onClick={() => onDuplicates(imageColumn as string)} title="Reads the bytes of every image" data-testid="stats-show-duplicates">
          Find them by the image bytes
        </button>
      )}
    </section>
  );
}

function ColumnSection({ column, stats, onPick }: { column: ColumnStats; stats: Stats; onPick(p: PanelPick): void }) {
  return (
    <section className="stats-column" data-testid={`stats-column-${column.column}`}>
      <h3>
        {column.column} <span className="muted">{column.kind}</span>
      </h3>
      {column.why && <p className="muted stats-why">{column.why}</p>}
      {column.facets.map((f) => (
        <Facet key={f.id} facet={f} stats={stats} onPick={onPick} />
      ))}
    </section>
  );
}
