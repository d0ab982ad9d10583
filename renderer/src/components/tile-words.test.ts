/** @vitest-environment happy-dom */
// What a tile says when its rows or its image could not be read: the words on the tile are all a
// person sees at a glance, so a storage failure must not read as "not an image".
import { describe, expect, it } from 'vitest';
import { brokenText, pageErrorText } from './Tile';

describe('a tile that could not be read', () => {
  it('names the storage failure behind a page or an image, and tells a failed read from bytes that are no image', () => {
    const silent = 'Reading rows 401-450 failed: no answer came in time, so the read was stopped: the storage or the network stopped answering (or the disk is very slow). Check the connection and try again.';
    expect(pageErrorText(silent)).toBe('No answer in time');
    expect(pageErrorText('Reading rows 1-50 failed: the storage refused access (the credentials are wrong, lack the right, or have expired).')).toBe('Storage refused access');
    expect(pageErrorText('Reading rows 1-50 failed: the storage could not be reached (network), also after LanceDB retried.')).toBe('Storage unreachable');
    expect(pageErrorText('Reading rows 1-50 failed: the dataset is damaged or incomplete.')).toBe('Rows unreadable');
    expect(brokenText(silent.replace('Reading rows 401-450', 'Reading images'))).toBe('No answer in time');
    expect(brokenText('Reading images failed: the storage refused access (the credentials are wrong, lack the right, or have expired).')).toBe('Storage refused access');
    expect(brokenText('Reading images failed: LanceDB stopped on an internal error.')).toBe('Could not read the image');
    expect(brokenText('The image of row 7 is not a JPEG, PNG, GIF or WebP file (12 bytes).')).toBe('Not a readable image');
  });
});
