// The API over the web bridge: same shape as the Electron preload's, carried by fetch and SSE.
// The per-run token travels as an HttpOnly cookie the bridge set when the printed URL was opened.
// URLs are relative: the bridge serves the page under a per-run path that the cookie is scoped to.
import { CHANNELS, EVENT_NAMES, type EventName } from '../../../shared/channels';
import type { Api, EventPayloads } from '../../../shared/contract';
import type { Result } from '../../../shared/result';

const failure = (code: 'FORBIDDEN' | 'IO' | 'INTERNAL', message: string): Result<never> => ({ ok: false, error: { code, message } });

// Requests made while the page goes away (closing its dataset session) must outlive it.
let leaving = false;
globalThis.addEventListener?.('pagehide', () => (leaving = true), { capture: true });
globalThis.addEventListener?.('pageshow', () => (leaving = false));

async function call(channel: string, request: unknown): Promise<Result<unknown>> {
  let res: Response;
  try {
    res = await fetch(`api/${channel}`, {
      method: 'POST',
      keepalive: leaving,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request ?? {}),
    });
  } catch {
    return failure('IO', 'The app server stopped answering (the command that started it, npm start or npm run serve, has ended?). Start it again and open the URL it prints.');
  }
  if (res.status === 401 || res.status === 403) {
    return failure('FORBIDDEN', 'This page is not authorised: open the URL the app server printed when it started (it carries this run\'s token).');
  }
  if (!res.ok) return failure('INTERNAL', `The app server answered HTTP ${res.status}.`);
  return (await res.json()) as Result<unknown>;
}

export function createWebApi(): Api {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let source: EventSource | null = null;
  const ensureSource = () => {
    if (source) return;
    source = new EventSource('events');
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (ev) => {
        const payload: unknown = JSON.parse((ev as MessageEvent<string>).data);
        listeners.get(name)?.forEach((l) => l(payload));
      });
    }
  };
  const api: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(CHANNELS)) {
    api[method] = (request: unknown) => call(channel, request);
  }
  api.on = <E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) => {
    ensureSource();
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  };
  return api as Api;
}
