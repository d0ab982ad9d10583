// A real decompression bomb for tests: a valid PNG (correct CRCs, real compressed data) of
// width x height 1-bit grey pixels. 20000 x 20000 is about 50 kB on disk and 1.6 GB once a browser
// decodes it to RGBA, like the file that took the page to 3.7 GB before images had a pixel budget.
import zlib from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

export function pngBomb(width = 20000, height = 20000): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const row = 1 + Math.ceil(width / 8); // filter byte + packed bits
  // Rows of zeros (filter "none", black pixels): 50 MB raw at 20000 x 20000, deflated to about 50 kB.
  const data = zlib.deflateSync(Buffer.alloc(row * height), { level: 9 });
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', data), chunk('IEND', Buffer.alloc(0))]));
}
