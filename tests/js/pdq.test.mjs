// Unit tests of static/js/hashing/pdq.js (conformance with the reference on
// hundreds of pictures is in tests/test_hashing_pdq.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  hammingDistance,
  lumaFromRGBA,
  pdqHash,
  pdqHashDihedral,
  pdqHashFromLuma,
} from '../../static/js/hashing/pdq.js';

/** A deterministic colour pattern, opaque RGBA. */
function pattern(width, height) {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      rgba.set([(x * 7 + y * 3) & 255, (x * y) & 255, (x ^ y) & 255, 255], p);
    }
  }
  return rgba;
}

/** A grey sum of plane waves: content at many frequencies, like a photo. */
function waves(width, height) {
  const directions = Array.from({ length: 24 }, (_, k) => [Math.sin(k * 12.9898) * 0.15, Math.cos(k * 78.233) * 0.15, k]);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (const [a, b, c] of directions) v += Math.sin(a * x + b * y + c);
      rgba.fill(128 + 20 * v, (y * width + x) * 4, (y * width + x) * 4 + 3);
      rgba[(y * width + x) * 4 + 3] = 255;
    }
  }
  return rgba;
}

/** The same picture turned a quarter clockwise. */
function rotateClockwise(rgba, width, height) {
  const out = new Uint8ClampedArray(rgba.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 4;
      const to = (x * height + (height - 1 - y)) * 4;
      out.set(rgba.subarray(from, from + 4), to);
    }
  }
  return out;
}

test('known answers from the reference (pdqhash package)', () => {
  // Expected values computed with pdqhash.compute on the same pixels (the
  // 1000x700 one after the 512x512 nearest-neighbour resize).
  assert.deepEqual(pdqHash(pattern(200, 150), 200, 150), {
    hash: 'be68fffeb669f7c0fff216486df6b640fc70a6a8bc0846b2bc41e94602c98800',
    quality: 100,
  });
  assert.deepEqual(pdqHash(pattern(1000, 700), 1000, 700), {
    hash: '5580df8e5fdd5d8f7dbd579c80086a7d8a5dc8758a779d8885885f8a95881588',
    quality: 100,
  });
});

test('pictures with a side under 5 pixels give the zero hash and quality 0', () => {
  assert.deepEqual(pdqHash(pattern(4, 300), 4, 300), { hash: '0'.repeat(64), quality: 0 });
  assert.equal(pdqHashDihedral(pattern(300, 1), 300, 1).quality, 0);
});

test('a flat picture has quality 0', () => {
  const grey = new Uint8ClampedArray(100 * 80 * 4).fill(128);
  assert.equal(pdqHash(grey, 100, 80).quality, 0);
});

test('the pre-resize is CImg nearest neighbour: source index floor(i * old / 512)', () => {
  const width = 1300;
  const rgba = new Uint8ClampedArray(width * 2 * 4);
  for (let x = 0; x < width; x++) rgba.fill(x % 251, x * 4, x * 4 + 3);
  const { luma, width: w, height: h } = lumaFromRGBA(rgba, width, 2);
  assert.deepEqual([w, h], [512, 512]);
  for (const x of [0, 1, 2, 255, 511]) assert.equal(luma[x], Math.floor((x * width) / 512) % 251);
});

test('no resize at 512 and below; luma of grey pixels is the grey level', () => {
  const rgba = new Uint8ClampedArray(512 * 3 * 4);
  for (let i = 0; i < 512 * 3; i++) rgba.fill(i % 256, i * 4, i * 4 + 3);
  const { luma, width, height } = lumaFromRGBA(rgba, 512, 3);
  assert.deepEqual([width, height], [512, 3]);
  assert.deepEqual(Array.from(luma), Array.from({ length: 512 * 3 }, (_, i) => i % 256));
});

test('pdqHashFromLuma on the same luma gives the same hash as pdqHash', () => {
  const rgba = pattern(300, 200);
  const { luma } = lumaFromRGBA(rgba, 300, 200);
  assert.deepEqual(pdqHashFromLuma(luma, 300, 200), pdqHash(rgba, 300, 200));
});

test('dihedral: the original equals pdqHash and the eight differ', () => {
  const rgba = pattern(320, 240);
  const { hashes, quality } = pdqHashDihedral(rgba, 320, 240);
  assert.equal(hashes.original, pdqHash(rgba, 320, 240).hash);
  assert.equal(quality, 100);
  assert.equal(new Set(Object.values(hashes)).size, 8);
});

test('dihedral: a copy turned clockwise matches rotate270 (PDQ turns counter-clockwise)', () => {
  const rgba = waves(256, 256);
  const { hashes } = pdqHashDihedral(rgba, 256, 256);
  const turned = pdqHash(rotateClockwise(rgba, 256, 256), 256, 256).hash;
  for (const [name, hash] of Object.entries(hashes)) {
    const distance = hammingDistance(hash, turned);
    // 31 is PDQ's usual match threshold.
    assert.ok(name === 'rotate270' ? distance <= 31 : distance > 64, `${name}: ${distance}`);
  }
});

test('hammingDistance counts differing bits', () => {
  const zero = '0'.repeat(64);
  assert.equal(hammingDistance(zero, zero), 0);
  assert.equal(hammingDistance(zero, 'f'.repeat(64)), 256);
  assert.equal(hammingDistance(zero, '8' + '0'.repeat(62) + '3'), 3);
});
