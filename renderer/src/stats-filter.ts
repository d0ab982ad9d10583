// What a click, a brush or a toggle on the statistics panel does to the current view's filter: a
// condition on the column (shown in the filter bar like one typed there), or a SQL clause for what
// is measured from a column (a text's length, an image's aspect). A new pick on the same chart
// replaces the last one, so clicking bar after bar walks through them instead of ANDing them to nothing.
import type { FilterCondition, FilterSpec, StatsFacet, ViewSpec } from '../../shared/types';

export type PanelPick =
  /** Bins from..to (inclusive) of a histogram. */
  | { kind: 'range'; facet: StatsFacet; from: number; to: number }
  /** A value of a values or top chart; add: with the values already picked on it (Ctrl or Shift). */
  | { kind: 'value'; facet: StatsFacet; value: string | number | boolean; add: boolean }
  /** A condition the panel toggles (NSFW's "safe only"): on adds it, off removes it. */
  | { kind: 'toggle'; condition: FilterCondition; on: boolean };

/** The largest double below x: a float bin is [a, b), and "between" includes both ends. */
export function below(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const b = new BigInt64Array(f.buffer);
  b[0] = (b[0] as bigint) + (x > 0 ? -1n : 1n);
  return f[0] as number;
}

const RANGE_OPS = new Set<FilterCondition['op']>(['eq', 'in', 'between', 'gte', 'lte']);

/** Numbers written for SQL: plain decimals (no exponent LanceDB's parser might read otherwise). */
function sqlNumber(x: number): string {
  const s = String(x);
  return /e/i.test(s) ? x.toFixed(20).replace(/0+$/, '').replace(/\.$/, '') : s;
}

function clauseFor(expression: string, lo: number, hi: number, last: boolean): string {
  return `${expression} >= ${sqlNumber(lo)} AND ${expression} ${last ? '<=' : '<'} ${sqlNumber(hi)}`;
}

/** The raw SQL without an earlier clause the panel wrote for the same expression. */
function withoutClause(sql: string | undefined, expression: string): string {
  if (!sql) return '';
  const esc = expression.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const clause = new RegExp(`\\(${esc} >= -?[\\d.]+ AND ${esc} <=? -?[\\d.]+\\)`, 'g');
  return sql
    .replace(clause, '')
    .replace(/^\s*AND\s+|\s+AND\s*$/g, '')
    .replace(/\s+AND\s+AND\s+/g, ' AND ')
    .trim();
}

/** The view after a pick; null is the plain table (a browse view left with no filter and no sort). */
export function applyPick(spec: ViewSpec | null, pick: PanelPick): ViewSpec | null {
  const filter: FilterSpec = { conditions: [...(spec?.filter?.conditions ?? [])], ...(spec?.filter?.sql ? { sql: spec.filter.sql } : {}) };
  if (pick.kind === 'toggle') {
    const same = (c: FilterCondition) => c.column === pick.condition.column && c.op === pick.condition.op && c.value === pick.condition.value;
    filter.conditions = filter.conditions.filter((c) => !same(c));
    if (pick.on) filter.conditions.push(pick.condition);
  } else if (pick.kind === 'value') {
    const column = pick.facet.column;
    const prior = filter.conditions.find((c) => c.column === column && (c.op === 'eq' || c.op === 'in'));
    const picked = new Set<string | number | boolean>(pick.add && prior ? (prior.op === 'in' ? (prior.values ?? []) : prior.value !== undefined ? [prior.value] : []) : []);
    if (pick.add && picked.has(pick.value)) picked.delete(pick.value);
    else picked.add(pick.value);
    filter.conditions = filter.conditions.filter((c) => !(c.column === column && RANGE_OPS.has(c.op)));
    const values = [...picked];
    if (values.length === 1 || typeof values[0] === 'boolean') filter.conditions.push({ column, op: 'eq', value: values[values.length - 1] as string | number | boolean });
    else if (values.length > 1) filter.conditions.push({ column, op: 'in', values: values as Array<string | number> });
  } else {
    const edges = pick.facet.edges ?? [];
    const from = Math.max(0, Math.min(pick.from, pick.to));
    const to = Math.min(edges.length - 2, Math.max(pick.from, pick.to));
    const lo = edges[from] as number;
    const hi = edges[to + 1] as number;
    const last = to === edges.length - 2;
    const f = pick.facet.filter;
    if (f.by === 'column') {
      const column = pick.facet.column;
      filter.conditions = filter.conditions.filter((c) => !(c.column === column && RANGE_OPS.has(c.op)));
      // Whole-number bins are [a, b): up to b - 1; a float bin up to the double below b; the last bin includes its top.
      const max = last ? hi : pick.facet.integer ? hi - 1 : below(hi);
      filter.conditions.push({ column, op: 'between', min: lo, max });
    } else if (f.by === 'sql') {
      const rest = withoutClause(filter.sql, f.expression);
      const clause = `(${clauseFor(f.expression, lo, hi, last)})`;
      filter.sql = rest ? `${rest} AND ${clause}` : clause;
    }
  }
  if (!filter.sql) delete filter.sql;
  const next: FilterSpec | undefined = filter.conditions.length || filter.sql ? filter : undefined;
  if (!spec || (spec.kind === 'browse' && !spec.sort)) return next ? { kind: 'browse', filter: next } : null;
  const { filter: _old, ...rest } = spec;
  return { ...rest, ...(next ? { filter: next } : {}) } as ViewSpec;
}

/** The value "safe only" keeps, when a dataset has LAION's NSFW column (strings, or 0/1 numbers). */
export function safeValue(facet: StatsFacet | undefined): string | number | null {
  if (!facet || !/^nsfw$/i.test(facet.column)) return null;
  if (facet.values?.includes('UNLIKELY')) return 'UNLIKELY';
  if (facet.type === 'histogram' && facet.integer && facet.min === 0) return 0;
  return null;
}
