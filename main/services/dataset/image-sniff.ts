// Which raster format a byte string holds. Only these are ever served to the renderer: bytes from a
// dataset are untrusted, and SVG or HTML served from our origin could run script.

export type ImageMime = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';

export function sniffImage(bytes: Uint8Array): ImageMime | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes.length >= 6 && bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x38) return 'image/gif';
  if (
    bytes.length >= 12 &&
    bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x46 &&
    bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50
  ) {
    return 'image/webp';
  }
  return null;
}

/**
 * The pixel budget for one image. A browser decodes an image to 4 bytes a pixel whatever its file
 * size: a 48 kB PNG whose header claims 20000x20000 costs 1.6 GB once decoded. 16.7 megapixels
 * (4096 x 4096, 64 MB decoded) is far above anything LAION ships (resized to about 1024 px) and
 * above most camera photos' display needs; larger claims are refused before any byte is served.
 */
export const MAX_IMAGE_PIXELS = 4096 * 4096;

export interface ImageSize {
  width: number;
  height: number;
}

const u16be = (b: Uint8Array, i: number) => ((b[i] as number) << 8) | (b[i + 1] as number);
const u16le = (b: Uint8Array, i: number) => (b[i] as number) | ((b[i + 1] as number) << 8);
const u24le = (b: Uint8Array, i: number) => (b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16);
const u32be = (b: Uint8Array, i: number) => (((b[i] as number) << 24) >>> 0) + (((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number));

/**
 * The size an image's header claims, read without decoding it: JPEG's first SOFn frame header, PNG's
 * IHDR, GIF's logical screen (and every frame's image descriptor is bounded by the decoder to it), WebP's
 * VP8, VP8L or VP8X header. Null when the header cannot be read (the file is then not served).
 */
export function imageSize(bytes: Uint8Array, mime: ImageMime): ImageSize | null {
  switch (mime) {
    case 'image/png':
      // Signature (8), IHDR length (4) and type (4), then width and height, big-endian.
      if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
      return { width: u32be(bytes, 16), height: u32be(bytes, 20) };
    case 'image/gif':
      if (bytes.length < 10) return null;
      return { width: u16le(bytes, 6), height: u16le(bytes, 8) };
    case 'image/webp':
      return webpSize(bytes);
    case 'image/jpeg':
      return jpegSize(bytes);
  }
}

function jpegSize(b: Uint8Array): ImageSize | null {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] as number;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    const length = u16be(b, i + 2);
    if (length < 2) return null;
    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (i + 9 > b.length) return null;
      return { width: u16be(b, i + 7), height: u16be(b, i + 5) };
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or start of scan before any frame header
    i += 2 + length;
  }
  return null;
}

function webpSize(b: Uint8Array): ImageSize | null {
  if (b.length < 30) return null;
  const chunk = String.fromCharCode(...b.subarray(12, 16));
  if (chunk === 'VP8X') return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return null;
    const bits = (b[21] as number) | ((b[22] as number) << 8) | ((b[23] as number) << 16) | ((b[24] as number) << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ') {
    // Frame tag (3), start code 9d 01 2a, then 14-bit width and height.
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null;
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  return null;
}

/** Why an image is not served (over budget, or no readable size), or null when it may be. */
export function imageRefusal(bytes: Uint8Array, mime: ImageMime): string | null {
  const size = imageSize(bytes, mime);
  if (!size || size.width === 0 || size.height === 0) return `its ${mime.slice(6).toUpperCase()} header gives no readable size`;
  if (size.width * size.height > MAX_IMAGE_PIXELS) {
    return `it claims ${size.width.toLocaleString('en-US')} x ${size.height.toLocaleString('en-US')} pixels, over the ${MAX_IMAGE_PIXELS.toLocaleString('en-US')}-pixel limit (${Math.round((size.width * size.height * 4) / 2 ** 20).toLocaleString('en-US')} MB once decoded)`;
  }
  return null;
}
