// Errors inside services are AppFailures (a code the UI can act on + a readable message).
// LanceDB throws plain Errors ("GenericFailure"): classify them by message here, in one place.
import type { AppError, ErrorCode } from '../../../shared/result';

export class AppFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'AppFailure';
  }
}

export const failure = (code: ErrorCode, message: string, detail?: string) => new AppFailure(code, message, detail);

/** Text of any thrown value, first line only for display. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A write failed because the disk (or a quota) is full: from its errno code or LanceDB's message. */
export function isDiskFull(err: unknown): boolean {
  return /ENOSPC|no space/i.test(`${(err as NodeJS.ErrnoException | null)?.code ?? ''} ${errorText(err)}`);
}

const MISSING_FILE = /not ?found|no such file|does not exist|NotFound|os error 2/i;
const CORRUPT = /corrupt|invalid manifest|failed to parse|unexpected end|protobuf|decode|out of range|checksum/i;

/** Turn an error thrown while reading a table into an AppError, naming what the person was doing. */
export function classifyReadError(err: unknown, doing: string): AppFailure {
  if (err instanceof AppFailure) return err;
  const text = errorText(err);
  // Source paths in a panic ("decoder.rs") say nothing about the data: test the words without them.
  const words = text.replace(/\S*\/cargo\/registry\/\S*|\S+\.rs:\d+(?::\d+)?/g, '');
  // Object storage's refusals come first: their texts also name files and paths ("…/data/x.lance"),
  // which the damaged-dataset test below would otherwise take for a missing file.
  const early = /FilteredRead on v1 files|Resources exhausted|Additional allocation failed/i.test(text) ? explainInternal(text) : storageKind(text);
  if (early) return failure(early.code, `${doing} failed: ${early.sentence}`, text);
  if (MISSING_FILE.test(words) || CORRUPT.test(words)) {
    return failure(
      'DATASET_CORRUPT',
      `${doing} failed: the dataset is damaged or incomplete (a data file is missing or unreadable).`,
      text,
    );
  }
  if (isDiskFull(err)) return failure('IO', `${doing} failed: the disk is full.`, text);
  if (/EACCES|permission denied/i.test(text)) return failure('IO', `${doing} failed: permission denied.`, text);
  const known = explainInternal(text);
  if (known) return failure(known.code, `${doing} failed: ${known.sentence}`, text);
  return failure('INTERNAL', `${doing} failed: ${firstLine(text)}`, text);
}

// ---- LanceDB's own texts, as sentences ----
// LanceDB's errors are written for its developers: "lance error: Encountered internal error. Please
// file a bug report at …", Rust panics, cargo registry paths, DataFusion plans. None of that should
// reach the screen: each known kind is a code and a sentence, anything else with those marks a
// general sentence; the raw text always goes along as the detail (the "Details" disclosure).

/** Where LanceDB's raw text starts inside a message ("Reading rows 1-60 failed: Failed to get next batch…"). */
const INTERNAL_MARKS = [
  /Failed to (?:get next batch|execute|create|open|read|take|count|compute|build|merge|add|update|delete)\b[^:]*:/i,
  /\blance error\b/i,
  /LanceError\(/,
  /GenericFailure/,
  /Encountered internal error/i,
  /Please file a bug report/i,
  /panicked at/i,
  /\/cargo\/registry\//,
  /\.rs:\d+/,
  /DataFusion error/i,
  /\bExternal error\b/i,
  /ArrowError|Arrow error:/,
  /\bRuntime error\b/,
];

/**
 * Object storage (S3, GCS, Azure) and LanceDB Cloud answering with a refusal, a throttle or not at
 * all, after LanceDB's own retries with backoff (object_store retries 5xx and dropped connections).
 */
const STORAGE_KNOWN: Array<{ test: RegExp; code: AppError['code']; sentence: string }> = [
  {
    test: /lacked the necessary privileges|AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|InvalidToken|\b403 Forbidden|\b401 Unauthorized|AuthorizationFailure|invalid api key|Unauthenticated/i,
    code: 'FORBIDDEN',
    sentence: 'the storage refused access (the credentials are wrong, lack the right, or have expired). Check the key and its permissions, then try again.',
  },
  { test: /SlowDown|\b503 Service Unavailable|TooManyRequests|\b429 Too Many|ServerBusy|rate limit/i, code: 'BUSY', sentence: 'the storage kept asking to slow down (503 SlowDown), also after LanceDB retried with backoff. Wait a moment and try again.' },
  {
    test: /error sending request|tcp connect error|ConnectionRefused|Connection refused|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|dns error|connection (?:reset|closed)|ECONNRESET/i,
    code: 'IO',
    sentence: 'the storage could not be reached (network), also after LanceDB retried. Check the connection and the endpoint, then try again.',
  },
];

/** A refusal, throttle or dead network of object storage in this text, as a code and a sentence. */
export function storageKind(text: string): { code: AppError['code']; sentence: string } | null {
  const hit = STORAGE_KNOWN.find((k) => k.test.test(text));
  return hit ? { code: hit.code, sentence: hit.sentence } : null;
}

const KNOWN: Array<{ test: RegExp; code: AppError['code']; sentence: string }> = [
  ...STORAGE_KNOWN,
  {
    test: /FilteredRead on v1 files|v1 files?.*not supported/i,
    code: 'UNSUPPORTED',
    sentence: "LanceDB cannot do this on this dataset's old file format (0.1/0.2). Upgrade… makes a copy in the current format that can.",
  },
  { test: /Resources exhausted|memory pool|Additional allocation failed/i, code: 'BUSY', sentence: 'LanceDB ran out of the memory it allows itself for one query. Narrow the filter or the view, or close other work, and try again.' },
  { test: /No vector column found to match with the query vector dimension/i, code: 'INVALID_PAYLOAD', sentence: 'no vector column of this dataset has the dimension of the query.' },
  { test: /No field named|Schema error|field .* not found|column .* (?:does not exist|not found)/i, code: 'INVALID_PAYLOAD', sentence: 'a column it names is not in this version of the dataset.' },
  { test: /Invalid user input|Invalid input|ParserError|sql parser error/i, code: 'INVALID_PAYLOAD', sentence: 'LanceDB did not accept the request (an expression or value it cannot use). The details say which part.' },
  { test: /Commit conflict|conflicting transaction|Retryable commit conflict/i, code: 'BUSY', sentence: 'another program wrote to the dataset at the same moment. Nothing was changed; try again.' },
  {
    test: /Query timeout after/i,
    code: 'TIMEOUT',
    sentence: 'no answer came in time, so the read was stopped: the storage or the network stopped answering (or the disk is very slow). Check the connection and try again.',
  },
  { test: /timed? ?out|deadline/i, code: 'TIMEOUT', sentence: 'it took too long and was stopped.' },
  { test: /ECONNREFUSED|ENOTFOUND|ECONNRESET|connection (?:refused|reset|closed)|dns error|network/i, code: 'IO', sentence: 'the storage could not be reached (network). Check the connection and try again.' },
  { test: /panicked at|Please file a bug report|Encountered internal error/i, code: 'INTERNAL', sentence: 'LanceDB stopped on an internal error (a fault in LanceDB, not in your data as far as the app can tell). Nothing was changed.' },
];

/** A known kind of LanceDB failure in this text, as a code and a sentence; null when none matches. */
export function explainInternal(text: string): { code: AppError['code']; sentence: string } | null {
  const hit = KNOWN.find((k) => k.test.test(text));
  if (hit) return { code: hit.code, sentence: hit.sentence };
  return INTERNAL_MARKS.some((m) => m.test(text)) ? { code: 'INTERNAL', sentence: 'LanceDB reported an error it does not explain. The details hold its words.' } : null;
}

/**
 * A message as a person reads it: any raw LanceDB text inside it (after what the app was doing) is
 * replaced by its sentence; the raw text moves to the detail.
 */
export function plainMessage(message: string, detail: string | undefined): { message: string; detail: string | undefined; code?: AppError['code'] } {
  const at = Math.min(...INTERNAL_MARKS.map((m) => m.exec(message)?.index ?? Infinity));
  if (at === Infinity) return { message, detail };
  const raw = detail ?? message;
  const known = explainInternal(raw) ?? explainInternal(message.slice(at)) ?? { code: 'INTERNAL' as const, sentence: 'LanceDB reported an error it does not explain. The details hold its words.' };
  const prefix = message.slice(0, at).replace(/[\s:;,.-]+$/, '');
  const sentence = prefix ? known.sentence : known.sentence.charAt(0).toUpperCase() + known.sentence.slice(1);
  return { message: prefix ? `${prefix}: ${sentence}` : sentence, detail: raw, code: known.code };
}

export function toAppError(err: unknown, doing = 'The request'): AppError {
  const f = err instanceof AppFailure ? err : classifyReadError(err, doing);
  const plain = plainMessage(f.message, f.detail);
  // A code the app chose stays; an INTERNAL one takes the kind the text names.
  const code = f.code === 'INTERNAL' && plain.code ? plain.code : f.code;
  return plain.detail === undefined ? { code, message: plain.message } : { code, message: plain.message, detail: plain.detail };
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? s;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
