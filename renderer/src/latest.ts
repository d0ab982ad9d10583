// Replies arrive in any order: a filter typed after another may be answered first. Every piece of
// renderer state that a request fills takes a ticket before it asks, and applies the reply only if
// no newer ticket was taken since (or the guard was reset, e.g. another dataset opened).

export interface Latest {
  /** Take a ticket for a new request; the returned check is true while it is still the newest. */
  next(): () => boolean;
  /** Make every ticket taken so far stale. */
  reset(): void;
}

export function latest(): Latest {
  let newest = 0;
  return {
    next() {
      const mine = ++newest;
      return () => mine === newest;
    },
    reset() {
      newest++;
    },
  };
}

/** One guard per key (a page of rows, a panel): requests for different keys do not supersede each other. */
export function latestByKey<K>(): { next(key: K): () => boolean; reset(): void } {
  let generation = 0;
  const newest = new Map<K, number>();
  let counter = 0;
  return {
    next(key) {
      const mine = ++counter;
      const gen = generation;
      newest.set(key, mine);
      return () => gen === generation && newest.get(key) === mine;
    },
    reset() {
      generation++;
      newest.clear();
    },
  };
}
