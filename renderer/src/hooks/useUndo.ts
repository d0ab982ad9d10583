// The last change this window made, offered for Undo: restoring the version before it, as a new
// version, so nothing is lost. After an undo the bar says what was undone and offers Redo (restoring
// the version the change made); a restore from the Versions dialog is told the same way.
import { useState } from 'react';
import { api } from '../api/client';
import type { DatasetInfo } from '../../../shared/types';
import type { Session } from './useSession';

export interface LastChange {
  /** The dataset it belongs to (sessions change on undo; the dataset does not). */
  path: string;
  table: string;
  what: string;
  /** The version to go back to. */
  before: number;
  /** What the button does: undo the change, or redo what an undo took back. */
  action: 'Undo' | 'Redo';
}

export interface Undo {
  last: LastChange | null;
  /** Record a change; the session takes the dataset as the write's reply described it. */
  changed(ds: DatasetInfo, what: string, next: DatasetInfo): void;
  /** A restore from the Versions dialog: say so, and offer to go back. */
  restored(ds: DatasetInfo, version: number, previous: number): void;
  undo(ds: DatasetInfo): void;
  dismiss(): void;
}

export const belongsTo = (last: LastChange, ds: DatasetInfo) => last.path === ds.path && last.table === ds.table;

export function useUndo(session: Session): Undo {
  const [last, setLast] = useState<LastChange | null>(null);
  return {
    last,
    changed(ds, what, next) {
      setLast({ path: ds.path, table: ds.table, what, before: ds.version, action: 'Undo' });
      session.update(next);
    },
    restored(ds, version, previous) {
      setLast({ path: ds.path, table: ds.table, what: `Restored version ${version}`, before: previous, action: 'Undo' });
    },
    undo(ds) {
      const change = last;
      if (!change) return;
      setLast(null);
      void api.restoreVersion({ id: ds.id, version: change.before }).then(async (r) => {
        if (!r.ok) return setLast({ ...change, what: `Could not ${change.action.toLowerCase()}: ${r.error.message}` });
        // The same dataset again: focus and scroll stay where they were.
        const err = await session.open(ds.path, ds.table, undefined, true);
        if (err) return setLast({ ...change, what: `Could not reopen after the ${change.action.toLowerCase()}: ${err}` });
        const done = change.action === 'Undo' ? `Undone: ${change.what}` : `Redone: ${change.what.replace(/^Undone: /, '')}`;
        setLast({ path: ds.path, table: ds.table, what: done, before: ds.version, action: change.action === 'Undo' ? 'Redo' : 'Undo' });
      });
    },
    dismiss: () => setLast(null),
  };
}
