// The last change this window made, offered for Undo: restoring the version before it, as a new
// version, so nothing is lost.
import { useState } from 'react';
import { api } from '../api/client';
import type { DatasetInfo } from '../../../shared/types';
import type { Session } from './useSession';

export interface LastChange {
  datasetId: string;
  what: string;
  before: number;
}

export interface Undo {
  last: LastChange | null;
  /** Record a change; the session takes the dataset as the write's reply described it. */
  changed(ds: DatasetInfo, what: string, next: DatasetInfo): void;
  undo(ds: DatasetInfo): void;
  dismiss(): void;
}

export function useUndo(session: Session): Undo {
  const [last, setLast] = useState<LastChange | null>(null);
  return {
    last,
    changed(ds, what, next) {
      setLast({ datasetId: ds.id, what, before: ds.version });
      session.update(next);
    },
    undo(ds) {
      const change = last;
      if (!change) return;
      setLast(null);
      void api.restoreVersion({ id: ds.id, version: change.before }).then(async (r) => {
        if (!r.ok) return setLast({ ...change, what: `Could not undo: ${r.error.message}` });
        await session.open(ds.path, ds.table);
      });
    },
    dismiss: () => setLast(null),
  };
}
