// How LanceDB reaches a dataset in object storage: the storage options it takes (object_store's own
// keys), and its failures there as a person reads them. Credentials given in the app live only in
// the session that uses them (OpenDataset.storage): never in the recent list, the journal or a file.
// Without them, LanceDB uses each cloud's usual sources: AWS_* and AWS_PROFILE (~/.aws), Google's
// application credentials, Azure's environment.
import { errorText, failure, storageKind, type AppFailure } from '../support/errors';

/** object_store's keys (shared/types.ts STORAGE_OPTION_KEYS: the contract refuses any other) and their values. */
export type StorageOptions = Record<string, string>;


/** A failure of LanceDB against object storage, with what to check. */
export function storageFailure(err: unknown, what: string): AppFailure {
  const text = errorText(err);
  // Refusals, throttling and a dead network: the same sentences as a read that fails later (errors.ts).
  const kind = storageKind(text);
  if (kind?.code === 'FORBIDDEN') return failure('FORBIDDEN', `${what}: the storage refused the credentials (access denied). Check the key, the secret and the region, or the profile in use.`, text);
  if (/NoSuchBucket|bucket.*(not found|does not exist)/i.test(text)) return failure('NOT_FOUND', `${what}: there is no such bucket. Check the address.`, text);
  if (/not found|NotFound|NoSuchKey|was not found/i.test(text)) return failure('NOT_FOUND', `${what}: nothing is at that address (no dataset there).`, text);
  if (kind) return failure(kind.code, `${what}: ${kind.sentence}`, text);
  if (/timed? ?out/i.test(text)) return failure('TIMEOUT', `${what}: the storage did not answer in time. Check the network and the endpoint.`, text);
  return failure('IO', `${what}: ${(text.split('\n')[0] ?? '').slice(0, 300)}`, text);
}
