// Which tiles a label goes to. Like a file manager: a plain click focuses one tile (and that tile is
// what a label goes to); Ctrl/Cmd-click and Space add or remove tiles; Shift-click takes the range
// from the last clicked tile; Ctrl+A takes the whole view (kept as a flag, not a million positions).
import { useCallback, useMemo, useState } from 'react';
import { MAX_LABEL_ROWS } from '../../../shared/types';

export interface Selection {
  /** Explicitly chosen positions; empty means "the focused tile". */
  positions: ReadonlySet<number>;
  /** Every row of the view. */
  all: boolean;
  isSelected(index: number, focused: number): boolean;
  /** How many rows a label would go to. */
  count(total: number): number;
  click(index: number, focused: number, mods: { toggle: boolean; range: boolean }): void;
  toggle(index: number, focused: number): void;
  selectAll(): void;
  clear(): void;
}


export function useSelection(): Selection {
  const [state, setState] = useState<{ positions: ReadonlySet<number>; all: boolean; anchor: number | null }>({ positions: new Set(), all: false, anchor: null });

  const click = useCallback((index: number, focused: number, mods: { toggle: boolean; range: boolean }) => {
    setState((s) => {
      if (mods.range) {
        const from = s.anchor ?? focused;
        const lo = Math.min(from, index);
        const hi = Math.min(Math.max(from, index), lo + MAX_LABEL_ROWS - 1);
        const next = new Set(mods.toggle ? s.positions : []);
        for (let i = lo; i <= hi; i++) next.add(i);
        return { positions: next, all: false, anchor: from };
      }
      if (mods.toggle) {
        // The first Ctrl-click keeps the tile that was focused, as a file manager does.
        const next = new Set(s.positions.size || s.all ? s.positions : [focused]);
        if (next.has(index)) next.delete(index);
        else next.add(index);
        return { positions: next, all: false, anchor: index };
      }
      return { positions: new Set(), all: false, anchor: index };
    });
  }, []);

  const toggle = useCallback((index: number) => {
    setState((s) => {
      const next = new Set(s.positions);
      if (next.has(index)) next.delete(index);
      else if (next.size < MAX_LABEL_ROWS) next.add(index);
      return { positions: next, all: false, anchor: index };
    });
  }, []);

  const selectAll = useCallback(() => setState((s) => ({ positions: new Set(), all: true, anchor: s.anchor })), []);
  const clear = useCallback(() => setState({ positions: new Set(), all: false, anchor: null }), []);

  return useMemo(
    () => ({
      positions: state.positions,
      all: state.all,
      isSelected: (index: number, focused: number) => state.all || state.positions.has(index) || (state.positions.size === 0 && index === focused),
      count: (total: number) => (state.all ? total : Math.max(1, state.positions.size)),
      click,
      toggle,
      selectAll,
      clear,
    }),
    [state, click, toggle, selectAll, clear],
  );
}
