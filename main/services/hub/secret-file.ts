// A SecretStore over a cipher the platform provides (Electron's safeStorage: the OS keychain or
// DPAPI). Only ciphertext reaches the disk; with no cipher available nothing is stored at all.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SecretStore } from '../support/secret-store';

export interface Cipher {
  available(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

export function encryptedFileStore(dir: string, cipher: Cipher): SecretStore {
  const file = (name: string) => path.join(dir, `${name.replace(/[^a-z0-9-]/gi, '_')}.bin`);
  return {
    available: () => cipher.available(),
    async save(name, value) {
      if (value === null) return void (await fs.rm(file(name), { force: true }));
      if (!cipher.available()) throw new Error('No encryption available: the secret is not stored.');
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await fs.writeFile(`${file(name)}.tmp`, cipher.encrypt(value), { mode: 0o600 });
      await fs.rename(`${file(name)}.tmp`, file(name));
    },
    async load(name) {
      if (!cipher.available()) return null;
      try {
        return cipher.decrypt(await fs.readFile(file(name)));
      } catch {
        return null;
      }
    },
  };
}
