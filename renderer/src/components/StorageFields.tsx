// What a dataset in object storage needs beside its address, shown when the address is s3://, gs://
// or az://. Every field may stay empty: LanceDB then uses the cloud's usual sources (AWS_PROFILE and
// ~/.aws, the AWS_* environment, Google's application credentials, Azure's environment). What is
// typed here lives only in this window's memory for this run: never in the recent list or a file.
import type { ReactNode } from 'react';

export type StorageForm = { endpoint: string; region: string; keyId: string; secret: string; allowHttp: boolean; account: string; accountKey: string; serviceAccount: string };

export const emptyStorageForm: StorageForm = { endpoint: '', region: '', keyId: '', secret: '', allowHttp: false, account: '', accountKey: '', serviceAccount: '' };

export const cloudScheme = (p: string): 's3' | 'gs' | 'az' | null => {
  const m = /^(s3a?|gs|az|abfss?):\/\//i.exec(p.trim());
  if (!m) return null;
  const s = (m[1] as string).toLowerCase();
  return s.startsWith('s3') ? 's3' : s === 'gs' ? 'gs' : 'az';
};

/** The form as LanceDB's storage options (object_store's keys); empty fields are left out. */
export function storageOptionsOf(scheme: 's3' | 'gs' | 'az', f: StorageForm): Record<string, string> {
  const o: Record<string, string> = {};
  const put = (k: string, v: string) => v.trim() && (o[k] = v.trim());
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

export function StorageFields({ scheme, form, onChange }: { scheme: 's3' | 'gs' | 'az'; form: StorageForm; onChange(f: StorageForm): void }) {
  const text = (k: keyof StorageForm, secret = false) => (
    <input id={`storage-${k}`} type={secret ? 'password' : 'text'} value={form[k] as string} autoComplete="off" spellCheck={false} onChange={(e) => onChange({ ...form, [k]: e.target.value })} data-testid={`storage-${k}`} />
  );
  return (
    <fieldset className="storage-fields" data-testid="storage-fields">
      <legend>Object storage ({scheme}://)</legend>
      <p className="muted">Leave empty to use the usual sources: {scheme === 's3' ? 'AWS_PROFILE and ~/.aws, the AWS_* environment, an instance role' : scheme === 'gs' ? "Google's application default credentials" : "Azure's AZURE_STORAGE_* environment"}. What you type is kept only in this window until it closes.</p>
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
          <Field id="storage-secret" label="Secret access key" hint="Never saved.">
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
          <Field id="storage-accountKey" label="Account key" hint="Never saved.">
            {text('accountKey', true)}
          </Field>
          <Field id="storage-endpoint" label="Endpoint" hint="Only for an emulator (Azurite) or a private endpoint.">
            {text('endpoint')}
          </Field>
        </>
      )}
      <label>
        <input type="checkbox" checked={form.allowHttp} onChange={(e) => onChange({ ...form, allowHttp: e.target.checked })} data-testid="storage-allowHttp" /> Allow plain HTTP (a local server; never for the internet)
      </label>
    </fieldset>
  );
}
