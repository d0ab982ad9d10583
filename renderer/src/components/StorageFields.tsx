// What a dataset in object storage or LanceDB Cloud needs beside its address, shown when the address
// is s3://, gs://, az:// or db://. Every field may stay empty: LanceDB then uses the usual sources
// (AWS_PROFILE and ~/.aws, the AWS_* environment, Google's application credentials, Azure's
// environment, LANCEDB_API_KEY). What is typed here goes to the main process once; main keeps it for
// the bucket or database (encrypted on the desktop, for this run over the bridge), never in the
// recent list. The window forgets it when the dialog closes.
import { useState, type ReactNode } from 'react';
import { api } from '../api/client';
import { credentialScope } from '../../../shared/credential-scope';
import type { OpenAt } from '../hooks/useSession';

export type StorageForm = { endpoint: string; region: string; keyId: string; secret: string; allowHttp: boolean; account: string; accountKey: string; serviceAccount: string; apiKey: string; host: string };

export const emptyStorageForm: StorageForm = { endpoint: '', region: '', keyId: '', secret: '', allowHttp: false, account: '', accountKey: '', serviceAccount: '', apiKey: '', host: '' };

export type CloudScheme = 's3' | 'gs' | 'az' | 'db';

export const cloudScheme = (p: string): CloudScheme | null => {
  const m = /^(s3a?|gs|az|abfss?|db):\/\//i.exec(p.trim());
  if (!m) return null;
  const s = (m[1] as string).toLowerCase();
  return s.startsWith('s3') ? 's3' : s === 'gs' ? 'gs' : s === 'db' ? 'db' : 'az';
};

/** What the open request carries: storage options for object storage, the remote options for db://. */
export type TypedCredentials = Pick<OpenAt, 'storage' | 'remote'>;
type StorageOptions = NonNullable<TypedCredentials['storage']>;

export function credentialsOf(scheme: CloudScheme, f: StorageForm): TypedCredentials | undefined {
  if (scheme === 'db') {
    const remote: NonNullable<TypedCredentials['remote']> = {};
    if (f.apiKey.trim()) remote.apiKey = f.apiKey.trim();
    if (f.region.trim()) remote.region = f.region.trim();
    if (f.host.trim()) remote.hostOverride = f.host.trim();
    return Object.keys(remote).length ? { remote } : undefined;
  }
  const storage = storageOptionsOf(scheme, f);
  return Object.keys(storage).length ? { storage } : undefined;
}

/** The form as LanceDB's storage options (object_store's keys); empty fields are left out. */
export function storageOptionsOf(scheme: 's3' | 'gs' | 'az', f: StorageForm): StorageOptions {
  const o: StorageOptions = {};
  const put = (k: keyof StorageOptions, v: string) => v.trim() && (o[k] = v.trim());
  if (scheme === 's3') {
    put('aws_endpoint', f.endpoint);
    put('aws_region', f.region);
    put('aws_access_key_id', f.keyId);
    put('aws_secret_access_key', f.secret);
    // A custom endpoint (MinIO, a local server) is addressed path-style.
    if (f.endpoint.trim()) o.aws_virtual_hosted_style_request = 'false';
  } else if (scheme === 'gs') put('google_service_account', f.serviceAccount);
  else {
    put('azure_storage_account_name', f.account);
    put('azure_storage_account_key', f.accountKey);
    put('azure_storage_endpoint', f.endpoint);
  }
  if (f.allowHttp) o.allow_http = 'true';
  return o;
}

function Field({ id, label, hint, children }: { id: string; label: string; hint: string; children: ReactNode }) {
  return (
    <div className="storage-field">
      <label htmlFor={id}>{label}</label>
      {children}
      <span className="muted">{hint}</span>
    </div>
  );
}

export function StorageFields({ scheme, address, desktop, form, onChange }: { scheme: CloudScheme; address: string; desktop: boolean; form: StorageForm; onChange(f: StorageForm): void }) {
  const [forgot, setForgot] = useState<string | null>(null);
  const scope = credentialScope(address);
  const forget = async () => {
    const r = await api.forgetCredentials({ path: scope });
    setForgot(r.ok ? (r.value.forgotten ? `The credentials kept for ${scope} are forgotten.` : `No credentials were kept for ${scope}.`) : r.error.message);
  };
  const text = (k: keyof StorageForm, secret = false) => (
    <input id={`storage-${k}`} type={secret ? 'password' : 'text'} value={form[k] as string} autoComplete="off" spellCheck={false} onChange={(e) => onChange({ ...form, [k]: e.target.value })} data-testid={`storage-${k}`} />
  );
  return (
    <fieldset className="storage-fields" data-testid="storage-fields">
      <legend>{scheme === 'db' ? 'LanceDB Cloud or Enterprise (db://)' : `Object storage (${scheme}://)`}</legend>
      <p className="muted" data-testid="storage-keeping">
        Leave empty to use {scheme === 'db' ? 'LANCEDB_API_KEY' : 'the usual sources'}
        {scheme === 's3' ? ': AWS_PROFILE and ~/.aws, the AWS_* environment, an instance role' : scheme === 'gs' ? ": Google's application default credentials" : scheme === 'az' ? ": Azure's AZURE_STORAGE_* environment" : ''}, or what was kept for {scope}.{' '}
        {desktop ? 'What you type is kept for this bucket or database, encrypted by the system keychain on this computer; never in the recent list.' : 'What you type is kept for this bucket or database while the app runs, never on disk.'}{' '}
        <button type="button" className="link" onClick={() => void forget()} data-testid="storage-forget">
          Forget kept credentials
        </button>
        {forgot && <span role="status"> {forgot}</span>}
      </p>
      {scheme === 'db' && (
        <>
          <Field id="storage-apiKey" label="API key" hint="Your LanceDB Cloud or Enterprise key (sk_…); empty: LANCEDB_API_KEY or the key kept for this database.">
            {text('apiKey', true)}
          </Field>
          <Field id="storage-region" label="Region" hint="LanceDB Cloud's region, e.g. us-east-1 (the default).">
            {text('region')}
          </Field>
          <Field id="storage-host" label="Host (Enterprise)" hint="Only for LanceDB Enterprise or a private deployment, e.g. https://lancedb.example.com.">
            {text('host')}
          </Field>
          <p className="muted">Tables there are read through LanceDB's API: browse, filters, find similar and search. Statistics, duplicates, the map and history read every row or the table's files, so they are not offered.</p>
        </>
      )}
      {scheme === 's3' && (
        <>
          <Field id="storage-endpoint" label="Endpoint" hint="Only for S3-compatible servers (MinIO, Ceph, a local server), e.g. http://127.0.0.1:9000.">
            {text('endpoint')}
          </Field>
          <Field id="storage-region" label="Region" hint="e.g. us-east-1; empty: from the profile or environment.">
            {text('region')}
          </Field>
          <Field id="storage-keyId" label="Access key id" hint="With the secret below; empty: from the profile or environment.">
            {text('keyId')}
          </Field>
          <Field id="storage-secret" label="Secret access key" hint="Kept as the note above says.">
            {text('secret', true)}
          </Field>
        </>
      )}
      {scheme === 'gs' && (
        <Field id="storage-serviceAccount" label="Service account key file" hint="The path of a service account's JSON key; empty: application default credentials.">
          {text('serviceAccount')}
        </Field>
      )}
      {scheme === 'az' && (
        <>
          <Field id="storage-account" label="Storage account" hint="The account name.">
            {text('account')}
          </Field>
          <Field id="storage-accountKey" label="Account key" hint="Kept as the note above says.">
            {text('accountKey', true)}
          </Field>
          <Field id="storage-endpoint" label="Endpoint" hint="Only for an emulator (Azurite) or a private endpoint.">
            {text('endpoint')}
          </Field>
        </>
      )}
      {scheme !== 'db' && <label>
        <input type="checkbox" checked={form.allowHttp} onChange={(e) => onChange({ ...form, allowHttp: e.target.checked })} data-testid="storage-allowHttp" /> Allow plain HTTP (a local server; never for the internet)
      </label>}
    </fieldset>
  );
}
