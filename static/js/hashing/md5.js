/**
 * Streaming MD5 of a Blob or File. The bytes are read as a byte stream into
 * one reused 4 MiB buffer (a "bring your own buffer" reader), each piece hashed
 * in turn, so memory stays flat and no garbage piles up however large the file
 * is. In Chromium this reads faster than awaiting fixed-size File.slice()
 * buffers, since reading overlaps hashing. Uses hash-wasm, self-hosted in
 * static/vendor.
 */
import { createMD5 } from '../../vendor/hash-wasm/index.esm.min.js';

export const BUFFER_SIZE = 4 * 1024 * 1024;

/** Reads `blob` piece by piece into one reused buffer, calling `consume` on each piece. */
async function readPieces(blob, consume, signal) {
  const reader = blob.stream().getReader({ mode: 'byob' });
  let buffer = new ArrayBuffer(BUFFER_SIZE);
  try {
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      signal?.throwIfAborted();
      if (done) return;
      consume(value);
      buffer = value.buffer;
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
}

/**
 * @param {Blob} blob
 * @param {{onProgress?: (bytesDone: number, bytesTotal: number) => void,
 *          signal?: AbortSignal}} [options]
 * @returns {Promise<string>} 32 lowercase hex digits
 * @throws the signal's reason when cancelled
 */
export async function md5Blob(blob, { onProgress, signal } = {}) {
  signal?.throwIfAborted();
  const md5 = await createMD5();
  md5.init();
  let done = 0;
  await readPieces(
    blob,
    (piece) => {
      md5.update(piece);
      done += piece.length;
      onProgress?.(done, blob.size);
    },
    signal,
  );
  return md5.digest('hex');
}
