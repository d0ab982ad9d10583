// How LanceDB reaches a dataset in object storage: the storage options it takes (object_store's own
// keys), and its failures there as a person reads them. Credentials given in the app live only in
// the session that uses them (OpenDataset.storage): never in the recent list, the journal or a file.
// Without them, LanceDB uses each cloud's usual sources: AWS_* and AWS_PROFILE (~/.aws), Google's
// application credentials, Azure's environment.
import { errorText, failure, type AppFailure } from '../support/errors';

/** object_store's keys (shared/types.ts STORAGE_OPTION_KEYS: the contract refuses any other) and their values. */
export type StorageOptions = Record<string, string>;


/** A failure of LanceDB against object storage, with what to check. */
export function storageFailure(err: unknown, what: string): AppFailure {
  const text = errorText(err);
  if (/InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|Forbidden|\b403\b|ExpiredToken|InvalidToken/i.test(text)) {
    return failure('FORBIDDEN', `${what}: the storage refused the credentials (access denied). Check the key, the secret and the region, or the profile in use.`, text);
  }
  if (/NoSuchBucket|bucket.*(not found|does not exist)/i.test(text)) return failure('NOT_FOUND', `${what}: there is no such bucket. Check the address.`, text);
  if (/not found|NotFound|NoSuchKey|was not found/i.test(text)) return failure('NOT_FOUND', `${what}: nothing is at that address (no dataset there).`, text);
  if (/SlowDown|\b503\b|TooManyRequests|\b429\b/i.test(text)) return failure('BUSY', `${what}: the storage asked to slow down (503 SlowDown). Try again in a moment.`, text);
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|dns error|connection (refused|reset|closed)|error sending request|timed? ?out/i.test(text)) {
    return failure('IO', `${what}: the storage could not be reached. Check the network and the endpoint.`, text);
  }
  return failure('IO', `${what}: ${(text.split('\n')[0] ?? '').slice(0, 300)}`, text);
}
