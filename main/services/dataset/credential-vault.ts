// Credentials typed in the app for a bucket (s3://, gs://, az://) or a LanceDB Cloud database (db://),
// kept so that opening another table, a version or the same address on the next run does not ask
// again. Kept in this run's memory; on the desktop also as safeStorage ciphertext (the OS keychain or
// DPAPI, through the platform's SecretStore), never as plain text. Over the web bridge there is no
// SecretStore: credentials last as long as the bridge runs. Never in the recent list or a log.
import { createHash } from 'node:crypto';
import type { SecretStore } from '../support/secret-store';
import type { Credentials } from './storage-options';
import { credentialScope } from '../../../shared/credential-scope';

export class CredentialVault {
  private readonly session = new Map<string, Credentials>();

  constructor(private readonly store: SecretStore | null) {}

  /** The secret's name in the store: a digest, so not even the bucket's name is on disk in clear. */
  private name(scope: string): string {
    return `storage-${createHash('sha256').update(scope).digest('hex').slice(0, 32)}`;
  }

  /** Keep credentials that just worked for this address's bucket or database. */
  async remember(address: string, credentials: Credentials): Promise<void> {
    const scope = credentialScope(address);
    this.session.set(scope, credentials);
    // Kept encrypted where the platform can; a keychain that refuses leaves them for this run only.
    if (this.store?.available()) await this.store.save(this.name(scope), JSON.stringify(credentials)).catch(() => {});
  }

  async recall(address: string): Promise<Credentials | null> {
    const scope = credentialScope(address);
    const kept = this.session.get(scope);
    if (kept) return kept;
    if (!this.store?.available()) return null;
    const text = await this.store.load(this.name(scope)).catch(() => null);
    if (!text) return null;
    try {
      const parsed = JSON.parse(text) as Credentials;
      this.session.set(scope, parsed);
      return parsed;
    } catch {
      return null;
    }
  }

  async forget(address: string): Promise<boolean> {
    const scope = credentialScope(address);
    const had = this.session.delete(scope) || !!(this.store?.available() && (await this.store.load(this.name(scope)).catch(() => null)));
    if (this.store?.available()) await this.store.save(this.name(scope), null).catch(() => {});
    return had;
  }
}
