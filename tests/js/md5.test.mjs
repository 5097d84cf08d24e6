// static/js/hashing/md5.js against Node's own MD5 (OpenSSL, as Python's hashlib).
// Needs static/vendor (built by `node scripts/vendor.mjs`). Sizes up to 300 MB
// are checked in Chromium against hashlib: tests/browser/test_hashing_browser.py.
import assert from 'node:assert/strict';
import { createHash, randomFillSync } from 'node:crypto';
import { test } from 'node:test';

import { md5Blob } from '../../static/js/hashing/md5.js';

const expected = (bytes) => createHash('md5').update(bytes).digest('hex');

test('MD5 of small inputs around the 64-byte block size', async () => {
  for (const size of [0, 1, 55, 56, 63, 64, 65, 127, 128, 1000]) {
    const bytes = randomFillSync(new Uint8Array(size));
    assert.equal(await md5Blob(new Blob([bytes])), expected(bytes), `size ${size}`);
  }
});

test('a blob of many parts, read in many chunks, with progress up to its size', async () => {
  const parts = Array.from({ length: 40 }, (_, i) => randomFillSync(new Uint8Array(1000 * i + 7)));
  const blob = new Blob(parts);
  const progress = [];
  const digest = await md5Blob(blob, { onProgress: (done, total) => progress.push([done, total]) });
  assert.equal(digest, expected(Buffer.concat(parts)));
  assert.ok(progress.length > 1);
  assert.deepEqual(progress.at(-1), [blob.size, blob.size]);
  assert.ok(progress.every(([done], i) => i === 0 || done > progress[i - 1][0]));
});

test('a cancelled signal stops hashing', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(md5Blob(new Blob([new Uint8Array(10)]), { signal: controller.signal }), { name: 'AbortError' });
  const later = new AbortController();
  const big = new Blob([new Uint8Array(4 * 1024 * 1024)]);
  const hashing = md5Blob(big, { signal: later.signal, onProgress: () => later.abort() });
  await assert.rejects(hashing, { name: 'AbortError' });
});
