// Tile images, asked for in the order the eyes need them. With one <img src> per tile, a fast scroll
// left thousands of requests queued for tiles long gone (the browser does not cancel them), and the
// visible ones waited 13-16 s behind them. Here a tile asks only once it has stayed on screen for a
// moment, the newest asks go first (after a fling, those are the visible tiles), at most a few run at
// once, and a tile that leaves cancels its ask: removed from the queue, or its fetch aborted.

/** A tile must stay mounted this long before its image is asked for (a fling passes it by). */
export const SETTLE_MS = 60;
/** Requests in flight at once: the browser's per-host limit for HTTP/1.1. */
export const MAX_IN_FLIGHT = 6;

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

interface Waiting {
  src: string;
  controller: AbortController;
  resolve(r: ImageResult): void;
  reject(e: unknown): void;
}

export class ImageQueue {
  private readonly waiting: Waiting[] = [];
  private running = 0;
  private pumpSoon: ReturnType<typeof setTimeout> | null = null;
  constructor(
    private readonly fetcher: (src: string, init: { signal: AbortSignal }) => Promise<Response> = (s, i) => fetch(s, i),
    private readonly settleMs = SETTLE_MS,
    private readonly maxInFlight = MAX_IN_FLIGHT,
  ) {}

  /** Requests queued but not sent (for tests and the ui bench). */
  get queued(): number {
    return this.waiting.length;
  }
  get inFlight(): number {
    return this.running;
  }

  ask(src: string): ImageAsk {
    const controller = new AbortController();
    let entry: Waiting | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const done = new Promise<ImageResult>((resolve, reject) => {
      entry = { src, controller, resolve, reject };
      timer = setTimeout(() => {
        timer = null;
        this.waiting.push(entry as Waiting);
        // Tiles that settle together are started together, newest first.
        this.pumpSoon ??= setTimeout(() => {
          this.pumpSoon = null;
          this.pump();
        }, 0);
      }, this.settleMs);
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

  private pump(): void {
    while (this.running < this.maxInFlight && this.waiting.length) {
      const next = this.waiting.pop() as Waiting; // newest first
      this.running++;
      void this.load(next).finally(() => {
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
}

/** The page's one queue. */
export const imageQueue = new ImageQueue();
