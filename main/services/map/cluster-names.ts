// A name for each cluster from its rows' captions by class-based TF-IDF (BERTopic's c-TF-IDF): a
// word's frequency in the cluster, weighted by how rare it is across clusters, so "photo" (in every
// cluster) names none and "beach" names the one it fills. Stop words and numbers never name anything.

const STOP = new Set(
  `a about above after again against all also am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was we were what when where which while who whom why will with you your yours yourself yourselves image images photo photos picture pictures stock free png jpg jpeg file vector background illustration high resolution hd new best top one two three size x`.split(/\s+/),
);

/** How much more frequent in a cluster than overall a word must be to name it. */
const MIN_LIFT = 1.5;

const WORD = /[\p{L}][\p{L}'’-]{2,}/gu;

export class ClusterWords {
  private readonly counts: Array<Map<string, number>>;
  private readonly totals: Float64Array;

  constructor(readonly clusters: number) {
    this.counts = Array.from({ length: clusters }, () => new Map());
    this.totals = new Float64Array(clusters);
  }

  /** One row's caption, in cluster c. */
  add(c: number, caption: string | null | undefined): void {
    if (c < 0 || c >= this.clusters || !caption) return;
    const m = this.counts[c] as Map<string, number>;
    for (const w of caption.toLowerCase().slice(0, 500).match(WORD) ?? []) {
      const word = w.replace(/['’-]+$/, '');
      if (word.length < 3 || STOP.has(word)) continue;
      m.set(word, (m.get(word) ?? 0) + 1);
      this.totals[c] = (this.totals[c] as number) + 1;
    }
  }

  /** Each cluster's top words (at most `top`), best first, with their c-TF-IDF weights. */
  names(top = 3): Array<{ words: string[]; weights: number[] }> {
    const across = new Map<string, number>();
    for (const m of this.counts) for (const [w, n] of m) across.set(w, (across.get(w) ?? 0) + n);
    const all = Math.max(1, this.totals.reduce((s, x) => s + x, 0));
    const avg = all / Math.max(1, this.clusters);
    return this.counts.map((m, c) => {
      const total = (this.totals[c] as number) || 1;
      const scored: Array<[string, number]> = [];
      for (const [w, n] of m) {
        if (n < 2) continue; // a word seen once names nothing
        // A word no more frequent here than everywhere ("morning" in every cluster) names nothing.
        const lift = n / total / ((across.get(w) as number) / all);
        if (this.clusters > 1 && lift < MIN_LIFT) continue;
        scored.push([w, (n / total) * Math.log(1 + avg / (across.get(w) as number))]);
      }
      scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      const best = scored.slice(0, top);
      return { words: best.map((x) => x[0]), weights: best.map((x) => Math.round(x[1] * 1e4) / 1e4) };
    });
  }
}
