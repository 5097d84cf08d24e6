// Which decoder reads which file (decoding itself runs in Chromium:
// tests/browser/test_hashing_browser.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  gifHasTransparency, imageDecoderFor, pngHasTransparency, resetJpegOrientation, webpHasAlpha,
} from '../../static/js/hashing/decode.js';
import { formats } from './policy.mjs';

const file = (name, type = '') => ({ name, type });

test('browser-native formats', () => {
  for (const name of ['a.jpeg', 'a.jpg', 'a.png', 'a.gif', 'a.bmp', 'a.ico', 'a.webp', 'a.avif', 'A.JPG']) {
    assert.equal(imageDecoderFor(file(name), formats).decoder, 'native', name);
  }
});

test('ImageMagick formats', () => {
  const expected = { psd: 'PSD', tiff: 'TIFF', tif: 'TIFF', xcf: 'XCF', tga: 'TGA', miff: 'MIFF', dcm: 'DCM', xpm: 'XPM', pcx: 'PCX', heic: 'HEIC' };
  for (const [ext, format] of Object.entries(expected)) {
    assert.deepEqual(imageDecoderFor(file(`x.${ext}`), formats), { decoder: 'magick', format }, ext);
  }
});

test('MIME type when the extension says nothing; null when nothing fits', () => {
  assert.deepEqual(imageDecoderFor(file('scan', 'image/tiff'), formats), { decoder: 'magick', format: 'TIFF' });
  assert.deepEqual(imageDecoderFor(file('photo', 'image/png'), formats), { decoder: 'native', format: 'image/png' });
  assert.equal(imageDecoderFor(file('notes.txt', 'text/plain'), formats), null);
  assert.equal(imageDecoderFor(file('archive.zip'), formats), null);
});

/** SOI + an APP1 EXIF block whose IFD0 holds one tag: orientation. */
function jpegHead(orientation, little) {
  const tiff = new DataView(new ArrayBuffer(26));
  tiff.setUint16(0, little ? 0x4949 : 0x4d4d);
  tiff.setUint16(2, 42, little);
  tiff.setUint32(4, 8, little);
  tiff.setUint16(8, 1, little); // one entry
  tiff.setUint16(10, 0x0112, little);
  tiff.setUint16(12, 3, little); // SHORT
  tiff.setUint32(14, 1, little);
  tiff.setUint16(18, orientation, little);
  const exif = [...new TextEncoder().encode('Exif'), 0, 0, ...new Uint8Array(tiff.buffer)];
  const length = exif.length + 2;
  return new Uint8Array([0xff, 0xd8, 0xff, 0xe1, length >> 8, length & 255, ...exif, 0xff, 0xda, 0, 2]);
}

test('the EXIF orientation of a JPEG is reset to 1, in either byte order', () => {
  for (const little of [true, false]) {
    const bytes = jpegHead(6, little);
    assert.equal(resetJpegOrientation(bytes), 6);
    assert.deepEqual(bytes, jpegHead(1, little));
  }
});

test('bytes that are not a JPEG with EXIF are left alone', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(resetJpegOrientation(png), 1);
  assert.deepEqual(png, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const truncated = jpegHead(6, true).subarray(0, 20);
  assert.equal(resetJpegOrientation(truncated), 1);
  assert.deepEqual(truncated, jpegHead(6, true).subarray(0, 20));
});

test('a malformed EXIF block is left alone without throwing', () => {
  const tiny = new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0, 8, 0x45, 0x78, 0x69, 0x66, 0, 0, 0x49, 0x49]);
  assert.equal(resetJpegOrientation(tiny), 1);
  const farOffset = jpegHead(6, true);
  farOffset[19] = 0xff; // IFD0 offset (bytes 16-19, little-endian) points far outside the block
  assert.equal(resetJpegOrientation(farOffset), 1);
});

/** A PNG's start: signature, IHDR of the given colour type, then the named chunks. */
function pngHead(colourType, chunks) {
  const chunk = (type, length) => {
    const bytes = new Uint8Array(12 + length);
    new DataView(bytes.buffer).setUint32(0, length);
    bytes.set([...type].map((c) => c.charCodeAt(0)), 4);
    return bytes;
  };
  const ihdr = chunk('IHDR', 13);
  ihdr[8 + 9] = colourType; // width, height, bit depth, then colour type
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr,
    ...chunks.map(([type, length]) => chunk(type, length))];
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  parts.reduce((at, part) => (bytes.set(part, at), at + part.length), 0);
  return bytes;
}

test('PNG transparency: alpha channels and tRNS chunks before the image data', () => {
  assert.equal(pngHasTransparency(pngHead(6, [['IDAT', 10]])), true); // RGBA
  assert.equal(pngHasTransparency(pngHead(4, [['IDAT', 10]])), true); // grey + alpha
  assert.equal(pngHasTransparency(pngHead(3, [['PLTE', 30], ['tRNS', 1], ['IDAT', 10]])), true);
  assert.equal(pngHasTransparency(pngHead(2, [['iCCP', 3000], ['tRNS', 6], ['IDAT', 10]])), true);
  assert.equal(pngHasTransparency(pngHead(2, [['IDAT', 10], ['tRNS', 6]])), false); // too late to count
  assert.equal(pngHasTransparency(pngHead(2, [['IDAT', 10]])), false); // RGB
  assert.equal(pngHasTransparency(pngHead(0, [])), false); // grey, truncated
  assert.equal(pngHasTransparency(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0])), false); // not a PNG
});

/** A GIF's start: header, screen descriptor (+ a 4-colour table), then the given blocks. */
function gifHead(...blocks) {
  const header = [...'GIF89a'].map((c) => c.charCodeAt(0));
  const screen = [1, 0, 1, 0, 0x81, 0, 0]; // 1x1, global table of 2^(1+1) colours
  return Uint8Array.from([...header, ...screen, ...new Array(12).fill(0), ...blocks.flat()]);
}
const comment = [0x21, 0xfe, 3, 0x61, 0x62, 0x63, 0]; // comment extension, one sub-block
const control = (flags) => [0x21, 0xf9, 4, flags, 0, 0, 7, 0]; // graphic control extension
const image = [0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0];

test('GIF transparency: the graphic control extension before the first image', () => {
  assert.equal(gifHasTransparency(gifHead(control(0x01), image)), true);
  assert.equal(gifHasTransparency(gifHead(comment, control(0x05), image)), true);
  assert.equal(gifHasTransparency(gifHead(control(0x04), image)), false); // flag clear
  assert.equal(gifHasTransparency(gifHead(image, control(0x01))), false); // after the image
  assert.equal(gifHasTransparency(Uint8Array.from([0x89, 0x50, 0x4e, 0x47])), false);
});

/** A WebP's start: RIFF header, then a chunk of the given type whose data starts with `data`. */
function webpHead(type, data) {
  const bytes = new Uint8Array(30);
  bytes.set([...`RIFF\0\0\0\0WEBP${type}`].map((c) => c.charCodeAt(0)));
  bytes.set(data, 20);
  return bytes;
}

test('WebP alpha: the VP8X flag or the VP8L alpha_is_used bit', () => {
  assert.equal(webpHasAlpha(webpHead('VP8X', [0x10])), true);
  assert.equal(webpHasAlpha(webpHead('VP8X', [0x20])), false); // ICC profile only
  assert.equal(webpHasAlpha(webpHead('VP8L', [0x2f, 0, 0, 0, 0x10])), true);
  assert.equal(webpHasAlpha(webpHead('VP8L', [0x2f, 0xff, 0xff, 0xff, 0x0f])), false);
  assert.equal(webpHasAlpha(webpHead('VP8 ', [0x10, 0, 0, 0, 0x10])), false); // lossy: no alpha
  assert.equal(webpHasAlpha(Uint8Array.from([0x47, 0x49, 0x46])), false);
});
