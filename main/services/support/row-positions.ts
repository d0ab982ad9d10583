// Where a row id sits in a list of row ids kept in scan order (a job's rows, a map's points): a
// binary search over the list, or over a sorted permutation of it when the scan was not in order.

/** The position of a row id in `rowIds` (-1 when it is not there). */
export function positionIndex(rowIds: Float64Array): (id: number) => number {
  let sorted = true;
  for (let i = 1; i < rowIds.length && sorted; i++) if ((rowIds[i] as number) < (rowIds[i - 1] as number)) sorted = false;
  const order = sorted ? null : Int32Array.from({ length: rowIds.length }, (_, i) => i).sort((a, b) => (rowIds[a] as number) - (rowIds[b] as number));
  const at = (i: number) => (order ? (order[i] as number) : i);
  return (id) => {
    let lo = 0;
    let hi = rowIds.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = rowIds[at(mid)] as number;
      if (v < id) lo = mid + 1;
      else if (v > id) hi = mid - 1;
      else return at(mid);
    }
    return -1;
  };
}
