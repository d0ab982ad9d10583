// Several rows' images in one response, so a screen of tiles is a few requests instead of one per
// tile: over HTTP/1.1 a browser runs six at a time, and after a jump the visible tiles waited in
// waves of six. The body is a 4-byte big-endian length, that many bytes of UTF-8 JSON (one item per
// asked row, in order), then the image bytes of the items that have them, back to back.

/** At most this many rows per request (the image store reads up to 64 at once). */
export const MAX_BATCH_ROWS = 48;

export type BatchItem =
  | { rowId: string; mime: string; size: number }
  | { rowId: string; error: { code: string; message: string } };

export function encodeImageBatch(items: Array<{ rowId: string; mime: string; bytes: Uint8Array } | { rowId: string; error: { code: string; message: string } }>): Uint8Array {
  const head = items.map((i) => ('bytes' in i ? { rowId: i.rowId, mime: i.mime, size: i.bytes.byteLength } : i));
  const json = new TextEncoder().encode(JSON.stringify(head));
  const total = 4 + json.byteLength + items.reduce((n, i) => n + ('bytes' in i ? i.bytes.byteLength : 0), 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, json.byteLength);
  out.set(json, 4);
  let at = 4 + json.byteLength;
  for (const i of items) {
    if (!('bytes' in i)) continue;
    out.set(i.bytes, at);
    at += i.bytes.byteLength;
  }
  return out;
}

/** Each item with its bytes as a slice of the body; throws on a body that does not add up. */
export function decodeImageBatch(body: ArrayBuffer): Array<{ rowId: string; mime: string; bytes: ArrayBuffer } | { rowId: string; error: { code: string; message: string } }> {
  if (body.byteLength < 4) throw new Error('The image batch is cut short.');
  const n = new DataView(body).getUint32(0);
  if (4 + n > body.byteLength) throw new Error('The image batch is cut short.');
  const head = JSON.parse(new TextDecoder().decode(new Uint8Array(body, 4, n))) as BatchItem[];
  if (!Array.isArray(head)) throw new Error('The image batch has no list of items.');
  let at = 4 + n;
  return head.map((item) => {
    if ('error' in item) return item;
    if (!Number.isInteger(item.size) || item.size < 0 || at + item.size > body.byteLength) throw new Error('The image batch is cut short.');
    const bytes = body.slice(at, at + item.size);
    at += item.size;
    return { rowId: item.rowId, mime: item.mime, bytes };
  });
}
