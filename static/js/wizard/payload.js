/**
 * The hashes a case is made of, as `POST /api/cases` takes them. Pure: no DOM.
 */

/**
 * The hashes of the usable files, in the order the files were chosen.
 * A video's frame hashes follow its VideoMD5 and point at it with `frameOf`;
 * frames of quality under `minQuality`, and any hash already listed, are left out
 * (the server refuses duplicates).
 * @param {Array<{state: string, kind: string, hashes: Array<object>}>} entries
 * @param {number} minQuality the policy's lowest PDQ quality worth sending
 * @returns {Array<{signalType: string, hashValue: string, quality?: number, frameOf?: number}>}
 */
export function caseHashes(entries, minQuality) {
  const hashes = [];
  const seen = new Set();
  for (const entry of entries) {
    if (entry.state !== 'ready') continue;
    let videoIndex;
    for (const { signalType, hashValue, quality, frameTime } of entry.hashes) {
      const key = `${signalType}:${hashValue}`;
      const isFrame = frameTime !== undefined;
      if (seen.has(key) || (isFrame && quality < minQuality)) continue;
      seen.add(key);
      const item = { signalType, hashValue };
      if (signalType === 'ImagePDQ') item.quality = quality;
      if (signalType === 'VideoMD5') videoIndex = hashes.length;
      else if (isFrame) item.frameOf = videoIndex;
      hashes.push(item);
    }
  }
  return hashes;
}

/** Counts for the check step: usable pictures, videos, and hashes to send. */
export function caseCounts(entries, minQuality) {
  const ready = entries.filter((entry) => entry.state === 'ready');
  return {
    pictures: ready.filter((entry) => entry.kind === 'image').length,
    videos: ready.filter((entry) => entry.kind === 'video').length,
    hashes: caseHashes(entries, minQuality).length,
  };
}
