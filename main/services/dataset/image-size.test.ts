// The size an image claims, read from its header, and the pixel budget the image route keeps: a
// small file that claims a huge size is refused before the page decodes it.
import { afterAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { imageRefusal, imageSize, MAX_IMAGE_PIXELS, sniffImage } from './image-sniff';
import { lancedb } from './lance';
import { laionBatch } from './laion-schema';
import { syntheticBatches } from '../../synthetic/synthetic-laion';
import { openInApp } from '../../test-support/fixtures';
import { serveAppRequest } from '../../app-routes';
import { pngBomb } from '../../test-support/png-bomb';

const raw = (w: number, h: number, channels: 3 | 4) => sharp(Buffer.alloc(w * h * channels, 128), { raw: { width: w, height: h, channels } });

describe('imageSize reads the header of every served format', () => {
  it('JPEG (baseline and progressive), PNG, GIF, WebP lossy, lossless and with alpha', async () => {
    const cases: Array<[string, Promise<Buffer>, number, number]> = [
      ['jpeg', raw(123, 45, 3).jpeg().toBuffer(), 123, 45],
      ['jpeg progressive', raw(300, 7, 3).jpeg({ progressive: true }).toBuffer(), 300, 7],
      ['png', raw(77, 99, 4).png().toBuffer(), 77, 99],
      ['gif', raw(31, 17, 3).gif().toBuffer(), 31, 17],
      ['webp lossy (VP8)', raw(64, 40, 3).webp().toBuffer(), 64, 40],
      ['webp lossless (VP8L)', raw(65, 41, 4).webp({ lossless: true }).toBuffer(), 65, 41],
      ['webp lossy with alpha (VP8X)', raw(66, 42, 4).webp({ alphaQuality: 50 }).toBuffer(), 66, 42],
    ];
    for (const [what, made, width, height] of cases) {
      const bytes = new Uint8Array(await made);
      const mime = sniffImage(bytes);
      expect(mime, what).not.toBeNull();
      expect(imageSize(bytes, mime!), what).toEqual({ width, height });
      expect(imageRefusal(bytes, mime!), what).toBeNull();
    }
  });

  it('a JPEG with EXIF and comment segments before its frame header', async () => {
    const bytes = new Uint8Array(await raw(50, 60, 3).jpeg().withMetadata({ exif: { IFD0: { ImageDescription: 'x'.repeat(3000) } } }).toBuffer());
    expect(imageSize(bytes, 'image/jpeg')).toEqual({ width: 50, height: 60 });
  });
});

/** A real small file whose header is rewritten to claim another size. */
async function claiming(format: 'png' | 'jpeg' | 'gif' | 'webp', w: number, h: number): Promise<Uint8Array> {
  const b = new Uint8Array(await raw(8, 8, 3)[format]().toBuffer());
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (format === 'png') {
    v.setUint32(16, w);
    v.setUint32(20, h);
  } else if (format === 'gif') {
    v.setUint16(6, w, true);
    v.setUint16(8, h, true);
  } else if (format === 'webp') {
    v.setUint16(26, w, true);
    v.setUint16(28, h, true);
  } else {
    for (let i = 2; i < b.length; ) {
      const marker = b[i + 1] as number;
      if (marker === 0xc0 || marker === 0xc2) {
        v.setUint16(i + 5, h);
        v.setUint16(i + 7, w);
        break;
      }
      i += 2 + v.getUint16(i + 2);
    }
  }
  return b;
}

describe('the pixel budget', () => {
  it('refuses small files that claim huge sizes, saying what they claim', async () => {
    for (const format of ['png', 'jpeg', 'gif', 'webp'] as const) {
      const side = format === 'webp' ? 16383 : format === 'gif' ? 65535 : 20000; // each format's largest expressible claim, or 20000
      const bytes = await claiming(format, side, side);
      expect(bytes.length).toBeLessThan(2000);
      const why = imageRefusal(bytes, sniffImage(bytes)!);
      expect(why, format).toMatch(new RegExp(`claims ${side.toLocaleString('en-US')} x ${side.toLocaleString('en-US')} pixels, over the ${MAX_IMAGE_PIXELS.toLocaleString('en-US')}-pixel limit`));
    }
    // a real bomb: a valid 49 kB PNG of 20000 x 20000 pixels (its CRCs and data check out)
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(60_000);
    expect((await sharp(bomb, { limitInputPixels: false }).metadata()).width).toBe(20000);
    expect(imageRefusal(bomb, sniffImage(bomb)!)).toMatch(/claims 20,000 x 20,000 pixels/);
    // just inside the budget is served
    expect(imageRefusal(await claiming('png', 4096, 4096), 'image/png')).toBeNull();
    expect(imageRefusal(await claiming('png', 4097, 4096), 'image/png')).toMatch(/over the/);
  });

  it('refuses a header it cannot read (truncated, or no frame before the scan)', async () => {
    const png = await claiming('png', 10, 10);
    expect(imageRefusal(png.subarray(0, 20), 'image/png')).toMatch(/no readable size/);
    expect(imageRefusal(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0, 0]), 'image/jpeg')).toMatch(/no readable size/);
    expect(imageRefusal(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00]), 'image/jpeg')).toMatch(/no readable size/);
    expect(imageRefusal(await claiming('png', 0, 10), 'image/png')).toMatch(/no readable size/);
  });
});

describe('the image route keeps the budget', () => {
  const dir = fs.mkdtemp(path.join(os.tmpdir(), 'lx-pixels-'));
  afterAll(async () => fs.rm(await dir, { recursive: true, force: true }));

  it('serves the ordinary rows and answers 422 with the claimed size for a decompression bomb', async () => {
    const d = await dir;
    const rows = (await syntheticBatches({ rows: 4, imageSide: 16 }).next()).value!;
    rows[1]!.image = await claiming('png', 20000, 20000);
    const db = await lancedb.connect(d);
    (await db.createTable('bomb', laionBatch(rows))).close();
    const { services, dispatch, info } = await openInApp(d, path.join(d, 'bomb.lance'));
    const page = (await dispatch('rows:page', { id: info.id, offset: 0, limit: 4 })) as { ok: true; value: { rows: Array<{ rowId: string }> } };
    const statics = { files: new Map<string, string>() };
    const get = (i: number) => serveAppRequest(new Request(`http://app/image/${info.id}/${page.value.rows[i]!.rowId}`), services.datasets, statics);
    expect((await get(0)).status).toBe(200);
    const bomb = await get(1);
    expect(bomb.status).toBe(422);
    expect(bomb.headers.get('x-error-code')).toBe('NOT_AN_IMAGE');
    expect(await bomb.text()).toMatch(/not shown: it claims 20,000 x 20,000 pixels/);
    expect((await get(2)).status).toBe(200);
    services.dispose();
  });
});
