// A local stand-in for Google Cloud Storage's XML API, as object_store (inside LanceDB) speaks it to a
// custom base URL: the service account key's `gcs_base_url` points here and `disable_oauth` skips
// the token exchange, as with fake-gcs-server (a Go program; none ships in npm or Debian). GCS's XML
// API is S3's for what Lance uses (objects at /<bucket>/<key>, ListObjectsV2 listings, multipart
// uploads), so this front translates the two differences and hands the rest to the S3 peer (s3rver
// behind its own front): OAuth bearer tokens instead of SigV4 signatures, and GCS's conditional create
// (x-goog-if-generation-match: 0), which becomes If-None-Match: * (412 when the object exists, which
// is what keeps two writers from both taking a version). Requests are counted as in the S3 peer.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { startS3Peer, type S3Peer } from './s3-peer';

export interface GcsPeer {
  /** What the service account key's gcs_base_url names. */
  baseUrl: string;
  bucket: string;
  /** LanceDB storage options: a service account key naming this peer (no OAuth exchange). */
  storageOptions: Record<string, string>;
  /** The key as a file would hold it (the Open dialog's "Service account key file"). */
  keyJson: string;
  /** The S3 peer behind: counts, faults. */
  s3: S3Peer;
  /** Requests signed as S3 signs them (refused, as GCS refuses them). */
  refusedSignatures: number;
  stop(): Promise<void>;
}

export async function startGcsPeer(opts: { bucket?: string } = {}): Promise<GcsPeer> {
  const s3 = await startS3Peer({ bucket: opts.bucket ?? 'gbucket' });
  const back = new URL(s3.endpoint);
  let refusedSignatures = 0;
  const server: Server = createServer((req, res) => {
    // With disable_oauth the client sends an empty bearer, or nothing (listings): taken as they are,
    // as fake-gcs-server takes them. A SigV4 signature (an S3 client pointed here by mistake) is not GCS.
    if (/^AWS4-HMAC-SHA256/.test(String(req.headers.authorization ?? ''))) {
      refusedSignatures++;
      res.writeHead(400, { 'Content-Type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code><Message>Unsupported Authorization Type</Message></Error>');
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    if (headers['x-goog-if-generation-match'] === '0') {
      headers['if-none-match'] = '*';
      delete headers['x-goog-if-generation-match'];
    }
    const out = httpRequest({ host: back.hostname, port: back.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
    });
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const keyJson = JSON.stringify({ type: 'service_account', client_email: 'reader@test.iam', private_key: '', private_key_id: '', disable_oauth: true, gcs_base_url: baseUrl });
  return {
    baseUrl,
    bucket: s3.bucket,
    storageOptions: { google_service_account_key: keyJson, allow_http: 'true' },
    keyJson,
    s3,
    get refusedSignatures() {
      return refusedSignatures;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await s3.stop();
    },
  };
}
