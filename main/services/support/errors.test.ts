// LanceDB's developer-facing texts never reach the screen: real texts LanceDB produced (copied from
// failures seen on old-format datasets, memory exhaustion and panics) come out as a code and a
// sentence, with the raw text kept as the detail.
import { describe, expect, it } from 'vitest';
import { AppFailure, classifyReadError, toAppError } from './errors';

const V1 =
  'Failed to get next batch from stream: lance error: Encountered internal error. Please file a bug report at https://github.com/lance-format/lance/issues. Attempt to perform FilteredRead on v1 files, /usr/local/cargo/registry/src/index.crates.io-1949cf8c6b5b557f/lance-12.0.0/src/dataset/fragment.rs:2531:17';
const POOL =
  'Failed to execute merge insert: GenericFailure, lance error: LanceError(IO): Resources exhausted: Additional allocation failed for MapIndexExecCandidates with top memory consumers (across reservations) as:\n  HashJoinInput#4(can spill: false) consumed 54.1 MB';
const PANIC = "thread 'lance-cpu' panicked at /usr/local/cargo/registry/src/index.crates.io-1949cf8c6b5b557f/lance-encoding-12.0.0/src/decoder.rs:1204:22:\nindex out of bounds: the len is 3 but the index is 7";
const ODD = 'Failed to execute query stream: GenericFailure, lance error: Execution error: External error: something nobody planned for, /usr/local/cargo/registry/src/x.rs:12:5';

const RAW_MARKS = /file a bug report|cargo|\.rs:\d|GenericFailure|LanceError|lance error|panicked|Failed to get next batch/i;

describe('errors a person can act on', () => {
  it('maps each known kind to a code and a sentence, keeping the raw text as the detail', () => {
    const cases: Array<[string, string, RegExp]> = [
      [V1, 'UNSUPPORTED', /old file format \(0\.1\/0\.2\)\. Upgrade…/],
      [POOL, 'BUSY', /ran out of the memory/],
      [PANIC, 'INTERNAL', /internal error.*Nothing was changed/],
      [ODD, 'INTERNAL', /does not explain.*details/],
    ];
    for (const [raw, code, sentence] of cases) {
      const e = toAppError(classifyReadError(new Error(raw), 'Reading rows 301-360 of the view'));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(/^Reading rows 301-360 of the view failed: /);
      expect(e.message).toMatch(sentence);
      expect(e.message).not.toMatch(RAW_MARKS);
      expect(e.detail).toBe(raw);
    }
  });

  it('cleans raw text an app message carried in, and leaves the app\u2019s own sentences alone', () => {
    const carried = toAppError(new AppFailure('INTERNAL', `The map could not be written: ${POOL.split('\n')[0]}`, POOL));
    expect(carried.message).toMatch(/^The map could not be written: LanceDB ran out of the memory/);
    expect(carried.code).toBe('BUSY');
    expect(carried.detail).toBe(POOL);
    const own = toAppError(new AppFailure('NOT_FOUND', 'Version 12 does not exist in this dataset (or was cleaned up).', 'Not found: /data/x.lance/_versions/12.manifest'));
    expect(own).toEqual({ code: 'NOT_FOUND', message: 'Version 12 does not exist in this dataset (or was cleaned up).', detail: 'Not found: /data/x.lance/_versions/12.manifest' });
    // A thrown value with no mark of LanceDB keeps its own words.
    expect(toAppError(new Error('Unexpected token < in JSON at position 0'), 'Reading the notes').message).toBe('Reading the notes failed: Unexpected token < in JSON at position 0');
  });
});
