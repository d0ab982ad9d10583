// A local stand-in for LanceDB Cloud / Enterprise, for the tests and the benches: the REST endpoints
// the Node client (@lancedb/lancedb, remote mode) calls, as observed from the client and read in its
// source (rust/lancedb/src/remote/): GET /v1/table/ lists tables; POST /v1/table/{name}/describe/,
// /count_rows/, /query/ (answered as an Arrow IPC file), /explain_plan/, /version/list/, /index/list/,
// /index/{name}/stats/. Each request
// is answered by a real LanceDB table in a local folder, so filters, vector search and full-text
// search give LanceDB's own answers. Every request is recorded (method, path, JSON body), the API key
// is checked (401 otherwise), and faults can be switched on, as in the S3 peer.
import { createServer, type Server } from 'node:http';
import { arrow, lancedb, type ArrowField, type LanceTable } from '../services/dataset/lance';

export interface CloudRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
  database: string | undefined;
}

export interface LanceDbCloudPeer {
  /** What the client's hostOverride points at (http://127.0.0.1:port). */
  host: string;
  apiKey: string;
  /** The database name the client sends (x-lancedb-database): db://<database>. */
  database: string;
  requests: CloudRequest[];
  /** The next `times` requests whose "METHOD path" match answer `status` instead. */
  fail(match: RegExp, status: number, times: number): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

/** A field in LanceDB's JSON schema (lance's JsonField: {name, type: {type, fields?, length?}, nullable}). */
function jsonField(f: ArrowField): Record<string, unknown> {
  return { name: f.name, type: jsonType(f.type), nullable: f.nullable };
}

function jsonType(t: import('apache-arrow').DataType): Record<string, unknown> {
  const T = arrow.Type;
  const any = t as unknown as { bitWidth?: number; isSigned?: boolean; precision?: number; unit?: number; children?: ArrowField[]; listSize?: number };
  switch (t.typeId) {
    case T.Null:
      return { type: 'null' };
    case T.Bool:
      return { type: 'bool' };
    case T.Int:
      return { type: `${any.isSigned ? '' : 'u'}int${any.bitWidth}` };
    case T.Float:
      return { type: any.precision === 0 ? 'halffloat' : any.precision === 1 ? 'float' : 'double' };
    case T.Utf8:
      return { type: 'string' };
    case T.LargeUtf8:
      return { type: 'large_string' };
    case T.Binary:
      return { type: 'binary' };
    case T.LargeBinary:
      return { type: 'large_binary' };
    case T.Date:
      return { type: any.unit === 0 ? 'date32:day' : 'date64:ms' };
    case T.Timestamp:
      return { type: `timestamp:${['s', 'ms', 'us', 'ns'][any.unit ?? 2]}` };
    case T.FixedSizeList:
      return { type: 'fixed_size_list', fields: (any.children ?? []).map(jsonField), length: any.listSize };
    case T.List:
      return { type: 'list', fields: (any.children ?? []).map(jsonField) };
    case T.Struct:
      return { type: 'struct', fields: (any.children ?? []).map(jsonField) };
    default:
      return { type: 'string' };
  }
}

/** JSON.parse turns the client's "no limit" (2^63 - 1) into a float: anything that large is no limit. */
const limitOf = (k: unknown) => (typeof k === 'number' && k > 0 && k < 2 ** 40 ? k : undefined);

export async function startLanceDbCloudPeer(opts: { dir: string; apiKey?: string; database?: string }): Promise<LanceDbCloudPeer> {
  const apiKey = opts.apiKey ?? 'sk-test-key';
  const database = opts.database ?? 'team';
  const db = await lancedb.connect(opts.dir);
  const requests: CloudRequest[] = [];
  const faults: Array<{ match: RegExp; status: number; left: number }> = [];
  const tables = new Map<string, LanceTable>();
  const tableAt = async (name: string, version: unknown): Promise<LanceTable | null> => {
    if (!(await db.tableNames()).includes(name)) return null;
    // A handle per table, moved to the asked version for each request (requests are served one at a time).
    let t = tables.get(name);
    if (!t) tables.set(name, (t = await db.openTable(name)));
    if (typeof version === 'number') await t.checkout(version);
    else await t.checkoutLatest();
    return t;
  };
  let queue = Promise.resolve();

  const answer = async (method: string, url: URL, body: Record<string, unknown> | null): Promise<{ status: number; type: string; data: string | Uint8Array }> => {
    const json = (status: number, v: unknown) => ({ status, type: 'application/json', data: JSON.stringify(v) });
    if (method === 'GET' && url.pathname === '/v1/table/') {
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      const after = url.searchParams.get('page_token');
      const names = (await db.tableNames()).filter((n) => !after || n > after).slice(0, limit);
      return json(200, { tables: names });
    }
    const stats = /^\/v1\/table\/([^/]+)\/index\/([^/]+)\/stats\/$/.exec(url.pathname);
    if (stats && method === 'POST') {
      const t = await tableAt(decodeURIComponent(stats[1] as string), body?.version);
      const s = t ? await t.indexStats(decodeURIComponent(stats[2] as string)) : undefined;
      if (!s) return json(404, { error: `Index not found: ${stats[2]}` });
      // The server's names: snake_case fields, the index type in capitals (IVF_PQ, BTREE, FTS).
      const type = s.indexType.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
      return json(200, { num_indexed_rows: s.numIndexedRows, num_unindexed_rows: s.numUnindexedRows, index_type: type, ...(s.distanceType ? { distance_type: s.distanceType.toLowerCase() } : {}), num_indices: s.numIndices ?? 1 });
    }
    const m = /^\/v1\/table\/([^/]+)\/(describe|count_rows|query|explain_plan|version\/list|index\/list)\/$/.exec(url.pathname);
    if (!m || method !== 'POST') return json(404, { error: `no route ${method} ${url.pathname}` });
    const t = await tableAt(decodeURIComponent(m[1] as string), body?.version);
    if (!t) return json(404, { error: `Table not found: ${m[1]}` });
    switch (m[2]) {
      case 'describe':
        return json(200, { table: m[1], version: await t.version(), schema: { fields: (await t.schema()).fields.map(jsonField) } });
      case 'count_rows':
        return json(200, await t.countRows(typeof body?.predicate === 'string' ? body.predicate : undefined));
      case 'version/list':
        return json(200, { versions: (await t.listVersions()).map((v) => ({ version: v.version, timestamp: v.timestamp, metadata: v.metadata })) });
      case 'index/list':
        return json(200, { indexes: (await t.listIndices()).map((i) => ({ index_name: i.name, columns: i.columns, index_uuid: i.name, index_status: 'done' })) });
      default: {
        // explain_plan wraps the query it plans: {query, verbose}; its answer is the plan as a JSON string.
        const explain = m[2] === 'explain_plan';
        const q = (explain ? (body?.query as Record<string, unknown> | undefined) : body) ?? {};
        const columns = Array.isArray(q.columns) ? (q.columns as unknown[]).map((c) => (Array.isArray(c) ? String(c[0]) : String(c))) : undefined;
        const vector = Array.isArray(q.vector) ? (q.vector as number[]) : [];
        const fts = q.full_text_query as { query?: string; columns?: string[] } | undefined;
        let query;
        if (vector.length) {
          let v = t.vectorSearch(vector).distanceType((q.distance_type as 'l2' | 'cosine' | 'dot') ?? 'l2');
          if (typeof q.vector_column === 'string') v = v.column(q.vector_column);
          if (typeof q.nprobes === 'number' && q.nprobes > 0) v = v.nprobes(q.nprobes);
          if (typeof q.refine_factor === 'number') v = v.refineFactor(q.refine_factor);
          if (q.bypass_vector_index) v = v.bypassVectorIndex();
          if (q.prefilter === false) v = v.postfilter();
          query = v;
        } else if (fts?.query) {
          query = t.search(fts.query, 'fts', fts.columns?.length ? fts.columns : undefined);
        } else {
          query = t.query();
        }
        if (typeof q.filter === 'string') query = query.where(q.filter);
        if (columns) query = query.select(columns);
        if (q.with_row_id) query = query.withRowId();
        const limit = limitOf(q.k);
        if (limit !== undefined) query = query.limit(limit);
        if (typeof q.offset === 'number' && q.offset > 0) query = query.offset(q.offset);
        if (explain) return json(200, await query.explainPlan(!!body?.verbose));
        const result = await query.toArrow();
        return { status: 200, type: 'application/vnd.apache.arrow.file', data: arrow.tableToIPC(result, 'file') };
      }
    }
  };

  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(parts).toString('utf8');
      let body: Record<string, unknown> | null = null;
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      } catch {
        body = null;
      }
      const asked = req.headers['x-lancedb-database'] as string | undefined;
      requests.push({ method: req.method ?? 'GET', path: url.pathname, body, database: asked });
      const fault = faults.find((f) => f.left > 0 && f.match.test(`${req.method} ${url.pathname}`));
      if (fault) {
        fault.left--;
        res.writeHead(fault.status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `injected by the test (${fault.status})` }));
        return;
      }
      if (req.headers['x-api-key'] !== apiKey) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'Unauthorized: invalid API key' }));
        return;
      }
      if (asked !== database) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `Database not found: ${asked}` }));
        return;
      }
      // One request at a time: the table handles are moved between versions per request.
      queue = queue.then(async () => {
        try {
          const r = await answer(req.method ?? 'GET', url, body);
          res.writeHead(r.status, { 'Content-Type': r.type }).end(r.data);
        } catch (err) {
          res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: String((err as Error).message ?? err) }));
        }
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    apiKey,
    database,
    requests,
    fail(match, status, times) {
      faults.push({ match, status, left: times });
    },
    clearFaults() {
      faults.length = 0;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      for (const t of tables.values()) t.close();
    },
  };
}
