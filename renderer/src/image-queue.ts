// Tile images, asked for in the order the eyes need them. With one <img src> per tile, a fast scroll
// left thousands of requests queued for tiles long gone (the browser does not cancel them), and the
// visible ones waited 13-16 s behind them. Here a tile asks only once it has stayed on screen for a
// moment; the tiles in view go first, in reading order, then the ones just outside it (the overscan),
// nearest first, judged against the view as it is when a slot frees (the grid tells the queue); at
// most a few run at once, and a tile that leaves cancels its ask: removed from the queue, or its
// fetch aborted, so nothing waits for tiles long gone. While the view is still racing (it was more
// than a screen from here within the settle), nothing is sent: a tile of the overscan can stay
// mounted past the settle in a fling that moves a screen per frame on a slow machine.

import { decodeImageBatch } from '../../shared/image-batch';

/** A tile must stay mounted this long before its image is asked for (a fling passes it by). */
export const SETTLE_MS = 60;
/** Requests in flight at once (under the browser's six per host for HTTP/1.1). */
export const MAX_IN_FLIGHT = 4;
/**
 * Tiles per request (the /images/ route, shared/image-batch.ts): a screen is a few requests, not one
 * per tile, and the tiles nearest the view share the first ones. 1 asks one image per request.
 */
export const BATCH_ROWS = 12;
/** "…/image/<dataset>/<row>": the single-image URL the tiles ask for, split for batching. */
const SINGLE = /^(.*)image\/([A-Za-z0-9_-]+)\/(\d+)(\?d=[A-Za-z0-9]+)?$/;

export interface ImageFailure {
  /** The route's sentence, or a generic one. */
  message: string;
  /** Refused for its claimed size (rather than not being an image at all). */
  tooLarge: boolean;
  /** "20,000 x 20,000", when the route named the claimed size. */
  size: string | null;
}

export type ImageResult = { url: string } | { error: ImageFailure };

export interface ImageAsk {
  done: Promise<ImageResult>;
  /** The tile left: forget the ask (nothing is sent if it had not started). */
  cancel(): void;
}

const NOT_AN_IMAGE = 'The bytes are not a JPEG, PNG, GIF or WebP image.';

/** The image route's refusal, as a person reads it. */
export function imageFailure(text: string | null): ImageFailure {
  if (!text) return { message: NOT_AN_IMAGE, tooLarge: false, size: null };
  const size = /claims ([\d,]+ x [\d,]+) pixels/.exec(text)?.[1] ?? null;
  return { message: text.slice(0, 500), tooLarge: size !== null, size };
}

export interface AskOptions {
  /** The tile's index in the grid: ranked against the view (see ImageQueue.setView). */
  index?: number;
  /** performance.now() when the tile appeared: the settle counts from then, not from the ask. */
  shownAt?: number;
}

interface Waiting {
  src: string;
  /** For batching: "…/images/<dataset>" and the row id, read once from src (null: not batchable). */
  batch: { key: string; row: string } | null;
  index: number | undefined;
  /** Order of settling, for asks without an index. */
  seq: number;
  controller: AbortController;
  resolve(r: ImageResult): void;
  reject(e: unknown): void;
}

export class ImageQueue {
  private readonly waiting: Waiting[] = [];
  private running = 0;
  private pumpSoon: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;
  private view: { first: number; last: number } | null = null;
  /** Where the view's first tile went and when, back to just before the last settle window. */
  private moves: { t: number; first: number }[] = [];
  constructor(
    private readonly fetcher: (src: string, init: { signal: AbortSignal }) => Promise<Response> = (s, i) => fetch(s, i),
    private readonly settleMs = SETTLE_MS,
    private readonly maxInFlight = MAX_IN_FLIGHT,
    private readonly batchRows = BATCH_ROWS,
  ) {}

  /** Requests queued but not sent (for tests and the ui bench). */
  get queued(): number {
    return this.waiting.length;
  }
  get inFlight(): number {
    return this.running;
  }

  /** The tiles in view now (grid indices, inclusive): they are served first. */
  setView(first: number, last: number): void {
    const now = performance.now();
    if (this.view?.first !== first) this.moves.push({ t: now, first });
    // The view stayed at moves[i] until moves[i + 1].t: older stays than the window are not needed.
    while (this.moves.length > 1 && (this.moves[1] as { t: number }).t <= now - this.settleMs) this.moves.shift();
    this.view = { first, last };
  }

  /** How long until the view has stayed within a screen of where it is for a settle (0: it has). */
  private racing(now: number): number {
    const v = this.view;
    if (!v) return 0;
    const screen = v.last - v.first + 1;
    for (let i = this.moves.length - 2; i >= 0; i--) {
      if (Math.abs((this.moves[i] as { first: number }).first - v.first) <= screen) continue;
      // It left that far place at moves[i + 1].t.
      return Math.max(0, (this.moves[i + 1] as { t: number }).t + this.settleMs - now);
    }
    return 0;
  }

  ask(src: string, opts: AskOptions = {}): ImageAsk {
    const controller = new AbortController();
    let entry: Waiting | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    // A tile shown a while ago whose row just arrived (after a jump) has already waited its settle.
    const waited = opts.shownAt === undefined ? 0 : Math.max(0, performance.now() - opts.shownAt);
    const done = new Promise<ImageResult>((resolve, reject) => {
      entry = { src, batch: batchOf(src), controller, resolve, reject, index: opts.index, seq: 0 };
      timer = setTimeout(() => {
        timer = null;
        const e = entry as Waiting;
        e.seq = this.seq++;
        this.waiting.push(e);
        // Tiles that settle together are ranked together.
        this.pumpSoon ??= setTimeout(() => {
          this.pumpSoon = null;
          this.pump();
        }, 0);
      }, Math.max(0, this.settleMs - waited));
    });
    return {
      done,
      cancel: () => {
        if (timer) clearTimeout(timer);
        const i = entry ? this.waiting.indexOf(entry) : -1;
        if (i >= 0) this.waiting.splice(i, 1);
        controller.abort();
      },
    };
  }

  /** How far outside the view a tile is, in tiles (0 inside it, or when nothing says). */
  private distance(w: Waiting): number {
    const v = this.view;
    if (!v || w.index === undefined) return 0;
    return w.index < v.first ? v.first - w.index : w.index > v.last ? w.index - v.last : 0;
  }

  /** The next to send (of those with this batch key, if given): nearest the view, then reading order. */
  private takeNext(key?: string): Waiting | null {
    let best = -1;
    let bestDistance = 0;
    for (let i = 0; i < this.waiting.length; i++) {
      const a = this.waiting[i] as Waiting;
      if (key !== undefined && a.batch?.key !== key) continue;
      const d = this.distance(a);
      const b = this.waiting[best];
      const before = !b || (d !== bestDistance ? d < bestDistance : a.index !== undefined && b.index !== undefined ? a.index < b.index : a.seq < b.seq);
      if (before) {
        best = i;
        bestDistance = d;
      }
    }
    return best < 0 ? null : (this.waiting.splice(best, 1)[0] as Waiting);
  }

  private pump(): void {
    const wait = this.waiting.length ? this.racing(performance.now()) : 0;
    if (wait > 0) {
      this.pumpSoon ??= setTimeout(() => {
        this.pumpSoon = null;
        this.pump();
      }, wait);
      return;
    }
    while (this.running < this.maxInFlight && this.waiting.length) {
      const first = this.takeNext() as Waiting;
      const key = this.batchRows > 1 ? first.batch?.key : undefined;
      const group = [first];
      while (key && group.length < this.batchRows) {
        const next = this.takeNext(key);
        if (!next) break;
        group.push(next);
      }
      this.running++;
      void (key ? this.loadBatch(key, group) : this.load(first)).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async load(w: Waiting): Promise<void> {
    try {
      const res = await this.fetcher(w.src, { signal: w.controller.signal });
      if (!res.ok) {
        w.resolve({ error: imageFailure(await res.text().catch(() => null)) });
        return;
      }
      const blob = await res.blob();
      if (w.controller.signal.aborted) return w.reject(new DOMException('cancelled', 'AbortError'));
      w.resolve({ url: URL.createObjectURL(blob) });
    } catch (err) {
      w.reject(err);
    }
  }

  /** One request for several tiles; it is aborted only when every one of them has left. */
  private async loadBatch(key: string, group: Waiting[]): Promise<void> {
    const controller = new AbortController();
    const left = () => group.every((w) => w.controller.signal.aborted) && controller.abort();
    for (const w of group) w.controller.signal.addEventListener('abort', left, { once: true });
    const rows = group.map((w) => w.batch?.row as string);
    try {
      const res = await this.fetcher(`${key}${key.includes('?') ? '&' : '?'}rows=${rows.join(',')}`, { signal: controller.signal });
      if (!res.ok) {
        const failure = imageFailure(await res.text().catch(() => null));
        for (const w of group) w.resolve({ error: failure });
        return;
      }
      const items = new Map(decodeImageBatch(await res.arrayBuffer()).map((i) => [i.rowId, i]));
      for (const w of group) {
        const item = items.get(w.batch?.row as string);
        if (w.controller.signal.aborted) w.reject(new DOMException('cancelled', 'AbortError'));
        else if (!item) w.resolve({ error: imageFailure(null) });
        else if ('error' in item) w.resolve({ error: imageFailure(item.error.message) });
        else w.resolve({ url: URL.createObjectURL(new Blob([item.bytes], { type: item.mime })) });
      }
    } catch (err) {
      for (const w of group) w.reject(w.controller.signal.aborted ? new DOMException('cancelled', 'AbortError') : err);
    } finally {
      for (const w of group) w.controller.signal.removeEventListener('abort', left);
    }
  }
}

/** A single-image URL as "…/images/<dataset>" (asks with the same key share a request) and its row. */
function batchOf(src: string): Waiting['batch'] {
  const m = SINGLE.exec(src);
  // The display token (which column and settings the image comes from) is part of the key: asks made
  // under another display never share a request.
  return m ? { key: `${m[1]}images/${m[2]}${m[4] ?? ''}`, row: m[3] as string } : null;
}

/** The page's one queue. */
export const imageQueue = new ImageQueue();
