// The one module that touches window.api. In Electron the preload provides it; over the web bridge
// the same shape is built on fetch. Components never see which.
import type { Api } from '../../../shared/contract';
import { IMAGE_ROUTE } from '../../../shared/channels';
import { createWebApi } from './web-client';
import { noteDetail } from '../error-details';
import type { Result } from '../../../shared/result';

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
 */
export const imageUrl = (datasetId: string, rowId: string): string => `${IMAGE_ROUTE.slice(1)}${datasetId}/${rowId}`;
