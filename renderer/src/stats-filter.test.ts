// What the statistics panel's clicks do to a view's filter: exact ranges (a bar's rows, no more),
// a new pick on a chart replacing the last, Ctrl-clicks collecting values, SQL for measures.
import { describe, expect, it } from 'vitest';
import { applyPick, below, safeValue } from './stats-filter';
import type { StatsFacet, ViewSpec } from '../../shared/types';

const hist = (over: Partial<StatsFacet>): StatsFacet => ({ id: 'x:values', column: 'x', label: 'values', type: 'histogram', rows: 10, nulls: 0, counts: [1, 2, 3], edges: [0, 0.1, 0.2, 0.3], filter: { by: 'column' }, ...over });
const values: StatsFacet = { id: 'NSFW:values', column: 'NSFW', label: 'every value', type: 'values', rows: 10, nulls: 0, values: ['UNLIKELY', 'UNSURE', 'NSFW'], counts: [7, 2, 1], distinct: 3, filter: { by: 'column' } };

describe('a pick on the statistics panel', () => {
  it('filters a float bar to [its lower edge, the double below its upper edge], the last bar closed', () => {
    const mid = applyPick(null, { kind: 'range', facet: hist({}), from: 1, to: 1 });
    expect(mid?.filter?.conditions).toEqual([{ column: 'x', op: 'between', min: 0.1, max: below(0.2) }]);
    expect(below(0.2)).toBeLessThan(0.2);
    expect(below(0.2)).toBeGreaterThan(0.19999999999999);
    const last = applyPick(null, { kind: 'range', facet: hist({}), from: 2, to: 1 });
    expect(last?.filter?.conditions).toEqual([{ column: 'x', op: 'between', min: 0.1, max: 0.3 }]);
  });

  it('filters whole-number bars [a, b) as a to b - 1', () => {
    const f = hist({ integer: true, edges: [0, 5, 10, 15] });
    expect(applyPick(null, { kind: 'range', facet: f, from: 0, to: 1 })?.filter?.conditions).toEqual([{ column: 'x', op: 'between', min: 0, max: 9 }]);
  });

  it('replaces the last range on the same column, keeps other conditions and the view kind', () => {
    const spec: ViewSpec = { kind: 'similar', rowId: '4', column: 'img_emb', k: 50, metric: 'l2', nprobes: 40, refineFactor: 5, filter: { conditions: [{ column: 'x', op: 'between', min: 0, max: 0.05 }, { column: 'y', op: 'eq', value: 'a' }] } };
    const next = applyPick(spec, { kind: 'range', facet: hist({}), from: 0, to: 0 });
    expect(next?.kind).toBe('similar');
    expect(next?.filter?.conditions).toEqual([{ column: 'y', op: 'eq', value: 'a' }, { column: 'x', op: 'between', min: 0, max: below(0.1) }]);
  });

  it('writes SQL for a measured chart, replacing its own earlier clause and keeping the rest', () => {
    const len = hist({ id: 'caption:length', column: 'caption', integer: true, edges: [0, 10, 20], filter: { by: 'sql', expression: 'char_length(`caption`)' } });
    const a = applyPick({ kind: 'browse', filter: { conditions: [], sql: 'width > 2 * height' } }, { kind: 'range', facet: len, from: 0, to: 0 });
    expect(a?.filter?.sql).toBe('width > 2 * height AND (char_length(`caption`) >= 0 AND char_length(`caption`) < 10)');
    const b = applyPick(a, { kind: 'range', facet: len, from: 1, to: 1 });
    expect(b?.filter?.sql).toBe('width > 2 * height AND (char_length(`caption`) >= 10 AND char_length(`caption`) <= 20)');
  });

  it('filters to a value; Ctrl adds values into one "in", and takes a picked one out again', () => {
    const one = applyPick(null, { kind: 'value', facet: values, value: 'UNSURE', add: false });
    expect(one?.filter?.conditions).toEqual([{ column: 'NSFW', op: 'eq', value: 'UNSURE' }]);
    const two = applyPick(one, { kind: 'value', facet: values, value: 'NSFW', add: true });
    expect(two?.filter?.conditions).toEqual([{ column: 'NSFW', op: 'in', values: ['UNSURE', 'NSFW'] }]);
    const back = applyPick(two, { kind: 'value', facet: values, value: 'UNSURE', add: true });
    expect(back?.filter?.conditions).toEqual([{ column: 'NSFW', op: 'eq', value: 'NSFW' }]);
    // A plain click replaces.
    expect(applyPick(two, { kind: 'value', facet: values, value: 'UNLIKELY', add: false })?.filter?.conditions).toEqual([{ column: 'NSFW', op: 'eq', value: 'UNLIKELY' }]);
  });

  it('toggles "safe only", and leaves the plain table when nothing is left', () => {
    const condition = { column: 'NSFW', op: 'eq' as const, value: 'UNLIKELY' };
    const on = applyPick(null, { kind: 'toggle', condition, on: true });
    expect(on).toEqual({ kind: 'browse', filter: { conditions: [condition] } });
    expect(applyPick(on, { kind: 'toggle', condition, on: false })).toBeNull();
    expect(safeValue(values)).toBe('UNLIKELY');
    expect(safeValue({ ...values, column: 'LICENSE' })).toBeNull();
    expect(safeValue(hist({ column: 'nsfw', integer: true, min: 0 }))).toBe(0);
  });
});
