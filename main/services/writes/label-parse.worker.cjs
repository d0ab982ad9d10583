// @ts-check
// Streaming parsers for label files (CSV and JSON Lines), run in a worker thread so a large or hostile
// file never blocks the main process: the file is read in 1 MB pieces, rows go to the main thread in
// batches it acknowledges (so memory holds one batch, not the file), and every limit is checked as the
// text arrives, stopping at the first one with the line it is on. Rows are positional arrays matching
// `columns`: no name from the file ever becomes a key of a plain object here.
// The same parsers are exported for use in-process (parseCsvText, for small texts and tests).
'use strict';

const { parentPort, workerData, isMainThread } = require('node:worker_threads');
const fs = require('node:fs');

/** @typedef {string | number | boolean | null} Cell */
/** @typedef {{ maxRows: number, maxColumns: number, maxLineBytes: number, maxCellBytes: number }} Limits */

class ParseError extends Error {}

const fmt = (/** @type {number} */ n) => n.toLocaleString('en-US');
const kb = (/** @type {number} */ n) => (n >= 1024 * 1024 ? `${n / (1024 * 1024)} MB` : `${n / 1024} kB`);

/**
 * RFC 4180 CSV, fed in pieces: a header line, fields separated by commas, quoted with "" where
 * needed; cells are text (empty cells are null). A BOM from spreadsheet programs is dropped. The
 * state lives across pieces, so a piece may end anywhere (inside a quote, between \r and \n).
 * @param {Limits} limits
 * @param {(columns: string[]) => void} onHeader
 * @param {(row: Cell[]) => void} onRow
 */
function createCsvParser(limits, onHeader, onRow) {
  let field = '';
  /** @type {string[]} */
  let record = [];
  /** 'plain': outside quotes; 'quoted': inside; 'quote': a " inside quotes (doubled, or the end). */
  let state = 'plain';
  let cr = false;
  let line = 1;
  let recordStartLine = 1;
  let recordChars = 0;
  let first = true;
  /** @type {string[] | null} */
  let columns = null;
  let rows = 0;

  const endField = () => {
    record.push(field);
    field = '';
    if (record.length > limits.maxColumns) throw new ParseError(`Line ${recordStartLine} has more than ${fmt(limits.maxColumns)} fields.`);
  };
  const endRecord = () => {
    endField();
    const r = record;
    record = [];
    recordChars = 0;
    recordStartLine = line;
    if (r.length === 1 && r[0] === '') return; // a blank line
    if (!columns) {
      const header = r.map((h) => h.trim());
      const dup = header.find((c, i) => header.indexOf(c) !== i);
      if (dup !== undefined) throw new ParseError(`The header names "${dup.slice(0, 60)}" twice.`);
      columns = header;
      onHeader(header);
      return;
    }
    rows++;
    if (rows > limits.maxRows) throw new ParseError(`The file has more than ${fmt(limits.maxRows)} rows.`);
    if (r.length !== columns.length) throw new ParseError(`Row ${rows} has ${r.length} fields; the header has ${columns.length}.`);
    onRow(r.map((v) => (v === '' ? null : v)));
  };

  /** Count what a record has taken so far against the limits. */
  const grow = (/** @type {number} */ n) => {
    recordChars += n;
    if (field.length > limits.maxCellBytes) throw new ParseError(`Line ${recordStartLine}: a field is longer than ${kb(limits.maxCellBytes)}.`);
    if (recordChars > limits.maxLineBytes) {
      throw new ParseError(`Line ${recordStartLine} is longer than ${kb(limits.maxLineBytes)}: this does not look like a labels file.`);
    }
  };

  return {
    /** @param {string} text */
    feed(text) {
      let i = 0;
      if (first && text.length) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) i = 1;
      }
      const special = /[",\r\n]/g;
      while (i < text.length) {
        if (cr) {
          cr = false;
          if (text[i] === '\n') {
            i++; // the \n of a \r\n
            continue;
          }
        }
        if (state === 'quote') {
          if (text[i] === '"') {
            field += '"';
            state = 'quoted';
            i++;
            recordChars++;
            continue;
          }
          state = 'plain'; // the quote closed the field's quoted part; what follows is plain text
        }
        if (state === 'quoted') {
          // Up to the next quote in one slice.
          const q = text.indexOf('"', i);
          const stop = q < 0 ? text.length : q;
          const piece = text.slice(i, stop);
          for (let n = piece.indexOf('\n'); n >= 0; n = piece.indexOf('\n', n + 1)) line++;
          field += piece;
          grow(piece.length + (q < 0 ? 0 : 1));
          if (q >= 0) state = 'quote';
          i = stop + (q < 0 ? 0 : 1);
          continue;
        }
        // Plain text up to the next comma, quote or line end, in one slice.
        special.lastIndex = i;
        const m = special.exec(text);
        const stop = m ? m.index : text.length;
        if (stop > i) {
          field += text.slice(i, stop);
          grow(stop - i);
        }
        if (!m) break;
        const ch = m[0];
        i = stop + 1;
        grow(1);
        if (ch === '"') {
          if (field === '') state = 'quoted';
          else field += '"';
        } else if (ch === ',') endField();
        else {
          cr = ch === '\r';
          line++;
          endRecord();
        }
      }
    },
    end() {
      if (state === 'quoted') throw new ParseError(`A quoted field that starts before line ${line} is never closed.`);
      if (field !== '' || record.length) endRecord();
      if (!columns) throw new ParseError('The CSV file is empty: it needs a header line such as "key,quality".');
      return { columns, rows };
    },
  };
}

/**
 * JSON Lines, fed in pieces: one object of plain values per line; columns are the keys in the order
 * they first appear.
 * @param {Limits} limits
 * @param {(row: Cell[], columns: string[]) => void} onRow
 */
function createJsonlParser(limits, onRow) {
  /** @type {string[]} */
  const columns = [];
  /** @type {Map<string, number>} */
  const index = new Map();
  let buffer = '';
  let line = 0;
  let rows = 0;

  /** @param {string} raw */
  const takeLine = (raw) => {
    line++;
    const text = raw.trim();
    if (!text) return;
    /** @type {unknown} */
    let obj;
    try {
      obj = JSON.parse(text);
    } catch {
      throw new ParseError(`Line ${line} is not valid JSON.`);
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new ParseError(`Line ${line} is not a JSON object ({"key": ..., "label": ...}).`);
    /** @type {Cell[]} */
    const row = new Array(columns.length).fill(null);
    for (const [k, v] of Object.entries(obj)) {
      let at = index.get(k);
      if (at === undefined) {
        if (columns.length >= limits.maxColumns) throw new ParseError(`Line ${line}: the file has more than ${fmt(limits.maxColumns)} columns.`);
        at = columns.length;
        index.set(k, at);
        columns.push(k);
      }
      if (v === null || v === undefined) row[at] = null;
      else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        if (typeof v === 'string' && v.length > limits.maxCellBytes) throw new ParseError(`Line ${line}, column "${k.slice(0, 60)}": a value is longer than ${kb(limits.maxCellBytes)}.`);
        row[at] = v;
      } else throw new ParseError(`Row ${line}, column "${k.slice(0, 60)}": only plain values (text, numbers, true/false) can be labels.`);
    }
    rows++;
    if (rows > limits.maxRows) throw new ParseError(`The file has more than ${fmt(limits.maxRows)} rows.`);
    onRow(row, columns);
  };

  return {
    /** @param {string} text */
    feed(text) {
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        const piece = buffer + text.slice(start, nl);
        buffer = '';
        if (piece.length > limits.maxLineBytes) throw new ParseError(`Line ${line + 1} is longer than ${kb(limits.maxLineBytes)}: this does not look like a labels file.`);
        takeLine(piece);
        start = nl + 1;
      }
      buffer += text.slice(start);
      if (buffer.length > limits.maxLineBytes) throw new ParseError(`Line ${line + 1} is longer than ${kb(limits.maxLineBytes)}: this does not look like a labels file.`);
    },
    end() {
      if (buffer) takeLine(buffer);
      buffer = '';
      return { columns, rows };
    },
  };
}

/** A whole CSV text at once (small texts; tests). */
function parseCsvText(/** @type {string} */ text, /** @type {Limits} */ limits) {
  /** @type {string[]} */
  let columns = [];
  /** @type {Cell[][]} */
  const rows = [];
  const p = createCsvParser(limits, (c) => (columns = c), (r) => rows.push(r));
  p.feed(text);
  p.end();
  return { columns, rows };
}

/**
 * The worker: parse `file`, post batches of rows, wait for "more" after each. Messages out:
 * { type: 'rows', columns, rows, bytes } | { type: 'end', columns, rows, bytes } | { type: 'error', message }.
 */
async function run() {
  if (!parentPort) return;
  const port = parentPort;
  /** @type {{ file: string, format: 'csv' | 'jsonl', limits: Limits, batchRows: number }} */
  const job = workerData;
  /** @type {Cell[][]} */
  let batch = [];
  /** @type {string[]} */
  let columns = [];
  let bytes = 0;
  /** @type {(() => void) | null} */
  let resume = null;
  port.on('message', (m) => {
    if (m === 'more' && resume) {
      const r = resume;
      resume = null;
      r();
    }
  });
  const flush = async () => {
    port.postMessage({ type: 'rows', columns, rows: batch, bytes });
    batch = [];
    await new Promise((r) => (resume = /** @type {() => void} */ (r)));
  };
  try {
    const parser =
      job.format === 'csv'
        ? createCsvParser(job.limits, (c) => (columns = c), (r) => batch.push(r))
        : createJsonlParser(job.limits, (r, c) => {
            columns = c;
            batch.push(r);
          });
    const decoder = new TextDecoder('utf-8');
    const stream = fs.createReadStream(job.file, { highWaterMark: 1024 * 1024 });
    for await (const chunk of stream) {
      bytes += /** @type {Buffer} */ (chunk).length;
      parser.feed(decoder.decode(/** @type {Buffer} */ (chunk), { stream: true }));
      if (batch.length >= job.batchRows) await flush();
    }
    parser.feed(decoder.decode());
    const done = parser.end();
    if (batch.length) await flush();
    port.postMessage({ type: 'end', columns: done.columns, rows: done.rows, bytes });
  } catch (err) {
    const e = /** @type {Error & { code?: string }} */ (err);
    port.postMessage({ type: 'error', message: e instanceof ParseError ? e.message : `The file could not be read: ${e.code ?? e.message}`, parse: e instanceof ParseError });
  }
}

if (!isMainThread && workerData && workerData.labelParse) void run();

module.exports = { createCsvParser, createJsonlParser, parseCsvText, ParseError };
