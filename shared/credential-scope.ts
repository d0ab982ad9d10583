// What one set of typed credentials serves: the bucket ("s3://bucket") or the LanceDB Cloud database
// ("db://team") of an address, every table and version there. Main keeps credentials under it; the
// Open dialog names it beside "Forget kept credentials".
export function credentialScope(address: string): string {
  return (/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i.exec(address.trim())?.[0] ?? address.trim()).toLowerCase();
}
