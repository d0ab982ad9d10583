// The routes both carriers serve with web-standard Request/Response: the built renderer's files and
// images by row. Electron's protocol.handle passes Requests straight in; the web bridge adapts Node's
// http to them. Nothing from a URL becomes a file path: static files come from a map built at start.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ID_PATTERN, IMAGE_ROUTE, IMAGES_ROUTE } from '../shared/channels';
import { encodeImageBatch, MAX_BATCH_ROWS } from '../shared/image-batch';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './security';
import { toAppError } from './services/support/errors';
import type { DatasetService } from './services/dataset/dataset-service';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const IMAGE_PATH = new RegExp(`^${IMAGE_ROUTE}(${ID_PATTERN})/(\\d{1,20})$`);
const IMAGES_PATH = new RegExp(`^${IMAGES_ROUTE}(${ID_PATTERN})$`);
const ROW_LIST = /^\d{1,20}(,\d{1,20})*$/;

export interface StaticFiles {
  /** URL path ("/assets/index-abc.js") -> absolute file path. */
  files: Map<string, string>;
}

export async function indexStaticFiles(root: string): Promise<StaticFiles> {
  const files = new Map<string, string>();
  const walk = async (dir: string) => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) files.set(`/${path.relative(root, abs).split(path.sep).join('/')}`, abs);
    }
  };
  try {
    await walk(root);
  } catch {
    // No build yet: every page request answers with a clear 503 below.
  }
  return { files };
}

function text(status: number, body: string, extra: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS, ...extra } });
}

const STATUS_OF: Record<string, number> = { NOT_FOUND: 404, NOT_AN_IMAGE: 422, DATASET_CORRUPT: 500, IO: 500 };

export async function serveAppRequest(request: Request, datasets: DatasetService, statics: StaticFiles): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method not allowed');
  const { pathname, searchParams } = new URL(request.url);
  if (pathname.startsWith(IMAGES_ROUTE)) return serveImageBatch(request, pathname, searchParams.get('rows'), datasets);
  if (pathname.startsWith(IMAGE_ROUTE)) {
    const m = IMAGE_PATH.exec(pathname);
    if (!m || BigInt(m[2] as string) >= 2n ** 64n) return text(400, 'Bad image id');
    try {
      const img = await datasets.images.get(m[1] as string, m[2] as string);
      return new Response(request.method === 'HEAD' ? null : (img.bytes as Uint8Array<ArrayBuffer>), {
        status: 200,
        headers: {
          'Content-Type': img.mime,
          'Content-Length': String(img.bytes.byteLength),
          // The URL names a dataset session and a row of a pinned version: its bytes never change.
          'Cache-Control': 'private, max-age=31536000, immutable',
          ...SECURITY_HEADERS,
        },
      });
    } catch (err) {
      // The tile shows this text on hover and the detail panel under the image: LanceDB's words made plain.
      const f = toAppError(err, 'Reading the image');
      return text(STATUS_OF[f.code] ?? 500, f.message, { 'X-Error-Code': f.code });
    }
  }
  const file = statics.files.get(pathname === '/' ? '/index.html' : pathname);
  if (!file) {
    if (!statics.files.size) return text(503, 'The renderer is not built yet: run "npm run build".');
    return text(404, 'Not found');
  }
  const ext = path.extname(file);
  const body = await fs.readFile(file);
  const isHtml = ext === '.html';
  return new Response(request.method === 'HEAD' ? null : body, {
    status: 200,
    headers: {
      'Content-Type': MIME[ext] ?? 'application/octet-stream',
      // Hashed asset names can be cached for ever; the HTML that names them must be revalidated.
      'Cache-Control': isHtml ? 'no-cache' : pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(isHtml ? { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } : {}),
      ...SECURITY_HEADERS,
    },
  });
}

/**
 * `/images/<dataset>?rows=1,2,3`: the rows' images in one body (shared/image-batch.ts), each row
 * checked as the single-image route checks it and refused on its own (one bad image does not fail
 * the others). Asked together, they are read by one takeRowIds.
 */
async function serveImageBatch(request: Request, pathname: string, rows: string | null, datasets: DatasetService): Promise<Response> {
  const m = IMAGES_PATH.exec(pathname);
  const ids = rows && ROW_LIST.test(rows) ? rows.split(',') : null;
  if (!m || !ids || ids.length > MAX_BATCH_ROWS || ids.some((id) => BigInt(id) >= 2n ** 64n)) {
    return text(400, `Bad image batch: /images/<dataset>?rows=<row id>,… with 1 to ${MAX_BATCH_ROWS} row ids`);
  }
  const settled = await Promise.allSettled(ids.map((id) => datasets.images.get(m[1] as string, id)));
  const items = settled.map((r, i) => {
    const rowId = ids[i] as string;
    if (r.status === 'fulfilled') return { rowId, mime: r.value.mime, bytes: r.value.bytes };
    const f = toAppError(r.reason, 'Reading the image');
    return { rowId, error: { code: f.code, message: f.message } };
  });
  const body = encodeImageBatch(items);
  return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), {
    status: 200,
    headers: {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(body.byteLength),
      // Names a dataset session and rows of a pinned version, like the single-image route.
      'Cache-Control': 'private, max-age=31536000, immutable',
      ...SECURITY_HEADERS,
    },
  });
}
