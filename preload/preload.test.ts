import { describe, expect, it, vi } from 'vitest';

const h = vi.hoisted(() => ({
  exposed: {} as Record<string, unknown>,
  invoke: vi.fn(async (channel: string, req: unknown) => ({ ok: true, value: { channel, req } })),
  on: vi.fn(),
  removeListener: vi.fn(),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (h.exposed[key] = api) },
  ipcRenderer: { invoke: h.invoke, on: h.on, removeListener: h.removeListener },
}));

import '.';
import { CHANNELS } from '../shared/channels';

describe('preload', () => {
  const api = () => h.exposed.api as Record<string, (...a: unknown[]) => unknown>;

  it('exposes one function per contract channel plus on(), and nothing else', () => {
    expect(Object.keys(h.exposed)).toEqual(['api']);
    expect(Object.keys(api()).sort()).toEqual([...Object.keys(CHANNELS), 'on'].sort());
    expect(Object.isFrozen(api())).toBe(true);
  });

  it('sends each method on its own channel', async () => {
    const r = await api().getPage!({ id: 'x', offset: 0, limit: 1 });
    expect(h.invoke).toHaveBeenCalledWith('rows:page', { id: 'x', offset: 0, limit: 1 });
    expect(r).toMatchObject({ ok: true });
  });

  it('subscribes only to listed events and can unsubscribe', () => {
    expect(() => api().on!('some:other-event', () => {})).toThrow(/Unknown event/);
    const off = api().on!('job:progress', () => {}) as () => void;
    expect(h.on).toHaveBeenCalledWith('job:progress', expect.any(Function));
    off();
    expect(h.removeListener).toHaveBeenCalledWith('job:progress', expect.any(Function));
  });
});
