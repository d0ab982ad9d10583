// Work that cannot be cancelled (LanceDB's open and count have no timeout of their own) answered in
// time anyway: past the deadline the caller gets a failure, and whatever the work yields later is
// handed to `late` to be released (a table opened after the person was told it could not be).

/** `work`'s result, or `timedOut()` thrown once `ms` have passed; a late result goes to `late`. */
export function settleWithin<T>(work: Promise<T>, ms: number, timedOut: () => Error, late: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      reject(timedOut());
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        if (expired) late(value);
        else resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (!expired) reject(err);
      },
    );
  });
}
