// The table view's columns: which are shown, in what order, how wide. Kept per dataset (path and
// table) in this window's storage, so a dataset reopens as it was left; columns that appeared since
// are shown at the end, columns that went are forgotten.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ColumnInfo, DatasetInfo } from '../../../shared/types';

export interface TableColumn {
  info: ColumnInfo;
  width: number;
}

interface Saved {
  order: string[];
  hidden: string[];
  widths: Record<string, number>;
}

export const MIN_WIDTH = 48;
const MAX_WIDTH = 1200;

/** A first width from the kind: numbers narrow, text wide. */
export function defaultWidth(c: ColumnInfo): number {
  if (c.kind === 'bool') return 80;
  if (c.kind === 'int' || c.kind === 'float') return 110;
  if (c.kind === 'timestamp') return 190;
  if (c.kind === 'binary') return 96;
  if (c.kind === 'vector') return 130;
  if (c.kind === 'string') return 240;
  return 200;
}

const keyOf = (d: DatasetInfo) => `lx.table.${d.path}#${d.table}`;

function load(d: DatasetInfo): Saved {
  try {
    const v = JSON.parse(localStorage.getItem(keyOf(d)) ?? 'null') as Saved | null;
    if (v && Array.isArray(v.order) && Array.isArray(v.hidden) && v.widths && typeof v.widths === 'object') return v;
  } catch {
    // damaged: start afresh
  }
  return { order: [], hidden: [], widths: {} };
}

export interface TableColumns {
  /** Shown columns, in order. */
  shown: TableColumn[];
  /** Every column with whether it is shown (the Columns menu). */
  all: Array<{ info: ColumnInfo; hidden: boolean }>;
  setWidth(name: string, width: number): void;
  toggle(name: string): void;
  /** Move a shown column by `by` places (keyboard), or before another (drag). */
  move(name: string, by: number): void;
  moveBefore(name: string, target: string): void;
  reset(): void;
}

export function useTableColumns(dataset: DatasetInfo): TableColumns {
  const [saved, setSaved] = useState<Saved>(() => load(dataset));
  useEffect(() => setSaved(load(dataset)), [dataset.path, dataset.table]); // eslint-disable-line react-hooks/exhaustive-deps
  const persist = useCallback(
    (next: Saved) => {
      setSaved(next);
      try {
        localStorage.setItem(keyOf(dataset), JSON.stringify(next));
      } catch {
        // storage full: the layout lasts for this window
      }
    },
    [dataset],
  );

  const ordered = useMemo(() => {
    const byName = new Map(dataset.columns.map((c) => [c.name, c]));
    const known = saved.order.filter((n) => byName.has(n));
    const rest = dataset.columns.map((c) => c.name).filter((n) => !known.includes(n));
    return [...known, ...rest].map((n) => byName.get(n) as ColumnInfo);
  }, [dataset.columns, saved.order]);

  const hidden = useMemo(() => new Set(saved.hidden), [saved.hidden]);
  const shown = useMemo(() => ordered.filter((c) => !hidden.has(c.name)).map((info) => ({ info, width: saved.widths[info.name] ?? defaultWidth(info) })), [ordered, hidden, saved.widths]);
  const names = ordered.map((c) => c.name);

  return {
    shown,
    all: ordered.map((info) => ({ info, hidden: hidden.has(info.name) })),
    setWidth: (name, width) => persist({ ...saved, order: names, widths: { ...saved.widths, [name]: Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width))) } }),
    toggle: (name) => {
      const next = hidden.has(name) ? saved.hidden.filter((n) => n !== name) : [...saved.hidden, name];
      // The last shown column stays: a table of nothing helps nobody.
      if (next.length >= ordered.length) return;
      persist({ ...saved, order: names, hidden: next });
    },
    move: (name, by) => {
      const visible = shown.map((c) => c.info.name);
      const at = visible.indexOf(name);
      const to = Math.min(visible.length - 1, Math.max(0, at + by));
      if (at < 0 || to === at) return;
      const target = visible[to] as string;
      const without = names.filter((n) => n !== name);
      const t = without.indexOf(target);
      without.splice(by > 0 ? t + 1 : t, 0, name);
      persist({ ...saved, order: without });
    },
    moveBefore: (name, target) => {
      if (name === target) return;
      const without = names.filter((n) => n !== name);
      without.splice(without.indexOf(target), 0, name);
      persist({ ...saved, order: without });
    },
    reset: () => persist({ order: [], hidden: [], widths: {} }),
  };
}
