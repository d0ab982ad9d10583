// Image bytes for rows, by row id, with a byte-bounded cache.
// Requests that arrive together (a screen of tiles) are answered by one `takeRowIds` call:
// Lance reads 50 images by id in about the time of a few single reads.
import { SizedLru } from '../support/lru';
import { classifyReadError, failure } from '../support/errors';
import { imageRefusal, sniffImage, type ImageMime } from './image-sniff';
import type { LanceTable } from './lance';
import { READ_WAIT_MS, takeRows, type RowSource } from './take-rows';
import { ImageReferences, type ReferenceContext } from './image-references';
import path from 'node:path';

/** What the store needs of an open dataset (the dataset service hands it out by id). */
export interface ImageSource {
  info: { imageColumn: string | null; imageKind?: 'bytes' | 'reference'; path?: string; remoteImages?: boolean; imageRoot?: string };
  table: LanceTable;
  legacy?: RowSource['legacy'];
  storage?: Record<string, string> | undefined;
}

/** References read at once for one screen of tiles (local files and cached URLs are quick; the network is not). */
const REFERENCE_PARALLEL = 8;

export interface ImageBytes {
  bytes: Uint8Array;
  mime: ImageMime;
}

interface Pending {
  rowId: bigint;
  resolve: (b: Uint8Array | null) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH = 64;

export class ImageStore {
  private readonly cache: SizedLru<string, Uint8Array>;
  private readonly queues = new Map<string, Pending[]>();
  /** Reads under way, by cache key: a tile asking while its image is being read waits for that read. */
  private readonly reading = new Map<string, Promise<Uint8Array | null>>();

  constructor(
    private readonly lookup: (datasetId: string) => ImageSource,
    cacheBytes: number,
    /** Called for every image asked for (background scans wait while images are wanted). */
    private readonly onAsk: () => void = () => {},
    /** Images kept as paths or URLs are read through this. */
    private readonly references: ImageReferences = new ImageReferences(null),
    /** How long one read of images may take before it fails (a network gone silent). */
    private readonly readWaitMs = READ_WAIT_MS,
  ) {
    this.cache = new SizedLru(cacheBytes, (b) => b.byteLength);
  }

  /** The image of one row; throws NOT_AN_IMAGE when the bytes are not a raster image. */
  async get(datasetId: string, rowId: string): Promise<ImageBytes> {
    this.onAsk();
    const ds = this.lookup(datasetId);
    if (!ds.info.imageColumn) throw failure('NOT_FOUND', 'This dataset has no image column.');
    const cacheKey = `${datasetId}:${rowId}`;
    let bytes = this.cache.get(cacheKey);
    if (!bytes) {
      const fetched = await this.fetch(datasetId, rowId);
      if (!fetched) throw failure('NOT_FOUND', `Row ${rowId} has no image.`);
      bytes = fetched;
    }
    const mime = sniffImage(bytes);
    if (!mime) {
      throw failure('NOT_AN_IMAGE', `The image of row ${rowId} is not a JPEG, PNG, GIF or WebP file (${bytes.byteLength} bytes).`);
    }
    // Decoding happens in the page: an image that claims a huge size is refused before it gets there.
    const refused = imageRefusal(bytes, mime);
    if (refused) throw failure('NOT_AN_IMAGE', `The image of row ${rowId} is not shown: ${refused}.`);
    return { bytes, mime };
  }

  /** Images already read elsewhere (with the first rows at open), copied into the cache. */
  seed(datasetId: string, images: ReadonlyArray<readonly [string, Uint8Array | null]>): void {
    // Copies: Arrow hands out views into one shared batch buffer, and one kept view pins it all.
    for (const [rowId, bytes] of images) if (bytes) this.cache.set(`${datasetId}:${rowId}`, new Uint8Array(bytes));
  }

  /** Read these rows' images into the cache ahead of the asking (the first screen, at open); failures stay quiet. */
  warm(datasetId: string, rowIds: string[]): void {
    for (const rowId of rowIds) if (!this.cache.get(`${datasetId}:${rowId}`)) this.fetch(datasetId, rowId).catch(() => null);
  }

  /** One read per image however many ask at once; the bytes go into the cache. */
  private fetch(datasetId: string, rowId: string): Promise<Uint8Array | null> {
    const key = `${datasetId}:${rowId}`;
    const under = this.reading.get(key);
    if (under) return under;
    const read = this.enqueue(datasetId, BigInt(rowId))
      .then((b) => {
        if (b && this.reading.get(key) === read) this.cache.set(key, b);
        return b;
      })
      .finally(() => this.reading.delete(key));
    this.reading.set(key, read);
    return read;
  }

  forget(datasetId: string): void {
    for (const k of [...this.reading.keys()]) if (k.startsWith(`${datasetId}:`)) this.reading.delete(k);
    this.cache.deleteWhere((k) => k.startsWith(`${datasetId}:`));
    this.queues.delete(datasetId);
  }

  get cachedBytes(): number {
    return this.cache.size;
  }
  get capacityBytes(): number {
    return this.cache.capacity;
  }

  private enqueue(datasetId: string, rowId: bigint): Promise<Uint8Array | null> {
    return new Promise((resolve, reject) => {
      let q = this.queues.get(datasetId);
      if (!q) {
        q = [];
        this.queues.set(datasetId, q);
        // Let the other requests of this tick join before reading.
        setImmediate(() => void this.flush(datasetId));
      }
      q.push({ rowId, resolve, reject });
    });
  }

  private async flush(datasetId: string): Promise<void> {
    const all = this.queues.get(datasetId) ?? [];
    this.queues.delete(datasetId);
    for (let i = 0; i < all.length; i += MAX_BATCH) {
      await this.read(datasetId, all.slice(i, i + MAX_BATCH));
    }
  }

  private async read(datasetId: string, batch: Pending[]): Promise<void> {
    try {
      const ds = this.lookup(datasetId);
      const column = ds.info.imageColumn as string;
      const unique = [...new Set(batch.map((p) => p.rowId))];
      const table = await takeRows(ds, unique, [column], { rowId: true, timeoutMs: this.readWaitMs });
      const ids = table.getChild('_rowid');
      const images = table.getChild(column);
      if (ds.info.imageKind === 'reference') return await this.readReferences(ds, batch, table.numRows, (i) => BigInt(ids?.get(i) as bigint), (i) => images?.get(i) as string | null);
      const byId = new Map<bigint, Uint8Array | null>();
      for (let i = 0; i < table.numRows; i++) {
        const v = images?.get(i) as Uint8Array | null;
        // Copy: Arrow hands out views into one shared batch buffer, and one kept view pins it all.
        byId.set(BigInt(ids?.get(i) as bigint), v ? new Uint8Array(v) : null);
      }
      for (const p of batch) p.resolve(byId.get(p.rowId) ?? null);
    } catch (err) {
      const e = classifyReadError(err, 'Reading images');
      for (const p of batch) p.reject(e);
    }
  }

  /** Each row's reference read on its own: one missing file or dead URL fails that tile only. */
  private async readReferences(ds: ImageSource, batch: Pending[], n: number, idAt: (i: number) => bigint, refAt: (i: number) => string | null): Promise<void> {
    const refs = new Map<bigint, string | null>();
    for (let i = 0; i < n; i++) refs.set(idAt(i), refAt(i));
    const local = ds.info.path && !/^[a-z][a-z0-9+.-]*:\/\//i.test(ds.info.path);
    const ctx: ReferenceContext = { root: ds.info.imageRoot ?? (local ? path.dirname(ds.info.path as string) : null), remote: !!ds.info.remoteImages, storage: ds.storage };
    const byRow = new Map<bigint, Promise<Uint8Array | null>>();
    const rows = [...new Set(batch.map((p) => p.rowId))];
    for (let i = 0; i < rows.length; i += REFERENCE_PARALLEL) {
      await Promise.allSettled(
        rows.slice(i, i + REFERENCE_PARALLEL).map((r) => {
          const ref = refs.get(r);
          const read = ref ? this.references.read(ref, ctx) : Promise.resolve(null);
          byRow.set(r, read);
          return read;
        }),
      );
    }
    for (const p of batch) (byRow.get(p.rowId) ?? Promise.resolve(null)).then(p.resolve, p.reject);
  }
}
