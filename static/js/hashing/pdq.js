/**
 * PDQ perceptual hash, a float32 port of Meta's reference C++
 * (facebook/ThreatExchange pdq/cpp: io/pdqio.cpp, hashing/pdqhashing.cpp,
 * downscaling/downscaling.cpp, hashing/torben.cpp).
 *
 * From the luma on, every arithmetic step is rounded to float32 (Math.fround /
 * Float32Array) in the same order as the C++ code, so hashes agree bit for bit
 * with the reference on the same pixels (see lumaFromRGBA for the luma).
 * Pure: no DOM, runs in pages, workers and Node.
 *
 * Pipeline of the reference file hasher (pdqHash256FromFile):
 *   RGB pixels -> if a side > 512, CImg nearest-neighbour resize to 512x512
 *   -> float luma -> two-pass Jarosz box filter -> decimate to 64x64
 *   -> quality metric -> 16x16 DCT -> bits above the median.
 */

/** Pictures with a side larger than this are first resized to this square. */
export const DOWNSAMPLE_DIMS = 512;
const MIN_HASHABLE_DIM = 5;
const JAROSZ_PASSES = 2;

const f32 = Math.fround;

/** The 16x64 DCT matrix, computed as the reference does (double cos, float store). */
const DCT_MATRIX = (() => {
  const matrix = new Float32Array(16 * 64);
  const scale = f32(Math.sqrt(2.0 / 64));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      matrix[i * 64 + j] = scale * Math.cos((Math.PI / 2.0 / 64) * (i + 1) * (2 * j + 1));
    }
  }
  return matrix;
})();

/**
 * Source index of each output position in CImg's default resize
 * (interpolation type 1, nearest neighbour): floor(x * oldSize / newSize).
 */
export function nearestIndices(oldSize, newSize) {
  const indices = new Uint32Array(newSize);
  for (let x = 0; x < newSize; x++) indices[x] = Math.floor((x * oldSize) / newSize);
  return indices;
}

/**
 * Float32 luma of an RGBA buffer, after the reference's 512x512 nearest-neighbour
 * pre-resize when either side is larger than 512. Alpha is ignored, as CImg does.
 *
 * Luma is 0.299 R + 0.587 G + 0.114 B computed in double and stored as float32,
 * exactly as the `pdqhash` package (used by ThreatExchange's Python tools and
 * Hasher-Matcher-Actioner) feeds the C++ core. It equals the grey level for
 * grey pixels, as the C++ file hasher's one-channel path does. The C++ hasher's
 * three-channel path sums in float32 instead, which differs by a float32 unit
 * or two on some pixels; that moves bits only on degenerate pictures such
 * as one-pixel-high strips, whose DCT is almost all zeros.
 * @returns {{luma: Float32Array, width: number, height: number}}
 */
export function lumaFromRGBA(rgba, width, height) {
  let outW = width;
  let outH = height;
  if (width > DOWNSAMPLE_DIMS || height > DOWNSAMPLE_DIMS) {
    outW = DOWNSAMPLE_DIMS;
    outH = DOWNSAMPLE_DIMS;
  }
  const xs = nearestIndices(width, outW);
  const ys = nearestIndices(height, outH);
  const luma = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const row = ys[y] * width;
    for (let x = 0; x < outW; x++) {
      const p = (row + xs[x]) * 4;
      luma[y * outW + x] = rgba[p] * 0.299 + rgba[p + 1] * 0.587 + rgba[p + 2] * 0.114;
    }
  }
  return { luma, width: outW, height: outH };
}

/** Reference computeJaroszFilterWindowSize (integer division). */
function jaroszWindowSize(oldDimension, newDimension) {
  return Math.trunc((oldDimension + 2 * newDimension - 1) / (2 * newDimension));
}

/**
 * Reference box1DFloat, a running-sum box filter, run on `lanes` parallel
 * vectors at once: rows (step 1, lanes a row apart) or columns (step a row,
 * lanes 1 apart). Each vector sees exactly the reference's float32 operations;
 * advancing all lanes together keeps memory access local and lets the CPU
 * overlap the lanes' dependency chains.
 */
function boxFilter(input, output, length, step, lanes, laneStride, fullWindow) {
  const halfWindow = Math.trunc((fullWindow + 2) / 2); // 7 -> 4, 8 -> 5
  const phase1 = halfWindow - 1; // accumulate, no writes
  const phase2 = fullWindow - halfWindow + 1; // writes with a growing window
  const phase3 = length - fullWindow; // writes with the full window
  const phase4 = halfWindow - 1; // writes with a shrinking window
  const sums = new Float32Array(lanes);
  let ri = 0; // right edge of the window (adds)
  let li = 0; // left edge of the window (subtracts)
  let oi = 0; // output
  let windowSize = 0;
  for (let i = 0; i < phase1; i++, ri += step) {
    for (let k = 0, r = ri; k < lanes; k++, r += laneStride) sums[k] += input[r];
    windowSize++;
  }
  for (let i = 0; i < phase2; i++, ri += step, oi += step) {
    windowSize++;
    for (let k = 0, r = ri, o = oi; k < lanes; k++, r += laneStride, o += laneStride) {
      sums[k] += input[r];
      output[o] = sums[k] / windowSize;
    }
  }
  for (let i = 0; i < phase3; i++, ri += step, li += step, oi += step) {
    for (let k = 0, r = ri, l = li, o = oi; k < lanes; k++, r += laneStride, l += laneStride, o += laneStride) {
      const sum = f32(f32(sums[k] + input[r]) - input[l]);
      sums[k] = sum;
      output[o] = sum / windowSize;
    }
  }
  for (let i = 0; i < phase4; i++, li += step, oi += step) {
    windowSize--;
    for (let k = 0, l = li, o = oi; k < lanes; k++, l += laneStride, o += laneStride) {
      sums[k] -= input[l];
      output[o] = sums[k] / windowSize;
    }
  }
}

/** Reference jaroszFilterFloat: rows then columns, twice; the result ends in buffer1. */
function jaroszFilter(buffer1, buffer2, numRows, numCols, windowAlongRows, windowAlongCols) {
  for (let pass = 0; pass < JAROSZ_PASSES; pass++) {
    boxFilter(buffer1, buffer2, numCols, 1, numRows, numCols, windowAlongRows);
    boxFilter(buffer2, buffer1, numRows, numCols, numCols, 1, windowAlongCols);
  }
}

/** Reference decimateFloat to 64x64, sampling at target centres. */
function decimate(input, numRows, numCols) {
  const out = new Float32Array(64 * 64);
  for (let outi = 0; outi < 64; outi++) {
    const ini = Math.trunc(((outi + 0.5) * numRows) / 64);
    for (let outj = 0; outj < 64; outj++) {
      const inj = Math.trunc(((outj + 0.5) * numCols) / 64);
      out[outi * 64 + outj] = input[ini * numCols + inj];
    }
  }
  return out;
}

/** Blur and decimate a luma buffer to 64x64 (consumes the buffer). */
function downsample64(luma, numRows, numCols) {
  const scratch = new Float32Array(numRows * numCols);
  jaroszFilter(
    luma,
    scratch,
    numRows,
    numCols,
    jaroszWindowSize(numCols, 64),
    jaroszWindowSize(numRows, 64),
  );
  return decimate(luma, numRows, numCols);
}

/** Reference pdqImageDomainQualityMetric: count of significant gradients, 0..100. */
function qualityMetric(a) {
  let gradientSum = 0;
  const add = (u, v) => {
    gradientSum += Math.abs(Math.trunc(f32(f32(f32(u - v) * 100) / 255)));
  };
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) add(a[i * 64 + j], a[(i + 1) * 64 + j]);
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) add(a[i * 64 + j], a[i * 64 + j + 1]);
  }
  return Math.min(100, Math.trunc(gradientSum / 90));
}

/**
 * A matrix product over an inner size of 64, summed as the reference does (k in
 * order, float32 after every step): out[i][j] = sum of left[i][k] * R[k][j], where
 * R[k][j] = right[k * kStride + j * jStride] (kStride 64, jStride 1: `right` as it
 * is; kStride 1, jStride 64: `right` transposed). Row-major, `rows` x `cols`.
 * @param {Float32Array} left rows x 64
 * @param {Float32Array} right
 * @returns {Float32Array}
 */
function multiply64(left, right, rows, cols, jStride, kStride) {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = f32(sum + f32(left[i * 64 + k] * right[j * jStride + k * kStride]));
      out[i * cols + j] = sum;
    }
  }
  return out;
}

/** Reference dct64To16: B = D A D^T, keeping the 16x16 low frequencies (row-major). */
function dct64To16(a) {
  const t = multiply64(DCT_MATRIX, a, 16, 64, 1, 64); // D A, 16x64
  return multiply64(t, DCT_MATRIX, 16, 16, 64, 1); // (D A) D^T, 16x16
}

/**
 * Torben's median as the reference uses it: for 256 values it always returns
 * the 128th smallest, which a sort gives exactly.
 */
function median256(values) {
  return Float32Array.from(values).sort()[127];
}

/**
 * Bits of a 16x16 DCT: bit i*16+j is set when B[i][j] > median. Formatted as the
 * reference Hash256::format: words 15..0, each as 4 lowercase hex digits.
 */
function bitsToHex(b) {
  const median = median256(b);
  let hex = '';
  for (let i = 15; i >= 0; i--) {
    let word = 0;
    for (let j = 0; j < 16; j++) {
      if (b[i * 16 + j] > median) word |= 1 << j;
    }
    hex += word.toString(16).padStart(4, '0');
  }
  return hex;
}

const ZERO_HASH = '0'.repeat(64);

/**
 * Hash a float32 luma buffer as given (no pre-resize): the reference
 * pdqHash256FromFloatLuma, which is also what the `pdqhash` PyPI package runs.
 * The buffer is used as scratch space.
 * @param {Float32Array} luma row-major, height x width
 * @returns {{hash: string, quality: number}}
 */
export function pdqHashFromLuma(luma, width, height) {
  if (height < MIN_HASHABLE_DIM || width < MIN_HASHABLE_DIM) return { hash: ZERO_HASH, quality: 0 };
  // 64x64 input is used as is, without the blur (the reference's video-frame shortcut).
  const a = width === 64 && height === 64 ? Float32Array.from(luma) : downsample64(luma, height, width);
  return { hash: bitsToHex(dct64To16(a)), quality: qualityMetric(a) };
}

/**
 * PDQ of RGBA pixels (e.g. ImageData.data), as the reference file hasher
 * computes it after decoding, including the 512x512 nearest-neighbour pre-resize.
 * @param {Uint8Array|Uint8ClampedArray} rgba width*height*4 bytes
 * @returns {{hash: string, quality: number}}
 */
export function pdqHash(rgba, width, height) {
  const prepared = lumaFromRGBA(rgba, width, height);
  return pdqHashFromLuma(prepared.luma, prepared.width, prepared.height);
}

/**
 * The eight dihedral transforms of the 16x16 DCT (reference dct16OriginalTo*):
 * each maps (i, j, value) to [row, col, value] of the transformed picture's DCT.
 */
const DIHEDRAL = {
  original: (i, j, v) => [i, j, v],
  rotate90: (i, j, v) => [j, i, j & 1 ? v : -v],
  rotate180: (i, j, v) => [i, j, (i + j) & 1 ? -v : v],
  rotate270: (i, j, v) => [j, i, i & 1 ? v : -v],
  flipX: (i, j, v) => [i, j, i & 1 ? v : -v],
  flipY: (i, j, v) => [i, j, j & 1 ? v : -v],
  flipPlus1: (i, j, v) => [j, i, v],
  flipMinus1: (i, j, v) => [j, i, (i + j) & 1 ? -v : v],
};

function transformDct(b, transform) {
  const out = new Float32Array(256);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      const [row, col, value] = transform(i, j, b[i * 16 + j]);
      out[row * 16 + col] = value;
    }
  }
  return out;
}

/**
 * The reference pdqDihedralHash256esFromFile: hashes of the picture and of its
 * rotations and flips, all from one DCT (for matching transformed copies).
 * @returns {{quality: number, hashes: Object<string, string>}} keys: original,
 *   rotate90, rotate180, rotate270, flipX, flipY, flipPlus1, flipMinus1
 */
export function pdqHashDihedral(rgba, width, height) {
  const { luma, width: w, height: h } = lumaFromRGBA(rgba, width, height);
  /** @type {Object<string, string>} */
  const hashes = {};
  if (h < MIN_HASHABLE_DIM || w < MIN_HASHABLE_DIM) {
    for (const name of Object.keys(DIHEDRAL)) hashes[name] = ZERO_HASH;
    return { quality: 0, hashes };
  }
  const a = downsample64(luma, h, w);
  const b = dct64To16(a);
  for (const [name, transform] of Object.entries(DIHEDRAL)) {
    hashes[name] = bitsToHex(transformDct(b, transform));
  }
  return { quality: qualityMetric(a), hashes };
}

/** Number of differing bits between two 64-hex-digit hashes. */
export function hammingDistance(hexA, hexB) {
  let distance = 0;
  for (let i = 0; i < hexA.length; i += 8) {
    let x = parseInt(hexA.slice(i, i + 8), 16) ^ parseInt(hexB.slice(i, i + 8), 16);
    while (x) {
      x &= x - 1;
      distance++;
    }
  }
  return distance;
}
