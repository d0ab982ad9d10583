// Open datasets and read them: schema, row count, pages of rows without the heavy columns, one row
// in full. Knows nothing of Electron; every caller (IPC, web bridge, benchmarks, tests) uses this.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { lancedb, type LanceTable } from './lance';
import { describeField, rowIdsOf, tableToCells } from './cells';
import { AppFailure, classifyReadError, errorText, failure } from '../support/errors';
import { cloudLocation, connectionTarget, inspectPath, isFarUri, isRemoteUri, remoteLocation } from './dataset-locate';
import { connectOptions, remoteFailure, storageFailure, type ConnectOptions, type Credentials, type StorageOptions } from './storage-options';
import { openNewestReadable, type Recovered } from './dataset-recover';
import { ImageStore } from './image-store';
import { findImageCandidates, pickCaption, pickImage, readHead } from './image-columns';
import type { DisplayChoice, DisplayPrefs } from './display-prefs';
import type { ImageReferences } from './image-references';
import { settleWithin } from '../support/deadline';
import { detectLegacy, LegacyPositions, READ_WAIT_MS, takeRows } from './take-rows';
import { RowOrder } from './row-order';
import type { Journal } from './journal';
import { Activity } from '../support/activity';
import { IMAGE_ROUTE } from '../../../shared/channels';
import type { Cell, ColumnInfo, DatasetInfo, ImageCandidate, InspectResult, RowDetail, RowPage, RowSummary } from '../../../shared/types';

export interface OpenDataset {
  info: DatasetInfo;
  table: LanceTable;
  /** Columns sent with every page: everything but binary and vector columns. */
  pageColumns: ColumnInfo[];
  /** Set for a damaged dataset opened through a stand-in folder: removes it. */
  dispose?: () => Promise<void>;
  /** Where other handles connect for this session (a damaged dataset's stand-in), when not beside info.path. */
  connectDir?: string;
  /** Set when the data files are Lance's old format 0.1/0.2: rows by id are read by position (take-rows.ts). */
  legacy?: LegacyPositions;
  /** How other handles reach a dataset in object storage (credentials for this session only, never saved). */
  storage?: StorageOptions;
  /** The first page, read at open: the window's first request, answered without another read. */
  opening?: { version: number; page: RowPage };
  /** How other handles connect for this session: the database's address and LanceDB's connection options. */
  connection?: { uri: string; options: ConnectOptions | undefined };
}

export interface DatasetServiceOptions {
  /** Byte budget of the image cache shared by all open datasets. */
  imageCacheBytes?: number;
  /** Paths that count as the built-in demo (shown as such in the UI). */
  demoPath?: string;
  /** Where the app notes what it changed, per version (shown in the history). */
  journal?: Journal;
  /** The person's display choices per dataset (image, caption, vector column, remote images). */
  display?: DisplayPrefs;
  /** Reads images kept as paths or URLs (with its disk cache for fetched ones). */
  imageReferences?: ImageReferences;
  /** How long a read a person waits on may take (take-rows.ts READ_WAIT_MS; shorter in tests). */
  readWaitMs?: number;
}

/** Rows read at open (the window's page size): the first page the window asks for is already here. */
const OPENING_PAGE = 200;
/** Images read ahead at open: a first screen of tiles on a large window. */
const OPENING_IMAGES = 48;

/** How long after opening the order is read ahead: after the first screens, not competing with them. */
const ORDER_AHEAD_DELAY_MS = 1500;


/** Whether this user can write the table's folder (and its version folder, where commits go). */
async function canWrite(dir: string): Promise<boolean> {
  for (const d of [dir, path.join(dir, '_versions')]) {
    try {
      await fs.access(d, fsConstants.W_OK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
  }
  return true;
}

/** What a page of rows reads: scalar columns the app can read (images and vectors come separately). */
const gridColumns = (columns: ColumnInfo[]) => columns.filter((c) => c.kind !== 'binary' && c.kind !== 'vector' && !c.unreadable);

export class DatasetService {
  private readonly open = new Map<string, OpenDataset>();
  readonly images: ImageStore;
  /** Each session's order of the plain table, and who follows rows when writes move them. */
  readonly rows = new RowOrder((id) => this.get(id).table);
  /** When the person last asked for rows or images: background scans wait for a quiet moment. */
  readonly activity = new Activity();

  private get readWaitMs(): number {
    return this.options.readWaitMs ?? READ_WAIT_MS;
  }

  constructor(private readonly options: DatasetServiceOptions = {}) {
    this.images = new ImageStore((id) => this.get(id), options.imageCacheBytes ?? 96 * 1024 * 1024, () => this.activity.touch(), options.imageReferences, this.readWaitMs);
  }

  inspect(p: string, creds?: Credentials): Promise<InspectResult> {
    return isFarUri(p) ? this.inTime(this.inspectCloud(p, creds), `${p} could not be listed`) : inspectPath(p);
  }

  /**
   * Far away, a network gone silent makes every request wait out its timeout and retry: listing and
   * opening (several requests, none with a timeout LanceDB takes) answer within twice a read's
   * limit, and what finishes after that goes to `late` to be released.
   */
  private inTime<T>(work: Promise<T>, what: string, late: (value: T) => void = () => {}): Promise<T> {
    const waitMs = 2 * this.readWaitMs;
    return settleWithin(work, waitMs, () => failure('TIMEOUT', `${what}: the storage did not answer within ${Math.round(waitMs / 1000)} s. Check the connection and the endpoint, then try again.`), late);
  }

  /**
   * A table or database in object storage or LanceDB Cloud: a ".lance" address (db://name/table)
   * is one table, anything else lists its tables.
   */
  private async inspectCloud(p: string, creds: Credentials | undefined, tableName?: string): Promise<InspectResult> {
    const remote = isRemoteUri(p);
    const loc = remote ? remoteLocation(p) : cloudLocation(p);
    const tablePath = (t: string) => (remote ? `${loc.dbUri}/${t}` : `${loc.dbUri}/${t}.lance`);
    if (loc.table && !tableName) return { path: tablePath(loc.table), kind: 'table', tables: [loc.table] };
    let names: string[];
    try {
      names = await listAllTables(await lancedb.connect(loc.dbUri, connectOptions(loc.dbUri, creds)));
    } catch (err) {
      if (err instanceof AppFailure) throw err;
      throw remote ? remoteFailure(err, `${p} could not be listed`) : storageFailure(err, `${p} could not be listed`);
    }
    if (tableName) {
      if (!names.includes(tableName)) throw failure('NOT_FOUND', `There is no table "${tableName}" in ${loc.dbUri}.`);
      return { path: tablePath(tableName), kind: 'table', tables: [tableName] };
    }
    if (!names.length) throw failure('NOT_A_DATASET', remote ? `${p} holds no tables.` : `${p} holds no Lance tables (no "<name>.lance" under it).`);
    if (names.length > 1) return { path: loc.dbUri, kind: 'database', tables: names };
    return { path: tablePath(names[0] as string), kind: 'table', tables: names };
  }

  /**
   * Open a dataset at its latest version (writable), or at an older version or tag (read-only: the
   * session is pinned to it and the app refuses to write through it).
   */
  async openDataset(p: string, tableName?: string, at?: { version?: number; tag?: string }, creds?: Credentials): Promise<DatasetInfo> {
    const opening = this.openNow(p, tableName, at, creds);
    // A session that opens after the person was told it could not is closed again, not left behind.
    return isFarUri(p) ? this.inTime(opening, `${p} could not be opened`, (late) => this.close(late.id)) : opening;
  }

  private async openNow(p: string, tableName?: string, at?: { version?: number; tag?: string }, creds?: Credentials): Promise<DatasetInfo> {
    const online = p.startsWith('hf://');
    const remote = isRemoteUri(p);
    const cloud = isFarUri(p);
    const storage = remote ? undefined : creds?.storage;
    const found: InspectResult = online ? hubLocation(p) : cloud ? await this.inspectCloud(p, creds, tableName) : await inspectPath(p);
    if (cloud && found.kind === 'database') throw failure('NOT_A_DATASET', `${found.path} holds ${found.tables.length} tables (${found.tables.join(', ')}): choose one.`);
    const target = online
      ? { dbDir: path.posix.dirname(p), table: found.tables[0] as string }
      : cloud
        ? { dbDir: (remote ? remoteLocation(found.path) : cloudLocation(found.path)).dbUri, table: found.tables[0] as string }
        : connectionTarget(found, tableName);
    // The table's own folder (null on the Hub and in object storage): where recovery, the write check and the session's path look.
    const tableDir = online || cloud ? null : found.kind === 'table' ? found.path : path.join(found.path, `${target.table}.lance`);
    const options = cloud ? connectOptions(target.dbDir, creds) : undefined;
    let table: LanceTable;
    let recovered: Recovered | null = null;
    try {
      const db = await lancedb.connect(target.dbDir, options);
      table = await db.openTable(target.table);
      // LanceDB Cloud opens a table without asking the server: ask now, where the person is looking.
      if (remote) await table.schema();
    } catch (err) {
      if (online) {
        throw failure('NOT_FOUND', `${p} could not be opened from the Hub: check the repository, the path, your network and HF_TOKEN for gated data.`, errorText(err));
      }
      if (remote) throw remoteFailure(err, `${p} could not be opened`);
      if (cloud) throw storageFailure(err, `${p} could not be opened`);
      // The newest manifest may be the only damaged file: open the newest readable version instead.
      recovered = await openNewestReadable(tableDir as string, target.table, at, err);
      if (!recovered) {
        throw failure(
          'DATASET_CORRUPT',
          `The dataset at ${found.path} could not be opened: its version manifest is missing or damaged.`,
          errorText(err),
        );
      }
      table = recovered.table;
    }
    if (!recovered && (at?.version !== undefined || at?.tag !== undefined)) {
      try {
        await table.checkout((at.tag ?? at.version) as string | number);
      } catch (err) {
        table.close();
        throw failure('NOT_FOUND', at.tag !== undefined ? `There is no tag "${at.tag}" in this dataset.` : `Version ${at.version} does not exist in this dataset (or was cleaned up).`, errorText(err));
      }
    }
    // Read-only sessions never offer a write: an old version, the Hub, a folder this user cannot write, damage.
    const readOnlyWhy: DatasetInfo['readOnlyWhy'] = recovered
      ? 'damaged'
      : remote
        ? 'remote'
        : at?.version !== undefined || at?.tag !== undefined
        ? 'version'
        : online
          ? 'online'
          : tableDir && !(await canWrite(tableDir))
            ? 'permissions'
            : undefined;
    let info: DatasetInfo;
    try {
      const [schema, version, rowCount] = await Promise.all([table.schema(), table.version(), table.countRows()]);
      const columns = schema.fields.map(describeField);
      const id = randomBytes(9).toString('base64url');
      const pageColumns = gridColumns(columns);
      // Side by side, not one after another: in object storage each read costs round trips. The
      // first page is read now: a dataset whose first data file is gone fails here, at open, where
      // the person is looking, rather than as an empty grid; and it is the page the window asks next.
      const head = readHead(table, columns);
      const [candidates, choice, first] = await Promise.all([
        head.then((h) => findImageCandidates(table, columns, h)),
        (this.options.display?.get(tableDir ?? found.path, target.table) ?? Promise.resolve(null)).then((c): DisplayChoice => c ?? {}),
        rowCount > 0 ? this.readPage(table, pageColumns, 0, Math.min(OPENING_PAGE, rowCount)) : Promise.resolve(null),
      ]);
      const shown = displayOf(columns, candidates, choice);
      info = {
        id,
        path: tableDir ?? (remote ? `${target.dbDir}/${target.table}` : cloud ? `${target.dbDir}/${target.table}.lance` : found.path),
        table: target.table,
        name: displayName(found.path, target.table),
        version,
        rowCount,
        columns,
        ...shown,
        imageCandidates: candidates,
        keyColumn: columns.find((c) => c.name === 'key' && (c.kind === 'int' || c.kind === 'string'))?.name ?? null,
        vectorColumns: vectorOrder(columns, choice.vector),
        readOnly: !!readOnlyWhy,
        ...(readOnlyWhy ? { readOnlyWhy } : {}),
        ...(recovered ? { damaged: recovered.damaged } : {}),
        ...(at?.tag !== undefined ? { tag: at.tag } : {}),
        isDemo: this.options.demoPath !== undefined && path.resolve(this.options.demoPath) === path.resolve(found.path),
        ...(remote ? { location: 'remote' as const } : cloud ? { location: 'object-storage' as const } : {}),
      };
      // Old-format data files: read by position, and read-only (Upgrade… makes an editable copy).
      const legacy = !remote && (await detectLegacy(table, first?.rows[0]?.rowId, (pageColumns[0] ?? columns.find((c) => !c.unreadable))?.name)) ? new LegacyPositions(table) : undefined;
      if (legacy) info = { ...info, fileFormat: 'legacy', readOnly: true, readOnlyWhy: info.readOnlyWhy ?? 'legacy' };
      this.open.set(id, { info, table, pageColumns, ...(legacy ? { legacy } : {}), ...(storage ? { storage } : {}), ...(cloud ? { connection: { uri: target.dbDir, options } } : {}), ...(recovered ? { dispose: recovered.dispose, connectDir: recovered.dir } : {}), ...(first ? { opening: { version, page: first } } : {}) });
      // The first screen's images are what the window asks for next: already read with the first
      // rows when the image column was looked at; else read now, in one read, into the cache.
      if (first && info.imageColumn && info.imageKind !== 'reference') {
        const h = await head;
        const bytes = h?.getChild(info.imageColumn);
        const ids = h?.getChild('_rowid');
        if (h && bytes && ids) this.images.seed(id, Array.from({ length: h.numRows }, (_, i) => [String(ids.get(i)), bytes.get(i) as Uint8Array | null] as const));
        this.images.warm(id, first.rows.slice(0, OPENING_IMAGES).map((r) => r.rowId));
      }
      // Labelling is likely: read the order ahead, once the first pages have been served.
      if (!info.readOnly && columns.some((c) => c.label)) setTimeout(() => this.open.has(id) && this.rows.readAhead(id), ORDER_AHEAD_DELAY_MS).unref();
    } catch (err) {
      table.close();
      void recovered?.dispose();
      throw classifyReadError(err, `Opening ${found.path}`);
    }
    return info;
  }

  get(id: string): OpenDataset {
    const ds = this.open.get(id);
    if (!ds) throw failure('NOT_FOUND', 'That dataset is no longer open. Open it again.');
    return ds;
  }

  /**
   * The app changed the schema through this session (a column added): read version, schema and row
   * count again. Row ids stay valid, so open views and caches keep working.
   */
  async refresh(id: string): Promise<DatasetInfo> {
    const ds = this.get(id);
    const [schema, version, rowCount] = await Promise.all([ds.table.schema(), ds.table.version(), ds.table.countRows()]);
    const columns = schema.fields.map(describeField);
    const names = new Set(columns.map((c) => c.name));
    delete ds.opening; // the columns or rows may have changed
    ds.info = {
      ...ds.info,
      version,
      rowCount,
      columns,
      vectorColumns: vectorOrder(columns, ds.info.vectorColumns[0]),
      // A column renamed or dropped through this session is no longer shown.
      ...(ds.info.imageColumn && !names.has(ds.info.imageColumn) ? { imageColumn: null } : {}),
      ...(ds.info.captionColumn && !names.has(ds.info.captionColumn) ? { captionColumn: null } : {}),
    };
    ds.pageColumns = gridColumns(columns);
    return ds.info;
  }

  /** Note what the app just did, against the session's (new) version, for the history. */
  async noteChange(id: string, note: string): Promise<void> {
    const ds = this.open.get(id);
    if (ds && this.options.journal) await this.options.journal.record(ds.info.path, ds.info.version, note);
  }

  notesFor(datasetPath: string): Promise<Map<number, string>> {
    return this.options.journal?.notes(datasetPath) ?? Promise.resolve(new Map());
  }

  /** Refuse to write through a session pinned to an old version or a tag. */
  writable(id: string): OpenDataset {
    const ds = this.get(id);
    if (ds.info.readOnly) {
      const why = ds.info.readOnlyWhy;
      if (why === 'online') throw failure('FORBIDDEN', 'This dataset is read from the Hub, read-only. Download it (Download…) to label it or add columns.');
      if (why === 'permissions') throw failure('FORBIDDEN', `This folder cannot be written by you (${ds.info.path}). Copy the dataset somewhere you can write (Save as table…) to change it.`);
      if (why === 'legacy') throw failure('FORBIDDEN', "This dataset's data files are in Lance's old format (0.1/0.2), which the app reads but does not edit. Upgrade… writes an editable copy in the current format.");
      if (why === 'remote') throw failure('UNSUPPORTED', 'This table is served by LanceDB Cloud or Enterprise: the app browses, filters and searches it there, but writes (labels, columns, tags) go through your LanceDB service, not this app.');
      if (why === 'damaged') throw failure('FORBIDDEN', 'This dataset is damaged and opened read-only at its newest readable version. Save it as a new table to change it.');
      throw failure('FORBIDDEN', `This is version ${ds.info.version}${ds.info.tag ? ` (tag "${ds.info.tag}")` : ''}, opened read-only. Open the latest version to change the dataset, or restore this one.`);
    }
    return ds;
  }

  moved(id: string, version: number): void {
    const ds = this.open.get(id); // closed meanwhile: nothing to update, the work is still done
    if (ds) ds.info = { ...ds.info, version };
  }

  close(id: string): boolean {
    const ds = this.open.get(id);
    if (!ds) return false;
    this.open.delete(id);
    this.images.forget(id);
    this.rows.close(id);
    try {
      ds.table.close();
    } catch {
      // Still in use by a background job (an index build finishing): the handle is dropped with it.
    }
    void ds.dispose?.();
    return true;
  }

  openCount(): number {
    return this.open.size;
  }

  /** The versions sessions have open of the dataset at this path (Clean up keeps them). */
  openVersions(datasetPath: string): number[] {
    return [...this.open.values()].filter((d) => d.info.path === datasetPath).map((d) => d.info.version);
  }

  closeAll(): void {
    for (const id of [...this.open.keys()]) this.close(id);
  }

  async page(id: string, offset: number, limit: number): Promise<RowPage> {
    this.activity.touch();
    const ds = this.get(id);
    const end = Math.min(offset + limit, ds.info.rowCount);
    if (offset >= end) return { offset, rows: [] };
    const order = this.rows.current(id);
    if (order) return this.pageOf(ds, order, offset, limit, `Reading rows ${offset + 1}-${end}`);
    const opening = ds.opening;
    if (opening && opening.version === ds.info.version && end <= opening.page.rows.length) return { offset, rows: opening.page.rows.slice(offset, end) };
    try {
      return await this.readPage(ds.table, ds.pageColumns, offset, end - offset);
    } catch (err) {
      throw classifyReadError(err, `Reading rows ${offset + 1}-${end}`);
    }
  }

  /**
   * Rows `offset..offset+limit` of an ordered list of row ids (a view, or the session order), back in
   * that order: takeRowIds answers in row-id order.
   */
  async pageOf(ds: OpenDataset, order: BigUint64Array, offset: number, limit: number, doing: string, decorate?: (row: RowSummary, position: number) => void, known?: Map<string, Record<string, Cell>>): Promise<RowPage> {
    this.activity.touch();
    const end = Math.min(offset + limit, order.length);
    if (offset >= end) return { offset, rows: [] };
    const ids = Array.from(order.subarray(offset, end));
    let byId: Map<string, Record<string, Cell> | undefined>;
    if (known && ids.every((id) => known.has(String(id)))) byId = known; // read with the search that made the view
    else {
      let batch;
      try {
        batch = await takeRows(ds, ids, ds.pageColumns.map((c) => c.name), { rowId: true, timeoutMs: this.readWaitMs });
      } catch (err) {
        throw classifyReadError(err, doing);
      }
      const cells = tableToCells(batch, ds.pageColumns);
      byId = new Map(rowIdsOf(batch).map((rid, i) => [rid, cells[i]]));
    }
    const rows: RowSummary[] = [];
    ids.forEach((rid, i) => {
      const rowId = String(rid);
      const values = byId.get(rowId);
      if (!values) return;
      const row: RowSummary = { rowId, index: offset + i, values };
      decorate?.(row, offset + i);
      rows.push(row);
    });
    return { offset, rows };
  }

  private async readPage(table: LanceTable, columns: ColumnInfo[], offset: number, limit: number): Promise<RowPage> {
    // Unfiltered offset/limit is pushed down to Lance as a row range: the cost is the same at any offset.
    const batch = await table
      .query()
      .withRowId()
      .select(columns.map((c) => c.name))
      .offset(offset)
      .limit(limit)
      .toArrow({ timeoutMs: this.readWaitMs });
    const cells = tableToCells(batch, columns);
    const ids = rowIdsOf(batch);
    return { offset, rows: cells.map((values, i) => ({ rowId: ids[i] as string, index: offset + i, values })) };
  }

  /**
   * The person chose how to see this dataset (Display…): which column is the image (null: none),
   * the caption, the vector searches use first, remote images, the folder for relative paths. Kept
   * for the next open; the session shows it at once. Any session may choose: nothing is written to
   * the dataset.
   */
  async setDisplay(id: string, asked: DisplayChoice): Promise<DatasetInfo> {
    const ds = this.get(id);
    // An empty root goes back to the default folder.
    const change: DisplayChoice = asked.root === '' ? { ...asked, root: undefined } : asked;
    const byName = new Map(ds.info.columns.map((c) => [c.name, c]));
    if (change.image) {
      const c = byName.get(change.image);
      if (!c || (c.kind !== 'binary' && c.kind !== 'string') || c.unreadable) throw failure('INVALID_PAYLOAD', `"${change.image}" cannot be shown as the image: choose a column of image bytes, or of image paths or URIs.`);
    }
    if (change.caption) {
      const c = byName.get(change.caption);
      if (!c || c.kind !== 'string' || c.unreadable) throw failure('INVALID_PAYLOAD', `"${change.caption}" cannot be the caption: choose a text column.`);
    }
    if (change.vector !== undefined && !ds.info.vectorColumns.includes(change.vector)) throw failure('INVALID_PAYLOAD', `"${change.vector}" is not a vector column of this dataset.`);
    if (change.root !== undefined && change.root !== '' && !path.isAbsolute(change.root)) throw failure('INVALID_PAYLOAD', 'Give the image folder as a full path (starting at the root of the disk).');
    if (change.root) {
      const st = await fs.stat(change.root).catch(() => null);
      if (!st?.isDirectory()) throw failure('NOT_FOUND', `There is no folder at ${change.root}.`);
    }
    const saved = this.options.display ? await this.options.display.set(ds.info.path, ds.info.table, change) : change;
    const shown = displayOf(ds.info.columns, ds.info.imageCandidates ?? [], saved);
    const { asks: _asks, remoteImages: _r, imageRoot: _root, imageKind: _k, ...rest } = ds.info;
    ds.info = { ...rest, ...shown, vectorColumns: vectorOrder(ds.info.columns, saved.vector ?? ds.info.vectorColumns[0]) };
    this.images.forget(id);
    return ds.info;
  }

  async row(id: string, rowId: string): Promise<RowDetail> {
    const ds = this.get(id);
    const columns = ds.info.columns.filter((c) => !c.unreadable);
    let batch;
    try {
      batch = await takeRows(ds, [BigInt(rowId)], columns.map((c) => c.name), { timeoutMs: this.readWaitMs });
    } catch (err) {
      const text = errorText(err);
      if (/out of bounds|invalid row|not found/i.test(text) && !/file/i.test(text)) {
        throw failure('NOT_FOUND', `Row ${rowId} does not exist in this version of the dataset.`, text);
      }
      throw classifyReadError(err, `Reading row ${rowId}`);
    }
    if (batch.numRows === 0) throw failure('NOT_FOUND', `Row ${rowId} does not exist in this version of the dataset.`);
    const values = tableToCells(batch, columns)[0] ?? {};
    return { rowId, values, imageUrl: ds.info.imageColumn ? imageUrl(id, rowId) : null };
  }
}

export const imageUrl = (datasetId: string, rowId: string) => `${IMAGE_ROUTE}${datasetId}/${rowId}`;

/** The person's choice where it still fits the columns, the values' verdict elsewhere, and what to ask. */
function displayOf(columns: ColumnInfo[], candidates: ImageCandidate[], choice: DisplayChoice): Pick<DatasetInfo, 'imageColumn' | 'imageKind' | 'captionColumn' | 'asks' | 'remoteImages' | 'imageRoot'> {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const asks: Array<'image' | 'caption'> = [];
  let imageColumn: string | null;
  let imageKind: 'bytes' | 'reference' | undefined;
  const chosen = choice.image === undefined ? undefined : choice.image === null ? null : byName.get(choice.image);
  if (chosen === null) imageColumn = null;
  else if (chosen && (chosen.kind === 'binary' || chosen.kind === 'string')) {
    imageColumn = chosen.name;
    imageKind = chosen.kind === 'binary' ? 'bytes' : 'reference';
  } else {
    const picked = pickImage(candidates);
    imageColumn = picked.column;
    imageKind = picked.kind;
    if (picked.ask) asks.push('image');
  }
  let captionColumn: string | null;
  const cap = choice.caption === undefined ? undefined : choice.caption === null ? null : byName.get(choice.caption);
  if (cap === null) captionColumn = null;
  else if (cap && cap.kind === 'string') captionColumn = cap.name;
  else {
    const picked = pickCaption(columns, imageColumn);
    captionColumn = picked.column;
    if (picked.ask) asks.push('caption');
  }
  return {
    imageColumn,
    ...(imageKind ? { imageKind } : {}),
    captionColumn,
    ...(asks.length ? { asks } : {}),
    ...(choice.remote ? { remoteImages: true } : {}),
    ...(choice.root ? { imageRoot: choice.root } : {}),
  };
}

/** Vector columns, the one searches use first at the front. */
function vectorOrder(columns: ColumnInfo[], first: string | undefined): string[] {
  const all = columns.filter((c) => c.kind === 'vector' && !c.unreadable).map((c) => c.name);
  return first && all.includes(first) ? [first, ...all.filter((c) => c !== first)] : all;
}

/** Every table of a database: LanceDB Cloud lists them a page at a time. */
async function listAllTables(db: import('./lance').LanceConnection): Promise<string[]> {
  const names: string[] = [];
  for (let page = 0; page < 1000; page++) {
    const next = await db.tableNames({ ...(names.length ? { startAfter: names[names.length - 1] } : {}), limit: 1000 });
    names.push(...next);
    if (next.length < 1000) break;
  }
  return names;
}

/** Refuses work that reads every row when the session is a LanceDB Cloud table, saying why. */
export function refuseRemote(ds: OpenDataset, what: string): void {
  if (ds.info.location === 'remote') {
    throw failure('UNSUPPORTED', `${what} reads every row of the table; over LanceDB Cloud's API that means downloading all of it, so the app does not offer it for remote tables. Run it where the data lives, or on a downloaded copy.`);
  }
}

function displayName(found: string, table: string): string {
  if (isRemoteUri(found)) return found.replace(/^db:\/\//i, '');
  const base = path.basename(found);
  return base === `${table}.lance` ? `${path.basename(path.dirname(found))}/${table}` : `${base}/${table}`;
}

/**
 * "Browse online": LanceDB (through OpenDAL's Hugging Face service) opens
 * hf://datasets/<owner>/<name>/<folder>/<table>.lance as table <table> of database
 * hf://datasets/<owner>/<name>/<folder>. HF_ENDPOINT and HF_TOKEN come from the process environment.
 */
function hubLocation(uri: string): InspectResult {
  const m = /^hf:\/\/datasets\/([A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*)\/((?:[\w.-]+\/)*)([\w.-]+)\.lance\/?$/.exec(uri);
  if (!m || uri.includes('..')) {
    throw failure('INVALID_PAYLOAD', `${uri} is not a Hub dataset address: use hf://datasets/<owner>/<name>/<path>/<table>.lance.`);
  }
  return { path: uri.replace(/\/$/, ''), kind: 'table', tables: [m[3] as string] };
}
