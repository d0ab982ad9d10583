// When the person last asked for something (a page of rows, an image, a row's details), so that
// background scans can wait for a quiet moment. Measured: the statistics job started on a 1M-row
// table's first open took both cores while the grid was flung, and the page's frames went from
// 16.7 to 33 ms; the job now steps aside while requests keep arriving.

export class Activity {
  private last = 0;

  /** A request from the person is being served. */
  touch(): void {
    this.last = performance.now();
  }

  /** Resolves once `ms` have passed with no request (at once when it is already quiet). */
  async quiet(ms: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const left = this.last + ms - performance.now();
      if (left <= 0 || signal?.aborted) return;
      await new Promise((r) => setTimeout(r, Math.min(left + 1, ms)));
    }
  }

  /** Whether a request came within the last `ms`. */
  busy(ms: number): boolean {
    return performance.now() - this.last < ms;
  }
}
