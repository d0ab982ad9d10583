// Secrets at rest (the Hub token, storage credentials): saved only where the platform encrypts them
// (Electron's safeStorage); absent over the web bridge. hub/secret-file.ts is the file-backed one.
export interface SecretStore {
  available(): boolean;
  /** null removes the secret. */
  save(name: string, value: string | null): Promise<void>;
  load(name: string): Promise<string | null>;
}
