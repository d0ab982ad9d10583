// Every reply that crosses the process boundary is a Result: nothing throws across it.
// Codes are what the UI acts on; messages are what a person reads.

export type ErrorCode =
  | 'INVALID_PAYLOAD' // the request did not match the channel's schema
  | 'UNKNOWN_CHANNEL'
  | 'NOT_FOUND' // path, dataset session, row or job does not exist
  | 'NOT_A_DATASET' // the folder exists but holds no Lance table
  | 'DATASET_CORRUPT' // opens, but reads fail (missing data file, broken manifest)
  | 'NOT_AN_IMAGE' // the bytes of an image cell are not a decodable image
  | 'FORBIDDEN' // the sender is not our own page
  | 'UNSUPPORTED' // the carrier cannot do this (e.g. a native folder picker over the web bridge)
  | 'CANCELLED'
  | 'TIMEOUT' // a query ran out of its time budget (narrow the filter)
  | 'BUSY'
  | 'IO'
  | 'NO_MODEL' // a search by meaning needs a model that is not on this computer (the page offers to get it)
  | 'MODEL' // the model does not fit the column (dimension, space) or could not run
  | 'INTERNAL';

export interface AppError {
  code: ErrorCode;
  message: string;
  /** Optional detail for logs and the "details" disclosure in the UI. */
  detail?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, detail?: string): Result<never> => ({
  ok: false,
  error: detail === undefined ? { code, message } : { code, message, detail },
});
