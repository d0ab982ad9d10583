import { describe, expect, it } from 'vitest';
import { TransferProgress } from './file-transfer';
import type { DownloadDetail } from '../../../shared/types';

const detail = (): DownloadDetail => ({ phase: 'downloading', bytesDone: 0, bytesTotal: 100e6, rate: 0, etaSeconds: null, filesDone: 0, filesTotal: 3, inFlight: [], retrying: null });
const file = (size: number) => ({ rel: 'data/a.lance', size, sha256: null, gitSha1: null }) as never;

describe('download progress', () => {
  it('counts kept bytes as done but not as fetched, so a resume does not make the rate wild', () => {
    const d = detail();
    const p = new TransferProgress(d, () => {});
    p.alreadyThere(file(40e6)); // a whole file from the earlier run
    const f = p.begin(file(50e6));
    f.start(30e6); // a part kept from the earlier run
    expect(d.bytesDone).toBe(70e6);
    expect(p.fetchedBytes).toBe(0);
    f.add(1e6);
    expect(p.fetchedBytes).toBe(1e6);
    f.undo(); // the attempt failed: what it fetched is taken back
    expect(p.fetchedBytes).toBe(0);
    expect(d.bytesDone).toBe(40e6);
    f.start(30e6);
    f.add(2e6);
    expect(p.fetchedBytes).toBe(2e6);
  });
});
