// Grid or table, per dataset: a dataset without an image column opens as a table, one with images as
// the grid; the person's switch is remembered for that dataset in this window's storage.
import { useCallback, useEffect, useState } from 'react';
import type { DatasetInfo } from '../../../shared/types';

export type Layout = 'grid' | 'table';

const keyOf = (d: DatasetInfo) => `lx.layout.${d.path}#${d.table}`;

function initial(d: DatasetInfo | null): Layout {
  if (!d) return 'grid';
  const saved = globalThis.localStorage?.getItem(keyOf(d));
  if (saved === 'grid' || saved === 'table') return saved;
  return d.imageColumn ? 'grid' : 'table';
}

export function useLayout(dataset: DatasetInfo | null): [Layout, (l: Layout) => void] {
  const [layout, setLayout] = useState<Layout>(() => initial(dataset));
  // Another dataset, or the image column chosen or removed (Display…): its own (or default) layout.
  useEffect(() => setLayout(initial(dataset)), [dataset?.path, dataset?.table, dataset?.imageColumn]); // eslint-disable-line react-hooks/exhaustive-deps
  const choose = useCallback(
    (l: Layout) => {
      setLayout(l);
      if (dataset) {
        try {
          localStorage.setItem(keyOf(dataset), l);
        } catch {
          // storage full: the choice lasts for this window
        }
      }
    },
    [dataset],
  );
  return [layout, choose];
}
