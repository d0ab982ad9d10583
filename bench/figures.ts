// One shape for every benchmark figure. A suite runs R rounds; in each round both sides do the same
// work, alternating which goes first. A figure is the median over rounds of a per-round value, beside
// the raw side's median and the median of the per-round ratios, with the spread (max / min) of each:
//
//   <name>_<unit>, raw_<name>_<unit>, <name>_ratio, <name>_spread, raw_<name>_spread
//
// A figure whose rounds spread more than 2x is listed in `unstable` and marked in the tables.
import { percentile } from './bench-support';

export const UNSTABLE_SPREAD = 2;

export interface Figure {
  name: string;
  unit: string;
  label: string;
  /** One value per round. */
  app: number[];
  raw?: number[];
  /** What the raw side is, for the table ("raw LanceDB", "curl"). */
  rawLabel?: string;
  higherIsBetter?: boolean;
}

export type Info = Record<string, string | number | boolean | null>;

export function median(xs: number[]): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function spread(xs: number[]): number {
  const finite = xs.filter((x) => Number.isFinite(x));
  if (finite.length < 2) return 1;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (lo <= 0) return hi <= 0 ? 1 : Number.POSITIVE_INFINITY;
  return hi / lo;
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);

/** Samples per round for one measured operation, both sides. */
export class Rounds {
  readonly app: number[][];
  readonly raw: number[][];
  constructor(readonly count: number) {
    this.app = Array.from({ length: count }, () => []);
    this.raw = Array.from({ length: count }, () => []);
  }
  addApp(r: number, x: number) {
    (this.app[r] as number[]).push(x);
  }
  addRaw(r: number, x: number) {
    (this.raw[r] as number[]).push(x);
  }
  /** Time one side's call into round r. */
  async timeApp<T>(r: number, f: () => Promise<T>): Promise<T> {
    const t = performance.now();
    const v = await f();
    this.addApp(r, performance.now() - t);
    return v;
  }
  async timeRaw<T>(r: number, f: () => Promise<T>): Promise<T> {
    const t = performance.now();
    const v = await f();
    this.addRaw(r, performance.now() - t);
    return v;
  }
}

export interface ExtraTable {
  title: string;
  header: string[];
  rows: Array<Array<string | number | boolean>>;
  /** Info keys the table shows (left out of the report's context line; still in the JSON). */
  keys: string[];
}

export class Figures {
  readonly figures: Figure[] = [];
  readonly info: Info = {};
  /** Tables of counts that are not app/raw pairs (the hostile suite's attack classes). */
  readonly tables: ExtraTable[] = [];
  constructor(readonly suite: string) {}

  table(t: ExtraTable): this {
    this.tables.push(t);
    return this;
  }

  set(key: string, value: string | number | boolean | null): this {
    this.info[key] = value;
    return this;
  }

  pair(name: string, unit: string, label: string, app: number[], raw: number[], opts: { rawLabel?: string; higherIsBetter?: boolean } = {}): this {
    this.figures.push({ name, unit, label, app, raw, ...opts });
    return this;
  }

  single(name: string, unit: string, label: string, values: number[], opts: { higherIsBetter?: boolean } = {}): this {
    this.figures.push({ name, unit, label, app: values, ...opts });
    return this;
  }

  /** Percentiles of each round's samples, as pairs: `<name>_p50_ms` and so on. */
  latency(name: string, label: string, rounds: Rounds, ps: number[] = [50, 95], rawLabel?: string): this {
    for (const p of ps) {
      const app = rounds.app.map((s) => percentile(s, p));
      const raw = rounds.raw.map((s) => percentile(s, p));
      if (raw.every((x) => Number.isNaN(x))) this.single(`${name}_p${p}`, 'ms', `${label}, p${p}`, app);
      else this.pair(`${name}_p${p}`, 'ms', `${label}, p${p}`, app, raw, rawLabel ? { rawLabel } : {});
    }
    return this;
  }

  unstable(): string[] {
    // A count (frames over 50 ms) is often 0 in one round and 1 in another: not a spread to flag.
    return this.figures.filter((f) => f.unit !== 'count').filter((f) => spread(f.app) > UNSTABLE_SPREAD || (f.raw && spread(f.raw) > UNSTABLE_SPREAD)).map((f) => f.name);
  }

  /** The JSON line: info first, then each figure in the one shape. */
  json(): Record<string, unknown> {
    const out: Record<string, unknown> = { suite: this.suite, ...this.info };
    for (const f of this.figures) {
      out[`${f.name}_${f.unit}`] = round(median(f.app));
      out[`${f.name}_spread`] = round(spread(f.app));
      if (f.raw) {
        out[`raw_${f.name}_${f.unit}`] = round(median(f.raw));
        out[`raw_${f.name}_spread`] = round(spread(f.raw));
        out[`${f.name}_ratio`] = round(median(f.app.map((a, i) => a / (f.raw![i] as number))));
      }
      out[`${f.name}_rounds`] = f.app.length;
    }
    out.unstable = this.unstable();
    return out;
  }

  /** Rows for a console or Markdown table. */
  rows(): Array<{ figure: string; app: string; raw: string; ratio: string; spread: string; stable: string }> {
    const j = this.json();
    const fmt = (x: unknown, unit: string) => (typeof x === 'number' ? `${formatNumber(x)}${UNIT_LABEL[unit] ?? ` ${unit}`}` : '—');
    return this.figures.map((f) => {
      const s = Math.max(spread(f.app), f.raw ? spread(f.raw) : 1);
      return {
        figure: f.label,
        app: fmt(j[`${f.name}_${f.unit}`], f.unit),
        raw: f.raw ? `${fmt(j[`raw_${f.name}_${f.unit}`], f.unit)}${f.rawLabel ? ` (${f.rawLabel})` : ''}` : '—',
        ratio: f.raw ? `${formatNumber(j[`${f.name}_ratio`] as number)}x${f.higherIsBetter ? ' (higher is better)' : ''}` : '—',
        spread: f.raw ? `${formatNumber(spread(f.app))}x / ${formatNumber(spread(f.raw))}x` : `${formatNumber(spread(f.app))}x`,
        stable: s > UNSTABLE_SPREAD && f.unit !== 'count' ? `**unstable** (rounds spread ${formatNumber(s)}x)` : `${f.app.length} round${f.app.length === 1 ? '' : 's'}`,
      };
    });
  }
}

/** How units read in a table (the JSON keys keep the short form). */
const UNIT_LABEL: Record<string, string> = { ms: ' ms', per_s: '/s', MBps: ' MB/s', B: ' B', pct: ' %', share: '', count: '' };

export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
