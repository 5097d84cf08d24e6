/**
 * The hashes a case is made of, as `POST /api/cases` takes them. Pure: no DOM.
 */

/**
 * The usable files and the hashes each gives the case, in the order the files were
 * chosen. Frames of quality under `minQuality`, and any hash already listed, are left
 * out (the server refuses duplicates).
 * @param {Array<{state: string, kind?: string, hashes: Array<object>}>} entries
 * @param {number} minQuality the policy's lowest PDQ quality worth sending
 * @returns {Array<{entry: object, hashes: Array<{signalType: string, hashValue: string,
 *   quality?: number, frameTime?: number}>}>}
 */
export function caseFiles(entries, minQuality) {
  const files = [];
  const seen = new Set();
  for (const entry of entries) {
    if (entry.state !== 'ready') continue;
    const hashes = entry.hashes.filter(({ signalType, hashValue, quality, frameTime }) => {
      const key = `${signalType}:${hashValue}`;
      if (seen.has(key) || (frameTime !== undefined && quality < minQuality)) return false;
      seen.add(key);
      return true;
    });
    files.push({ entry, hashes });
  }
  return files;
}

/**
 * The hashes of the usable files (see caseFiles). A video's frame hashes follow its
 * VideoMD5 and point at it with `frameOf`.
 * @param {Array<{state: string, kind?: string, hashes: Array<object>}>} entries
 * @param {number} minQuality the policy's lowest PDQ quality worth sending
 * @returns {Array<{signalType: string, hashValue: string, quality?: number, frameOf?: number}>}
 */
export function caseHashes(entries, minQuality) {
  const hashes = [];
  for (const file of caseFiles(entries, minQuality)) {
    let videoIndex;
    for (const { signalType, hashValue, quality, frameTime } of file.hashes) {
      const item = { signalType, hashValue };
      if (signalType === 'ImagePDQ') item.quality = quality;
      if (signalType === 'VideoMD5') videoIndex = hashes.length;
      else if (frameTime !== undefined) item.frameOf = videoIndex;
      hashes.push(item);
    }
  }
  return hashes;
}
