// The embedding map: every row of the dataset as a point (WebGL2, one draw call for a million),
// coloured by cluster. Drag to pan, scroll to zoom; Shift+drag draws a lasso, and the rows
// inside it become a view of the grid (exactly those whose map_x, map_y lie inside, computed in main).
// Hover shows a row's thumbnail and caption; a click opens its details.
import { useEffect, useRef, useState } from 'react';
import { PointGrid, PointRenderer, type View } from '../map/point-renderer';
import { api, imageUrl } from '../api/client';
import { formatCount, formatDuration } from '../format';
import { jobPercent } from './JobFooter';
import type { MapState } from '../hooks/useMap';
import type { DatasetInfo, RowSummary } from '../../../shared/types';

/** Twelve distinguishable colours for clusters (Tableau's, then lighter), repeated past twelve. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#86bcb6', '#d4a6c8'];

interface Props {
  dataset: DatasetInfo;
  map: MapState;
  /** The rows inside a region drawn on the map (in the map's coordinates). */
  onRegion(polygon: Array<[number, number]>): void;
  onOpen(row: RowSummary): void;
}

export function MapPane({ dataset, map, onRegion, onOpen }: Props) {
  const s = map.status;
  const running = !!map.job.id && !map.job.finished;
  const [column, setColumn] = useState(dataset.vectorColumns[0] ?? '');
  if (!dataset.vectorColumns.length) return <div className="map-pane map-empty">This dataset has no vector column to make a map of.</div>;
  return (
    <div className="map-pane" data-testid="map-pane">
      <div className="map-bar">
        {s?.map ? (
          <span data-testid="map-meta">
            {formatCount(s.map.rows)} rows of {s.map.column}, PCA ({Math.round((s.map.explained[0] + s.map.explained[1]) * 100)}% of the variance), {s.map.clusters} clusters. Shift+drag to draw a region.
            {s.missing > 0 && (
              <>
                {' '}
                {formatCount(s.missing)} rows are not on it (added since, or without a vector).{' '}
                <button type="button" className="link-button" onClick={() => map.start(s.map!.column, 'extend')} disabled={running || dataset.readOnly} data-testid="map-extend">
                  Place them
                </button>
              </>
            )}
          </span>
        ) : (
          <span>
            No map yet.{' '}
            {dataset.vectorColumns.length > 1 && (
              <select aria-label="Vector column" value={column} onChange={(e) => setColumn(e.target.value)}>
                {dataset.vectorColumns.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            )}{' '}
            <button type="button" onClick={() => map.start(column, 'make')} disabled={running || dataset.readOnly || !dataset.keyColumn} data-testid="map-make" title={dataset.readOnly ? 'This version is read-only' : !dataset.keyColumn ? 'The map is written by key: this dataset has no key column' : `Lay out ${column} in 2-D and write map_x, map_y and map_cluster`}>
              Make the map of {column}
            </button>
          </span>
        )}
        {running && (
          <span role="status" className="stats-job" data-testid="map-job">
            <progress max={100} value={jobPercent(map.job)} />
            <span>{map.job.progress?.message ?? 'Starting…'}</span>
            <button type="button" onClick={map.stop}>
              Stop
            </button>
          </span>
        )}
        {map.error && (
          <span role="alert" className="stats-error" data-testid="map-error">
            {map.error}
          </span>
        )}
        {map.points && <span className="muted">{map.points.info.tookMs ? ` Made in ${formatDuration(map.points.info.tookMs / 1000)}.` : ''}</span>}
      </div>
      {map.loading && <div className="map-empty">Reading the map…</div>}
      {map.points && <Scatter dataset={dataset} points={map.points} onRegion={onRegion} onOpen={onOpen} />}
    </div>
  );
}

const MIN_ZOOM = 0.5;
const MAX_ZOOM = 400;

function Scatter({ dataset, points, onRegion, onOpen }: { dataset: DatasetInfo; points: NonNullable<MapState['points']>; onRegion: Props['onRegion']; onOpen: Props['onOpen'] }) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const overlay = useRef<HTMLCanvasElement | null>(null);
  const [hover, setHover] = useState<{ index: number; caption: string | null; x: number; y: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const handlers = useRef({ onRegion, onOpen });
  handlers.current = { onRegion, onOpen };

  useEffect(() => {
    const el = canvas.current;
    const over = overlay.current;
    if (!el || !over) return;
    const { x, y, cluster, rowIds, count } = points;
    // The map's frame to a world square of [-0.95, 0.95], keeping its aspect.
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let i = 0; i < count; i++) {
      const a = x[i] as number;
      const b = y[i] as number;
      if (a < x0) x0 = a;
      if (a > x1) x1 = a;
      if (b < y0) y0 = b;
      if (b > y1) y1 = b;
    }
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    const half = Math.max(x1 - x0, y1 - y0, 1e-9) / 2 / 0.95;
    const xy = new Float32Array(count * 2);
    for (let i = 0; i < count; i++) ((xy[2 * i] = ((x[i] as number) - cx) / half), (xy[2 * i + 1] = ((y[i] as number) - cy) / half));
    const toData = (w: [number, number]): [number, number] => [w[0] * half + cx, w[1] * half + cy];
    let renderer: PointRenderer;
    try {
      renderer = new PointRenderer(el, PALETTE);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return;
    }
    renderer.setPoints(xy, cluster);
    const grid = new PointGrid(xy);
    const view: View = { zoom: 1, cx: 0, cy: 0 };
    let frame = 0;
    const size = () => {
      const r = el.getBoundingClientRect();
      return { w: Math.max(1, r.width), h: Math.max(1, r.height) };
    };
    const redraw = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        renderer.draw(view);
      });
    };
    const fit = () => {
      const dpr = window.devicePixelRatio || 1;
      const { w, h } = size();
      for (const c of [el, over]) ((c.width = Math.round(w * dpr)), (c.height = Math.round(h * dpr)));
      redraw();
    };
    fit();
    const resize = new ResizeObserver(fit);
    resize.observe(el);

    const local = (e: PointerEvent | WheelEvent): [number, number] => {
      const r = el.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    const world = (p: [number, number]) => {
      const { w, h } = size();
      return renderer.toWorld(view, p[0], p[1], w, h);
    };
    /** n screen pixels in world units at the current zoom. */
    const pixels = (n: number) => Math.abs(world([n, 0])[0] - world([0, 0])[0]);
    let drag: { kind: 'pan' | 'lasso'; start: [number, number]; last: [number, number]; path: Array<[number, number]>; moved: boolean } | null = null;
    const drawLasso = () => {
      const g = over.getContext('2d');
      if (!g) return;
      const dpr = window.devicePixelRatio || 1;
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.clearRect(0, 0, over.width, over.height);
      if (!drag || drag.kind !== 'lasso' || drag.path.length < 2) return;
      g.strokeStyle = '#f0c060';
      g.fillStyle = 'rgba(240, 192, 96, 0.12)';
      g.lineWidth = 1.5;
      g.beginPath();
      drag.path.forEach(([px, py], i) => (i ? g.lineTo(px, py) : g.moveTo(px, py)));
      g.closePath();
      g.fill();
      g.stroke();
    };
    let asked = 0;
    const showHover = (p: [number, number]) => {
      const [wx, wy] = world(p);
      const index = grid.nearest(wx, wy, pixels(8));
      if (index < 0) return setHover(null);
      const { w: cw, h: ch } = size();
      const [sx, sy] = renderer.toScreen(view, xy[2 * index] as number, xy[2 * index + 1] as number, cw, ch);
      const ticket = ++asked;
      setHover((h) => (h?.index === index ? h : { index, caption: null, x: sx, y: sy }));
      if (!dataset.captionColumn) return;
      void api.getRow({ id: dataset.id, rowId: String(rowIds[index]) }).then((res) => {
        if (ticket !== asked || !res.ok) return;
        const c = res.value.values[dataset.captionColumn as string];
        setHover((h) => (h && h.index === index ? { ...h, caption: c === null || c === undefined ? null : String(c) } : h));
      });
    };
    const down = (e: PointerEvent) => {
      if (e.button !== 0) return;
      el.setPointerCapture(e.pointerId);
      const p = local(e);
      drag = { kind: e.shiftKey ? 'lasso' : 'pan', start: p, last: p, path: [p], moved: false };
    };
    const move = (e: PointerEvent) => {
      const p = local(e);
      if (!drag) return showHover(p);
      if (Math.hypot(p[0] - drag.start[0], p[1] - drag.start[1]) > 3) drag.moved = true;
      if (drag.kind === 'pan') {
        const [ax, ay] = world(drag.last);
        const [bx, by] = world(p);
        view.cx -= bx - ax;
        view.cy -= by - ay;
        redraw();
      } else {
        drag.path.push(p);
        drawLasso();
      }
      drag.last = p;
    };
    const up = (e: PointerEvent) => {
      const d = drag;
      drag = null;
      drawLasso();
      if (!d) return;
      if (d.kind === 'lasso' && d.path.length >= 3 && d.moved) {
        handlers.current.onRegion(d.path.map((p) => toData(world(p))));
        return;
      }
      if (!d.moved) {
        // A click on a point opens its row.
        const [wx, wy] = world(local(e));
        const index = grid.nearest(wx, wy, pixels(8));
        if (index >= 0) handlers.current.onOpen({ rowId: String(rowIds[index]), index: -1, values: {} });
      }
    };
    const zoomAt = (p: [number, number], factor: number) => {
      const before = world(p);
      view.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.zoom * factor));
      const after = world(p);
      view.cx += before[0] - after[0];
      view.cy += before[1] - after[1];
      redraw();
    };
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      zoomAt(local(e), Math.exp(-e.deltaY * 0.0015));
    };
    const key = (e: KeyboardEvent) => {
      const { w, h } = size();
      const centre: [number, number] = [w / 2, h / 2];
      const step = 0.15 / view.zoom;
      if (e.key === '+' || e.key === '=') zoomAt(centre, 1.25);
      else if (e.key === '-') zoomAt(centre, 0.8);
      else if (e.key === '0') Object.assign(view, { zoom: 1, cx: 0, cy: 0 });
      else if (e.key === 'ArrowLeft') view.cx -= step;
      else if (e.key === 'ArrowRight') view.cx += step;
      else if (e.key === 'ArrowUp') view.cy += step;
      else if (e.key === 'ArrowDown') view.cy -= step;
      else return;
      e.preventDefault();
      redraw();
    };
    const leave = () => setHover(null);
    el.addEventListener('pointerdown', down);
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
    el.addEventListener('pointerleave', leave);
    el.addEventListener('wheel', wheel, { passive: false });
    el.addEventListener('keydown', key);
    return () => {
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
      el.removeEventListener('pointerdown', down);
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      el.removeEventListener('pointerleave', leave);
      el.removeEventListener('wheel', wheel);
      el.removeEventListener('keydown', key);
      renderer.dispose();
    };
  }, [points, dataset.id, dataset.captionColumn]);

  if (error) return <div className="map-empty" role="alert">{error}</div>;
  return (
    <div className="map-canvas">
      <canvas ref={canvas} tabIndex={0} data-testid="map-canvas" aria-label={`Map of ${formatCount(points.count)} rows; drag to pan, scroll or +/− to zoom, arrows to move, 0 to reset, Shift+drag to draw a region`} />
      <canvas ref={overlay} className="map-overlay" aria-hidden="true" />
      {hover && (
        <div className="map-hover" style={{ left: hover.x + 12, top: hover.y + 12 }} data-testid="map-hover">
          {dataset.imageColumn && <img src={imageUrl(dataset.id, String(points.rowIds[hover.index]))} alt="" />}
          <div>{hover.caption ?? `row ${String(points.rowIds[hover.index])}`}</div>
        </div>
      )}
    </div>
  );
}
