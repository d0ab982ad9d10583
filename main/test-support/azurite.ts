// Azurite, the Azure Storage emulator (a dev dependency), as a blob service the tests start on
// 127.0.0.1: Shared Key signatures checked, If-None-Match honoured (Lance's conditional commit),
// telemetry off (it would otherwise try to reach Azure's ingestion host).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { azureSharedKey } from '../services/dataset/image-references';

/** Azurite's well-known development account and key. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuritePeer {
  /** The account's blob endpoint: http://127.0.0.1:<port>/devstoreaccount1. */
  endpoint: string;
  /** LanceDB storage options for this account (credentials always set). */
  storageOptions: Record<string, string>;
  /** A request signed with the account key (Shared Key). */
  signed(method: string, url: string, headers: Record<string, string>, body?: Uint8Array<ArrayBuffer>): Promise<Response>;
  createContainer(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<AzuritePeer> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lx-azurite-'));
  const main = path.resolve('node_modules/azurite/dist/src/blob/main.js');
  const child = spawn(process.execPath, [main, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir, '--silent', '--skipApiVersionCheck', '--loose', '--disableTelemetry'], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  for (let i = 0; i < 150; i++) {
    if (await fetch(`${endpoint}?comp=list`).then(() => true, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const signed = (method: string, url: string, headers: Record<string, string>, body?: Uint8Array<ArrayBuffer>) => fetch(url, { method, headers: azureSharedKey(method, url, AZURITE_ACCOUNT, AZURITE_KEY, headers), ...(body ? { body } : {}) });
  return {
    endpoint,
    storageOptions: { azure_storage_account_name: AZURITE_ACCOUNT, azure_storage_account_key: AZURITE_KEY, azure_storage_endpoint: endpoint, allow_http: 'true' },
    signed,
    async createContainer(name) {
      const r = await signed('PUT', `${endpoint}/${name}?restype=container`, { 'Content-Length': '0' });
      if (r.status !== 201 && r.status !== 409) throw new Error(`Azurite: container ${name}: HTTP ${r.status}`);
    },
    async stop() {
      child.kill();
      await new Promise((r) => setTimeout(r, 100));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
