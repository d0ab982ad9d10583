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
  if (MISSING_FILE.test(text) || CORRUPT.test(text)) {
    return failure(
      'DATASET_CORRUPT',
      `${doing} failed: the dataset is damaged or incomplete (a data file is missing or unreadable).`,
      text,
    );
  }
  if (isDiskFull(err)) return failure('IO', `${doing} failed: the disk is full.`, text);
  if (/EACCES|permission denied/i.test(text)) return failure('IO', `${doing} failed: permission denied.`, text);
  return failure('INTERNAL', `${doing} failed: ${firstLine(text)}`, text);
}

export function toAppError(err: unknown, doing = 'The request'): AppError {
  const f = err instanceof AppFailure ? err : classifyReadError(err, doing);
  return f.detail === undefined ? { code: f.code, message: f.message } : { code: f.code, message: f.message, detail: f.detail };
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? s;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
