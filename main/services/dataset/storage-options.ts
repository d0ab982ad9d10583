// How LanceDB reaches a dataset in object storage or LanceDB Cloud: the connection options it takes
// (object_store's own keys; an API key, region and host), and its failures there as a person reads
// them. Credentials typed in the app are kept by credential-vault.ts (encrypted on the desktop, for
// the run over the bridge), never in the recent list, the journal or a log. Without them, LanceDB
// uses each cloud's usual sources: AWS_* and AWS_PROFILE (~/.aws), Google's application
// credentials, Azure's environment, LANCEDB_API_KEY.
import { errorText, failure, storageKind, type AppFailure } from '../support/errors';
import { isRemoteUri } from './dataset-locate';

/** object_store's keys (shared/types.ts STORAGE_OPTION_KEYS: the contract refuses any other) and their values. */
export type StorageOptions = Record<string, string>;

/** How the app reaches a LanceDB Cloud or Enterprise database. */
export interface RemoteOptions {
  apiKey?: string;
  region?: string;
  hostOverride?: string;
}

/** What was typed for a bucket (storage options) or a LanceDB Cloud database (remote). */
export interface Credentials {
  storage?: StorageOptions;
  remote?: RemoteOptions;
}


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

export type ConnectOptions = Partial<import('@lancedb/lancedb').ConnectionOptions>;

/**
 * LanceDB's connection options for an address: storage options for object storage; for a LanceDB
 * Cloud or Enterprise database its API key (else LANCEDB_API_KEY), region and host, with the
 * client's own retries (with backoff) and time limits, so a dead network answers in seconds.
 */
export function connectOptions(uri: string, creds: Credentials | undefined, env: NodeJS.ProcessEnv = process.env): ConnectOptions | undefined {
  if (isRemoteUri(uri)) {
    const r: RemoteOptions = creds?.remote ?? {};
    const apiKey = r.apiKey ?? env.LANCEDB_API_KEY;
    if (!apiKey) throw failure('FORBIDDEN', `${uri} needs an API key: type it in the Open dialog, or set LANCEDB_API_KEY.`);
    return {
      apiKey,
      region: r.region ?? env.LANCEDB_REGION ?? 'us-east-1',
      ...(r.hostOverride ?? env.LANCEDB_HOST_OVERRIDE ? { hostOverride: (r.hostOverride ?? env.LANCEDB_HOST_OVERRIDE) as string } : {}),
      clientConfig: { retryConfig: { retries: 3, backoffFactor: 0.25 }, timeoutConfig: { connectTimeout: 10, readTimeout: 60 } },
    } as ConnectOptions;
  }
  return creds?.storage ? { storageOptions: creds.storage } : undefined;
}

/** A remote failure (LanceDB Cloud's REST API) as a person reads it. */
export function remoteFailure(err: unknown, what: string): AppFailure {
  const text = errorText(err);
  if (/\b401\b|Unauthorized|invalid api key|\b403\b|Forbidden/i.test(text)) return failure('FORBIDDEN', `${what}: LanceDB Cloud refused the API key. Check the key, the region and the host.`, text);
  if (/not found|\b404\b/i.test(text)) return failure('NOT_FOUND', `${what}: there is no such table in that database.`, text);
  return storageFailure(err, what);
}
