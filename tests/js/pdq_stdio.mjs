// Test helper (not a test): hashes pictures sent on stdin, for the Python
// conformance test against the `pdqhash` reference.
// Request: a 9-byte header (kind: 1 byte, "R" = RGBA pixels, "L" = float32 luma;
// width, height: uint32 LE) then the pixel bytes. Reply: one JSON line
// {"hash": ..., "quality": ...} (plus "dihedral" for RGBA requests).
import { pdqHash, pdqHashDihedral, pdqHashFromLuma } from '../../static/js/hashing/pdq.js';

const chunks = [];
let buffered = 0;

function take(n) {
  const out = Buffer.allocUnsafe(n);
  let filled = 0;
  while (filled < n) {
    const head = chunks[0];
    const count = Math.min(head.length, n - filled);
    head.copy(out, filled, 0, count);
    filled += count;
    if (count === head.length) chunks.shift();
    else chunks[0] = head.subarray(count);
  }
  buffered -= n;
  return out;
}

let pending = null;

function answer(kind, width, height, body) {
  if (kind === 'L') {
    const luma = new Float32Array(body.buffer, body.byteOffset, width * height);
    return pdqHashFromLuma(Float32Array.from(luma), width, height);
  }
  const rgba = new Uint8Array(body.buffer, body.byteOffset, body.length);
  const { hash, quality } = pdqHash(rgba, width, height);
  return { hash, quality, dihedral: pdqHashDihedral(rgba, width, height) };
}

function drain() {
  for (;;) {
    if (!pending) {
      if (buffered < 9) return;
      const header = take(9);
      const kind = String.fromCharCode(header[0]);
      const width = header.readUInt32LE(1);
      const height = header.readUInt32LE(5);
      pending = { kind, width, height, size: width * height * 4 };
    }
    if (buffered < pending.size) return;
    const body = Buffer.from(take(pending.size)); // aligned copy
    process.stdout.write(JSON.stringify(answer(pending.kind, pending.width, pending.height, body)) + '\n');
    pending = null;
  }
}

process.stdin.on('data', (chunk) => {
  chunks.push(chunk);
  buffered += chunk.length;
  drain();
});
