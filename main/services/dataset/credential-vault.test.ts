// Credentials typed for a bucket or a LanceDB Cloud database: on the desktop kept only as ciphertext
// (safeStorage's place is taken here by AES-GCM under a key of the test's: the Electron binary is not
// on this machine), over the bridge only in memory; a second run of the desktop app finds them, a
// second bridge does not; nothing readable reaches the disk; forgetting removes both copies.
import { afterAll, describe, expect, it } from 'vitest';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { CredentialVault } from './credential-vault';
import { credentialScope } from '../../../shared/credential-scope';
import { encryptedFileStore, type Cipher } from '../hub/secret-file';
import { tempDir } from '../../test-support/fixtures';

/** A real cipher standing in for the OS keychain (safeStorage): AES-256-GCM under a key kept in memory. */
function keychain(): Cipher {
  const key = randomBytes(32);
  return {
    available: () => true,
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(data) {
      const d = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      d.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([d.update(data.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const creds = { storage: { aws_access_key_id: 'AKIAEXAMPLE', aws_secret_access_key: SECRET, aws_region: 'eu-west-1' } };

describe('the credential vault', () => {
  const t = tempDir('lx-vault-');
  afterAll(() => t.cleanup());

  it('serves every table and version of a bucket or database from one entry', () => {
    expect(credentialScope('s3://Team-Bucket/a/b/laion.lance')).toBe('s3://team-bucket');
    expect(credentialScope('db://team/laion')).toBe('db://team');
    expect(credentialScope('gs://bucket')).toBe('gs://bucket');
  });

  it('on the desktop keeps ciphertext only, which the next run reads back', async () => {
    const cipher = keychain();
    const dir = path.join(t.dir, 'desktop');
    await new CredentialVault(encryptedFileStore(dir, cipher)).remember('s3://bucket/x/laion.lance', creds);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const onDisk = readFileSync(path.join(dir, files[0] as string));
    expect(onDisk.includes(SECRET)).toBe(false);
    expect(onDisk.includes('AKIAEXAMPLE')).toBe(false);
    expect(files[0]).not.toContain('bucket'); // not even the bucket's name
    // The next run: a new vault over the same folder and keychain finds them for another table there.
    const next = new CredentialVault(encryptedFileStore(dir, cipher));
    expect(await next.recall('s3://bucket/other.lance')).toEqual(creds);
    expect(await next.recall('s3://another-bucket/x.lance')).toBeNull();
    // Another keychain (another user) cannot read them.
    expect(await new CredentialVault(encryptedFileStore(dir, keychain())).recall('s3://bucket/x.lance')).toBeNull();
    // Forgotten: gone from memory and from the disk.
    expect(await next.forget('s3://bucket')).toBe(true);
    expect(readdirSync(dir)).toHaveLength(0);
    expect(await next.recall('s3://bucket/x.lance')).toBeNull();
  });

  it('over the web bridge keeps them for this run only, and writes nothing', async () => {
    const before = readdirSync(t.dir);
    const vault = new CredentialVault(null);
    await vault.remember('db://team/laion', { remote: { apiKey: 'sk-live-123' } });
    expect(await vault.recall('db://team/notes')).toEqual({ remote: { apiKey: 'sk-live-123' } });
    expect(await new CredentialVault(null).recall('db://team/notes')).toBeNull();
    expect(readdirSync(t.dir)).toEqual(before);
  });

  it('keeps them for this run when the keychain is not available, and stores nothing', async () => {
    const dir = path.join(t.dir, 'locked');
    const locked: Cipher = { ...keychain(), available: () => false };
    const vault = new CredentialVault(encryptedFileStore(dir, locked));
    await vault.remember('az://container/x.lance', { storage: { azure_storage_account_key: 'k' } });
    expect(await vault.recall('az://container/y.lance')).toEqual({ storage: { azure_storage_account_key: 'k' } });
    expect(existsSync(dir)).toBe(false);
  });
});
