// The one module that touches window.api. In Electron the preload provides it; over the web bridge
// the same shape is built on fetch. Components never see which.
import type { Api } from '../../../shared/contract';
import { IMAGE_ROUTE } from '../../../shared/channels';
import { createWebApi } from './web-client';
import { noteDetail } from '../error-details';
import type { Result } from '../../../shared/result';
import type { DatasetInfo } from '../../../shared/types';

declare global {
  interface Window {
    api?: Api;
  }
}

/** Every reply's error detail is noted by its message (error-details.ts), as are finished jobs'. */
function withDetails(inner: Api): Api {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(inner)) {
    if (typeof fn !== 'function') continue;
    if (name === 'on') {
      wrapped.on = (event: string, listener: (payload: unknown) => void) =>
        (fn as Api['on'])(event as never, (payload: unknown) => {
          const f = payload as { error?: unknown; errorDetail?: unknown };
          if (event === 'job:finished' && typeof f.error === 'string' && typeof f.errorDetail === 'string') noteDetail(f.error, f.errorDetail);
          listener(payload);
        });
      continue;
    }
    wrapped[name] = async (req: unknown) => {
      const r = (await (fn as (q: unknown) => Promise<Result<unknown>>)(req)) as Result<unknown>;
      if (!r.ok) noteDetail(r.error.message, r.error.detail);
      else {
        // A job's status carries its outcome too.
        const f = (r.value as { finished?: { error?: unknown; errorDetail?: unknown } } | null)?.finished;
        if (f && typeof f.error === 'string' && typeof f.errorDetail === 'string') noteDetail(f.error, f.errorDetail);
      }
      return r;
    };
  }
  return wrapped as Api;
}

export const api: Api = withDetails(window.api ?? createWebApi());

/**
 * A row's image, relative to the page: the web bridge serves the page under a per-run path (its
 * cookie is scoped to it), Electron from the root of its own scheme. Both resolve this the same way.
 * `d` names the display the image comes from (its column, remote fetching, folder): the bytes of a
 * URL never change (it is cached as immutable), so another choice in Display… is another URL.
 */
export function imageUrl(dataset: Pick<DatasetInfo, 'id' | 'imageColumn' | 'remoteImages' | 'imageRoot'>, rowId: string): string {
  return `${IMAGE_ROUTE.slice(1)}${dataset.id}/${rowId}?d=${displayToken(dataset)}`;
}

function displayToken(d: Pick<DatasetInfo, 'imageColumn' | 'remoteImages' | 'imageRoot'>): string {
  const text = `${d.imageColumn ?? ''}\0${d.remoteImages ? 1 : 0}\0${d.imageRoot ?? ''}`;
  let h = 5381;
  for (let i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
  return h.toString(36);
}
