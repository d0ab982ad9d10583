import { describe, expect, it } from 'vitest';
import { requestSchemas } from './contract';
import { CHANNELS, CHANNEL_NAMES, EVENT_NAMES } from './channels';

describe('the contract', () => {
  it('has exactly one request schema per channel, and one API method per channel', () => {
    expect(Object.keys(requestSchemas).sort()).toEqual([...CHANNEL_NAMES].sort());
    expect(new Set(Object.values(CHANNELS)).size).toBe(Object.keys(CHANNELS).length);
  });

  it('rejects extra fields everywhere (strict objects), so typos fail loudly', () => {
    for (const name of CHANNEL_NAMES) {
      const r = requestSchemas[name].safeParse({ definitelyNotAField: true });
      expect(r.success, name).toBe(false);
    }
  });

  it('keeps row ids and dataset ids to safe alphabets (they end up in URLs)', () => {
    expect(requestSchemas['rows:get'].safeParse({ id: 'abc_-1', rowId: '123' }).success).toBe(true);
    expect(requestSchemas['rows:get'].safeParse({ id: 'a/b', rowId: '1' }).success).toBe(false);
    expect(requestSchemas['rows:get'].safeParse({ id: 'ab', rowId: '1 OR 1=1' }).success).toBe(false);
    expect(requestSchemas['dataset:open'].safeParse({ path: '/x', table: '../y' }).success).toBe(false);
  });

  it('names its events', () => {
    expect(EVENT_NAMES).toEqual(['job:progress', 'job:finished']);
  });
});
