// The embedding map: every row of the dataset as a point (WebGL2, one draw call for a million),
// coloured by cluster or by any column, with the clusters' names where they fit. Drag to pan, scroll
// to zoom (zoomed in, points become thumbnails); Shift+drag draws a lasso, and the rows inside it
// become a view of the grid (exactly those whose map_x, map_y lie inside, computed in main). The
// current view shows on the map: a filter greys out what it leaves out, a search or similar view
// lights up its rows. Hover shows a row's thumbnail and caption; a click opens its details.
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, imageUrl } from '../api/client';
import { formatCount, formatDuration } from '../format';
import { JobLine } from './JobLine';
import { PointGrid, PointRenderer, type View } from '../map/point-renderer';
import { base64Bytes } from '../map/base64';
import type { MapState } from '../hooks/useMap';
import type { DatasetInfo, MapColours, RowSummary, ViewInfo } from '../../../shared/types';
import { ErrorText } from './ErrorText';

/** Twelve distinguishable colours for categories (Tableau's 10, then two more). */
const CATEGORICAL = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#86bcb6', '#d4a6c8'];
/** Twelve steps from dark blue to yellow (viridis) for number ranges. */
const SEQUENTIAL = ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#dfe318', '#fde725'];
const THUMBS = 60;

interface Props {
  dataset: DatasetInfo;
  map: MapState;
  /** The grid's current view (its rows light up, or a filter greys out the others). */
  view: ViewInfo | null;
  /** Row ids of the rows selected in the grid (they light up). */
  selected: string[];
  /** The rows inside a region drawn on the map (in the map's coordinates). */
  onRegion(polygon: Array<[number, number]>): void;
  /** Open a cluster's rows as a view. */
  onCluster(cluster: number): void;
  onOpen(row: RowSummary): void;
}

const colourable = (d: DatasetInfo) => d.columns.filter((c) => !c.unreadable && ['string', 'bool', 'int', 'float'].includes(c.kind) && !['map_x', 'map_y', 'map_cluster'].includes(c.name) && c.name !== d.keyColumn);

export function MapPane({ dataset, map, view, selected, onRegion, onCluster, onOpen }: Props) {
  const s = map.status;
  const running = !!map.job.id && !map.job.finished;
  const [column, setColumn] = useState(dataset.vectorColumns[0] ?? '');
  const [colourBy, setColourBy] = useState('map_cluster');
  const [colours, setColours] = useState<MapColours | null>(null);
  const [showClusters, setShowClusters] = useState(false);
  const info = map.points?.info ?? s?.map ?? null;

  // Colours by a column, read in the points' order (the clusters need no request).
  useEffect(() => {
    if (colourBy === 'map_cluster' || !map.points) return setColours(null);
    let live = true;
    void api.mapColours({ id: dataset.id, column: colourBy }).then((r) => live && (r.ok ? setColours(r.value) : setColours(null)));
    return () => {
      live = false;
    };
  }, [colourBy, map.points, dataset.id]);

  if (!dataset.vectorColumns.length) return <div className="map-pane map-empty">This dataset has no vector column to make a map of.</div>;
  const canWrite = !dataset.readOnly && !!dataset.keyColumn;
  return (
    <div className="map-pane" data-testid="map-pane">
      <div className="map-bar">
        {info ? (
          <span data-testid="map-meta">
            {formatCount(info.rows)} rows of {info.column},{' '}
            {info.method === 'umap' ? `UMAP (fitted on ${formatCount(info.sample ?? 0)} rows)` : `PCA (${Math.round((info.explained[0] + info.explained[1]) * 100)}% of the variance)`}, {info.clusters} clusters
            {map.points?.info.tookMs ? `, made in ${formatDuration(map.points.info.tookMs / 1000)}` : ''}
            {(s?.missing ?? 0) > 0 ? ` from the rows of version ${info.madeAtVersion}` : ''}. Shift+drag draws a region, Alt+drag a box.
          </span>
        ) : (
          <span>No map yet. </span>
        )}
        {!info && dataset.vectorColumns.length > 1 && (
          <select aria-label="Vector column" value={column} onChange={(e) => setColumn(e.target.value)}>
            {dataset.vectorColumns.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        )}
        {!running && !info && (
          <button type="button" onClick={() => map.start(column, 'make')} disabled={!canWrite} data-testid="map-make" title={dataset.readOnly ? 'This version is read-only' : !dataset.keyColumn ? 'The map is written by key: this dataset has no key column' : `Lay out ${column} in 2-D (PCA in seconds, then UMAP) and write map_x, map_y and map_cluster`}>
            Make the map of {column}
          </button>
        )}
        {!running && info?.method === 'pca' && (
          <button type="button" onClick={() => map.start(info.column, 'make')} disabled={!canWrite} data-testid="map-umap">
            {s?.resumable ? `Go on with the UMAP layout (from epoch ${s.resumable.epoch})` : 'Make the UMAP layout'}
          </button>
        )}
        {!running && info && (s?.missing ?? 0) > 0 && (
          <button type="button" className="link-button" onClick={() => map.start(info.column, 'extend')} disabled={!canWrite} data-testid="map-extend" title="Rows added since the map was made, placed among the rows most like them; the others do not move">
            Place the {formatCount(s?.missing ?? 0)} rows not on it
          </button>
        )}
        {running && (
          <JobLine job={map.job} onStop={map.stop} name="map" stopTitle="Stop; the PCA map and the UMAP fit so far are kept" />
        )}
        {map.error && (
          <div role="alert" className="stats-error" data-testid="map-error">
            <ErrorText text={map.error} />
          </div>
        )}
        {map.points && (
          <>
            <label className="map-colour">
              Colour by{' '}
              <select value={colourBy} onChange={(e) => setColourBy(e.target.value)} data-testid="map-colour">
                <option value="map_cluster">cluster</option>
                {colourable(dataset).map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="link-button" aria-expanded={showClusters} onClick={() => setShowClusters((v) => !v)} data-testid="map-clusters-button">
              Clusters
            </button>
          </>
        )}
      </div>
      {map.loading && !map.points && <div className="map-empty">Reading the map…</div>}
      <div className="map-body">
        {map.points && <Scatter dataset={dataset} points={map.points} view={view} selected={selected} colours={colours} onRegion={onRegion} onOpen={onOpen} />}
        {map.points && (showClusters || colours) && (
          <aside className="map-side" aria-label={colours ? `Colours by ${colours.column}` : 'Clusters'}>
            {colours ? (
              <ul className="map-legend" data-testid="map-legend">
                {colours.legend.map((l, i) => (
                  <li key={i}>
                    <span className="swatch" style={{ background: (colours.kind === 'range' ? SEQUENTIAL : CATEGORICAL)[i % 12] }} /> {l.label} <span className="muted">{formatCount(l.count)}</span>
                  </li>
                ))}
                {colours.nulls > 0 && (
                  <li>
                    <span className="swatch" style={{ background: '#737880' }} /> null <span className="muted">{formatCount(colours.nulls)}</span>
                  </li>
                )}
              </ul>
            ) : null}
            {showClusters && <ClusterList points={map.points} onCluster={onCluster} />}
          </aside>
        )}
      </div>
    </div>
  );
}

function ClusterList({ points, onCluster }: { points: NonNullable<MapState['points']>; onCluster(c: number): void }) {
  const sizes = new Array<number>(points.info.clusters).fill(0);
  for (const c of points.cluster) if (c < sizes.length) sizes[c] = (sizes[c] as number) + 1;
  const order = sizes.map((n, c) => ({ n, c })).sort((a, b) => b.n - a.n);
  return (
    <ul className="map-clusters" data-testid="map-clusters">
      {order.map(({ n, c }) => (
        <li key={c}>
          <button type="button" className="link-button" onClick={() => onCluster(c)} title="Open this cluster's rows in the grid" data-testid="map-cluster">
            <span className="swatch" style={{ background: CATEGORICAL[c % 12] }} /> {points.info.names[c]?.join(' · ') || `cluster ${c}`}
          </button>{' '}
          <span className="muted">{formatCount(n)}</span>
        </li>
      ))}
    </ul>
  );
}

const MIN_ZOOM = 0.5;
const MAX_ZOOM = 400;


interface ScatterProps {
  dataset: DatasetInfo;
  points: NonNullable<MapState['points']>;
  view: ViewInfo | null;
  selected: string[];
  colours: MapColours | null;
  onRegion: Props['onRegion'];
  onOpen: Props['onOpen'];
}

function Scatter({ dataset, points, view, selected, colours, onRegion, onOpen }: ScatterProps) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const overlay = useRef<HTMLCanvasElement | null>(null);
  const labels = useRef<HTMLDivElement | null>(null);
  const [hover, setHover] = useState<{ index: number; caption: string | null; x: number; y: number } | null>(null);
  const [thumbs, setThumbs] = useState<Array<{ index: number; x: number; y: number }>>([]);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  const handlers = useRef({ onRegion, onOpen });
  handlers.current = { onRegion, onOpen };
  const live = useRef<{ renderer: PointRenderer; redraw(): void } | null>(null);

  useEffect(() => {
    const el = canvas.current;
    const over = overlay.current;
    const names = labels.current;
    if (!el || !over || !names) return;
    const { x, y, cluster, rowIds, count, info } = points;
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
      renderer = new PointRenderer(el, CATEGORICAL);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return;
    }
    renderer.setPoints(xy, cluster);
    const grid = new PointGrid(xy);
    const view: View = { zoom: 1, cx: 0, cy: 0 };
    const size = () => {
      const r = el.getBoundingClientRect();
      return { w: Math.max(1, r.width), h: Math.max(1, r.height) };
    };
    // The clusters' names at their centres, largest first, each where it does not cover another.
    const sizes = new Array<number>(info.clusters).fill(0);
    for (const c of cluster) if (c < sizes.length) sizes[c] = (sizes[c] as number) + 1;
    const byCount = sizes.map((n, c) => ({ n, c })).sort((a, b) => b.n - a.n);
    const nameEls = byCount.map(({ c }) => {
      const d = document.createElement('div');
      d.className = 'map-name';
      d.textContent = info.names[c]?.join(' · ') ?? '';
      d.dataset.cluster = String(c);
      names.appendChild(d);
      return { c, el: d };
    });
    const placeNames = () => {
      const { w, h } = size();
      const taken: Array<[number, number, number, number]> = [];
      for (const { c, el: d } of nameEls) {
        const centre = info.centres?.[c];
        if (!centre || !d.textContent) {
          d.style.display = 'none';
          continue;
        }
        const [sx, sy] = renderer.toScreen(view, (centre[0] - cx) / half, (centre[1] - cy) / half, w, h);
        const bw = d.textContent.length * 6.5 + 8;
        const box: [number, number, number, number] = [sx - bw / 2, sy - 9, sx + bw / 2, sy + 9];
        const fits = sx > 0 && sx < w && sy > 0 && sy < h && !taken.some((t) => box[0] < t[2] && box[2] > t[0] && box[1] < t[3] && box[3] > t[1]);
        d.style.display = fits ? '' : 'none';
        if (fits) {
          taken.push(box);
          d.style.transform = `translate(${Math.round(sx - bw / 2)}px, ${Math.round(sy - 9)}px)`;
        }
      }
    };
    // Zoomed in far enough that few points are on screen, they are drawn as thumbnails.
    const placeThumbs = () => {
      if (!dataset.imageColumn) return;
      const { w, h } = size();
      const [ax, ay] = renderer.toWorld(view, 0, h, w, h);
      const [bx, by] = renderer.toWorld(view, w, 0, w, h);
      const inside = view.zoom >= 4 ? grid.inside(ax, ay, bx, by, THUMBS) : null;
      setThumbs(inside ? inside.map((i) => { const [sx, sy] = renderer.toScreen(view, xy[2 * i] as number, xy[2 * i + 1] as number, w, h); return { index: i, x: sx, y: sy }; }) : []);
    };
    let frame = 0;
    let rest = 0;
    let moving = false;
    /** moving: a pan or zoom is under way (an even sample is drawn; the whole map once it rests). */
    const redraw = (move = false) => {
      if (move) {
        moving = true;
        clearTimeout(rest);
        rest = window.setTimeout(() => {
          moving = false;
          redraw();
        }, 150);
      }
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        renderer.draw(view, moving);
        placeNames();
        if (!moving) placeThumbs();
        // For tests and the benchmark: the points are on screen.
        el.dataset.drawn = String(count);
      });
    };
    live.current = { renderer, redraw };
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
    let drag: { kind: 'pan' | 'lasso' | 'box'; start: [number, number]; last: [number, number]; path: Array<[number, number]>; moved: boolean } | null = null;
    const drawLasso = () => {
      const g = over.getContext('2d');
      if (!g) return;
      const dpr = window.devicePixelRatio || 1;
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.clearRect(0, 0, over.width, over.height);
      if (!drag || drag.kind === 'pan' || drag.path.length < 2) return;
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
      const { w, h } = size();
      const [sx, sy] = renderer.toScreen(view, xy[2 * index] as number, xy[2 * index + 1] as number, w, h);
      const ticket = ++asked;
      setHover((old) => (old?.index === index ? old : { index, caption: null, x: sx, y: sy }));
      if (!dataset.captionColumn) return;
      void api.getRow({ id: dataset.id, rowId: String(rowIds[index]) }).then((res) => {
        if (ticket !== asked || !res.ok) return;
        const c = res.value.values[dataset.captionColumn as string];
        setHover((old) => (old && old.index === index ? { ...old, caption: c === null || c === undefined ? null : String(c) } : old));
      });
    };
    const down = (e: PointerEvent) => {
      if (e.button !== 0) return;
      el.setPointerCapture(e.pointerId);
      el.focus();
      const p = local(e);
      drag = { kind: e.shiftKey ? 'lasso' : e.altKey ? 'box' : 'pan', start: p, last: p, path: [p], moved: false };
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
        redraw(true);
      } else if (drag.kind === 'box') {
        const [sx, sy] = drag.start;
        drag.path = [drag.start, [p[0], sy], p, [sx, p[1]]];
        drawLasso();
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
      if (d.kind !== 'pan' && d.path.length >= 3 && d.moved) {
        // At most 256 vertices: a long lasso's every mouse move adds nothing a person can see, and each
        // vertex is tested against every point.
        const every = Math.ceil(d.path.length / 256);
        handlers.current.onRegion(d.path.filter((_, i) => i % every === 0).map((p) => toData(world(p))));
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
      redraw(true);
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
      redraw(true);
    };
    const leave = () => setHover(null);
    el.addEventListener('pointerdown', down);
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
    el.addEventListener('pointerleave', leave);
    el.addEventListener('wheel', wheel, { passive: false });
    el.addEventListener('keydown', key);
    return () => {
      live.current = null;
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
      clearTimeout(rest);
      el.removeEventListener('pointerdown', down);
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      el.removeEventListener('pointerleave', leave);
      el.removeEventListener('wheel', wheel);
      el.removeEventListener('keydown', key);
      names.replaceChildren();
      renderer.dispose();
    };
  }, [points, dataset.id, dataset.captionColumn, dataset.imageColumn]);

  // Colours: the clusters', or a column's (categories, or number ranges on a sequential scale).
  useEffect(() => {
    const l = live.current;
    if (!l) return;
    if (colours) {
      l.renderer.setPalette(colours.kind === 'range' ? SEQUENTIAL : CATEGORICAL);
      l.renderer.setCategories(base64Bytes(colours.codes));
    } else {
      l.renderer.setPalette(CATEGORICAL);
      l.renderer.setCategories(points.cluster);
    }
    l.redraw();
  }, [colours, points]);

  // The grid's view on the map: a filter greys out the rows it leaves out; the rows of a search,
  // similar, duplicates or region view light up.
  const viewId = view?.viewId ?? null;
  const filtering = !view || view.spec.kind === 'browse';
  // The grid's selected rows, as points (a row id to point index map, made once per map).
  const indexOf = useMemo(() => {
    const m = new Map<string, number>();
    points.rowIds.forEach((id, i) => m.set(String(id), i));
    return m;
  }, [points]);
  const selectedKey = selected.join(',');
  const selectedPoints = useMemo(() => selected.map((r) => indexOf.get(r)).filter((i): i is number => i !== undefined), [selectedKey, indexOf]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    const l = live.current;
    if (!l) return;
    let alive = true;
    if (!viewId) {
      const states = new Uint8Array(points.count);
      for (const i of selectedPoints) states[i] = 2;
      l.renderer.setStates(states);
      l.redraw();
      setShown(null);
      return;
    }
    void api.mapMask({ id: dataset.id, viewId }).then((r) => {
      if (!alive || !r.ok || !live.current) return;
      const mask = base64Bytes(r.value.mask);
      const states = new Uint8Array(mask.length);
      for (let i = 0; i < mask.length; i++) states[i] = filtering ? (mask[i] ? 0 : 1) : mask[i] ? 2 : 0;
      for (const i of selectedPoints) states[i] = 2;
      live.current.renderer.setStates(states);
      live.current.redraw();
      setShown(filtering ? `${formatCount(r.value.inView)} of ${formatCount(r.value.count)} points match the filter; the others are grey.` : `The view's ${formatCount(r.value.inView)} rows are lit.`);
    });
    return () => {
      alive = false;
    };
  }, [viewId, filtering, points, dataset.id, selectedKey]); // eslint-disable-line react-hooks/exhaustive-deps

  if (error) return <div className="map-empty" role="alert">{error}</div>;
  return (
    <div className="map-canvas">
      <canvas ref={canvas} tabIndex={0} data-testid="map-canvas" aria-label={`Map of ${formatCount(points.count)} rows; drag to pan, scroll or +/− to zoom, arrows to move, 0 to reset, Shift+drag to draw a region, Alt+drag a box`} />
      <canvas ref={overlay} className="map-overlay" aria-hidden="true" />
      <div ref={labels} className="map-names" data-testid="map-names" />
      {thumbs.map((t) => (
        <img key={t.index} className="map-thumb" src={imageUrl(dataset, String(points.rowIds[t.index]))} alt="" style={{ transform: `translate(${Math.round(t.x - 24)}px, ${Math.round(t.y - 24)}px)` }} data-testid="map-thumb" />
      ))}
      {shown && (
        <div className="map-shown" data-testid="map-shown">
          {shown}
        </div>
      )}
      {hover && (
        <div className="map-hover" style={{ left: hover.x + 12, top: hover.y + 12 }} data-testid="map-hover">
          {dataset.imageColumn && <img src={imageUrl(dataset, String(points.rowIds[hover.index]))} alt="" />}
          <div>{hover.caption ?? `row ${String(points.rowIds[hover.index])}`}</div>
        </div>
      )}
    </div>
  );
}
