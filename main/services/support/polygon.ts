// Which points lie inside a polygon (a lasso or a box drawn on the map), by the even-odd rule: a
// point is inside when a ray from it crosses the polygon's edges an odd number of times. Edges are
// half-open in y, so a point on a shared vertex is counted once.

/** 1 for each point (xs[i], ys[i]) inside the polygon, else 0; NaN coordinates are outside. */
export function insidePolygon(xs: ArrayLike<number>, ys: ArrayLike<number>, polygon: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const n = xs.length;
  const out = new Uint8Array(n);
  const m = polygon.length;
  if (m < 3) return out;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [x, y] of polygon) {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const px = Float64Array.from(polygon, (p) => p[0]);
  const py = Float64Array.from(polygon, (p) => p[1]);
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (!(x >= minX && x <= maxX && y >= minY && y <= maxY)) continue; // also NaN
    let inside = false;
    for (let a = 0, b = m - 1; a < m; b = a++) {
      const ya = py[a] as number;
      const yb = py[b] as number;
      if (ya > y !== yb > y) {
        const xa = px[a] as number;
        const cross = xa + ((y - ya) * ((px[b] as number) - xa)) / (yb - ya);
        if (x < cross) inside = !inside;
      }
    }
    if (inside) out[i] = 1;
  }
  return out;
}
