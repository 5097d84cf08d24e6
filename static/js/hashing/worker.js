/**
 * Module worker doing the heavy work for index.js: decoding, PDQ and MD5.
 * Requests: {id, op, ...}; replies: {id, progress} (0..1) zero or more times,
 * then {id, result} or {id, error: {code, message}}.
 */
import { decodeImage } from './decode.js';
import { md5Blob } from './md5.js';
import { pdqHash } from './pdq.js';

const operations = {
  /** Decode an image file (one of `formats`, no side under `minSide`) once, and hash it; also returns a thumbnail Blob. */
  async image({ file, formats, minSide, magickModule }, progress) {
    progress(0.05);
    const pixels = await decodeImage(file, formats, magickModule, { thumbnail: true });
    progress(0.6);
    if (pixels.originalWidth < minSide || pixels.originalHeight < minSide) {
      throw Object.assign(new Error('too-small'), { code: 'too-small' });
    }
    const { hash, quality } = pdqHash(pixels.rgba, pixels.width, pixels.height);
    return { hash, quality, width: pixels.originalWidth, height: pixels.originalHeight, thumbnail: pixels.thumbnail };
  },

  /** MD5 of the file's exact bytes. */
  async md5({ file }, progress) {
    return md5Blob(file, { onProgress: (done, total) => progress(done / total) });
  },

  /** PDQ of one video frame. */
  async frame({ imageData }) {
    return pdqHash(imageData.data, imageData.width, imageData.height);
  },
};

self.addEventListener('message', async ({ data: { id, op, ...args } }) => {
  try {
    const result = await operations[op](args, (fraction) => self.postMessage({ id, progress: fraction }));
    self.postMessage({ id, result });
  } catch (error) {
    self.postMessage({ id, error: { code: error.code ?? 'hashing-failed', message: String(error.message ?? error) } });
  }
});
