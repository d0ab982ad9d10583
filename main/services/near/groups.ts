// Groups of near duplicates: the connected components of the graph whose edges join each row to its
// neighbours at or above the threshold (so A~B and B~C put A, B and C together, as clip-retrieval's
// and SemDeDup's deduplication do). Union-find with path halving: a million rows in tens of ms.
import { K, type NeighbourLists } from './neighbours';

/** Groups of 2 or more rows (positions ascending), largest first, then by their first row. `keep`: only these rows count. */
export function nearGroups(lists: NeighbourLists, threshold: number, keep?: Uint8Array): number[][] {
  const n = lists.rows;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const root = (x: number) => {
    while (parent[x] !== x) {
      const p = parent[parent[x] as number] as number;
      parent[x] = p;
      x = p;
    }
    return x;
  };
  const { idx, sim } = lists;
  let joined = false;
  for (let i = 0; i < n; i++) {
    if (keep && !keep[i]) continue;
    for (let t = i * K; t < i * K + K; t++) {
      if ((sim[t] as number) < threshold) break; // most similar first
      const j = idx[t] as number;
      if (j < 0 || (keep && !keep[j])) continue;
      const a = root(i);
      const b = root(j);
      if (a !== b) {
        parent[a < b ? b : a] = a < b ? a : b;
        joined = true;
      }
    }
  }
  if (!joined) return [];
  const size = new Int32Array(n);
  for (let i = 0; i < n; i++) if (!keep || keep[i]) size[root(i)] = (size[root(i)] as number) + 1;
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (keep && !keep[i]) continue;
    const r = root(i);
    if ((size[r] as number) < 2) continue;
    let g = byRoot.get(r);
    if (!g) byRoot.set(r, (g = []));
    g.push(i);
  }
  return [...byRoot.values()].sort((a, b) => b.length - a.length || (a[0] as number) - (b[0] as number));
}

/** What the threshold gives, without listing the groups' rows. */
export function groupSummary(groups: number[][]): { groups: number; rows: number; redundant: number; largest: number[] } {
  const rows = groups.reduce((s, g) => s + g.length, 0);
  return { groups: groups.length, rows, redundant: rows - groups.length, largest: groups.slice(0, 3).map((g) => g.length) };
}

/** Each row's nearest neighbour's similarity in bins of 0.005 from `from` to 1 (a row whose nearest is below `from` counts in `below`). */
export function nearestHistogram(lists: NeighbourLists, from = 0.5): { from: number; width: number; counts: number[]; below: number; none: number } {
  const width = 0.005;
  const bins = Math.round((1 - from) / width);
  const counts = new Array<number>(bins).fill(0);
  let below = 0;
  let none = 0;
  for (let i = 0; i < lists.rows; i++) {
    const s = lists.nearest(i);
    if (s <= -2) none++;
    else if (s < from) below++;
    else {
      const b = Math.min(bins - 1, Math.floor((s - from) / width + 1e-9));
      counts[b] = (counts[b] as number) + 1;
    }
  }
  return { from, width, counts, below, none };
}
