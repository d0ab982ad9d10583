// One histogram of the statistics panel: the whole dataset's bars in grey, the current view's in
// the accent colour on the same scale. Click a bar or drag across bars to filter to that range; from
// the keyboard, ←/→ move the cursor, Shift extends it, Enter filters.
import { useState } from 'react';
import { formatCount } from '../format';
import type { StatsFacet } from '../../../shared/types';

const W = 260;
const H = 56;

export function formatEdge(x: number, integer: boolean | undefined, dates?: boolean): string {
  if (dates) return Number.isFinite(x) ? new Date(x).toISOString().slice(0, x % 86_400_000 ? 16 : 10).replace('T', ' ') : String(x);
  if (integer) return formatCount(x);
  const a = Math.abs(x);
  // Large numbers (keys, byte sizes) in full with separators: 1.00e+8 says too little of a key.
  if (a >= 1e6 && a < 1e15) return x.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return a !== 0 && (a < 1e-3 || a >= 1e15) ? x.toExponential(2) : String(+x.toPrecision(4));
}

interface Props {
  facet: StatsFacet;
  /** The view's counts per bin, when the view is not the whole table. */
  view: number[] | null;
  onPick: ((from: number, to: number) => void) | null;
}

export function StatsHistogram({ facet, view, onPick }: Props) {
  const counts = facet.counts;
  const edges = facet.edges ?? [];
  const bins = counts.length;
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const [cursor, setCursor] = useState<{ from: number; to: number } | null>(null);
  if (!bins) return <div className="stats-empty">No values.</div>;
  const max = Math.max(1, ...counts);
  const bw = W / bins;
  const binAt = (e: React.PointerEvent<SVGSVGElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return Math.max(0, Math.min(bins - 1, Math.floor(((e.clientX - r.left) / r.width) * bins)));
  };
  const shown = drag ?? cursor;
  const lo = shown ? Math.min(shown.from, shown.to) : -1;
  const hi = shown ? Math.max(shown.from, shown.to) : -1;
  const rangeText = (a: number, b: number) => `${formatEdge(edges[a] as number, facet.integer, facet.dates)} – ${formatEdge(facet.integer && b < bins - 1 ? (edges[b + 1] as number) - 1 : (edges[b + 1] as number), facet.integer, facet.dates)}`;
  const sum = (xs: number[], a: number, b: number) => xs.slice(a, b + 1).reduce((s, x) => s + x, 0);
  const label = shown ? `${rangeText(lo, hi)}: ${formatCount(sum(counts, lo, hi))} rows${view ? `, ${formatCount(sum(view, lo, hi))} in the view` : ''}` : null;
  const onKey = (e: React.KeyboardEvent) => {
    if (!onPick) return;
    const c = cursor ?? { from: 0, to: 0 };
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const step = e.key === 'ArrowRight' ? 1 : -1;
      const to = Math.max(0, Math.min(bins - 1, (cursor ? c.to : -step < 0 ? -1 : bins) + step));
      setCursor(e.shiftKey && cursor ? { from: c.from, to } : { from: to, to });
    } else if (e.key === 'Enter' && cursor) {
      e.preventDefault();
      onPick(cursor.from, cursor.to);
    } else if (e.key === 'Escape') setCursor(null);
  };
  return (
    <div className="stats-hist">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        height={H}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${facet.column} ${facet.label}: ${bins} bins from ${formatEdge(edges[0] as number, facet.integer, facet.dates)} to ${formatEdge(edges[bins] as number, facet.integer, facet.dates)}${onPick ? '; ←/→ choose, Shift extends, Enter filters' : ''}`}
        tabIndex={onPick ? 0 : -1}
        onKeyDown={onKey}
        onBlur={() => setCursor(null)}
        className={onPick ? 'pickable' : undefined}
        data-testid={`stats-hist-${facet.id}`}
        onPointerDown={(e) => {
          if (!onPick || e.button !== 0) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          const b = binAt(e);
          setDrag({ from: b, to: b });
        }}
        onPointerMove={(e) => {
          if (drag) setDrag({ from: drag.from, to: binAt(e) });
          else if (onPick) setCursor({ from: binAt(e), to: binAt(e) });
        }}
        onPointerLeave={() => !drag && setCursor(null)}
        onPointerUp={() => {
          if (!drag || !onPick) return;
          onPick(drag.from, drag.to);
          setDrag(null);
        }}
      >
        {counts.map((c, i) => {
          const h = c ? Math.max(1, (c / max) * (H - 2)) : 0;
          const v = view?.[i] ?? 0;
          const vh = v ? Math.max(1, (v / max) * (H - 2)) : 0;
          const inRange = i >= lo && i <= hi;
          return (
            <g key={i} data-bin={i}>
              <rect x={i * bw + 0.5} y={H - h} width={Math.max(0.5, bw - 1)} height={h} className={inRange ? 'bar all picked' : 'bar all'} />
              {view && <rect x={i * bw + 0.5} y={H - vh} width={Math.max(0.5, bw - 1)} height={vh} className="bar view" />}
            </g>
          );
        })}
      </svg>
      <div className="stats-axis">
        <span>{formatEdge(edges[0] as number, facet.integer, facet.dates)}</span>
        <span className="stats-hover" aria-live="polite">
          {label}
        </span>
        <span>{formatEdge(edges[bins] as number, facet.integer, facet.dates)}</span>
      </div>
    </div>
  );
}
