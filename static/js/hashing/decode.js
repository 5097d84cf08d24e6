/**
 * File -> RGBA pixels, in a page or a worker.
 *
 * Browser-native decoding (createImageBitmap) for the formats browsers read;
 * ImageMagick's WebAssembly build, loaded lazily on first use, for the rest.
 *
 * Decoding follows the reference hasher's decoder (CImg over libjpeg/libpng/
 * ImageMagick), which reads the stored pixels as they are:
 *  - EXIF orientation is ignored: Chromium applies it whatever createImageBitmap
 *    is told, so a JPEG's orientation tag is reset to 1 in the bytes handed to
 *    the decoder (other formats rarely carry one). The dihedral PDQ hashes cover
 *    turned copies. Thumbnails are shown upright.
 *  - No colour management: embedded ICC profiles are not applied.
 *  - Alpha is ignored: the stored colour of every pixel is hashed, transparent
 *    or not. A canvas premultiplies (fully transparent pixels read as black), so
 *    PNGs, GIFs and WebPs with transparency go to ImageMagick, which keeps the
 *    stored colours.
 *  - GIF and other animations: the first frame.
 */
import { DOWNSAMPLE_DIMS } from './pdq.js';

const THUMBNAIL_SIZE = 160;

/** Thrown for a file that can be read but not decoded, or not decoded as an image. */
export class DecodeError extends Error {
  constructor(code, message) {
    super(message ?? code);
    this.name = 'DecodeError';
    this.code = code;
  }
}

function extension(name) {
  const dot = (name ?? '').lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * @typedef {{name: string, kind: 'picture'|'video', extensions: string[], mimeTypes: string[],
 *   magick: string|null}} Format one row of the server's format table (openncii/policy.py)
 */

/** The row of `formats` a file belongs to: by its extension first (browsers report no
 * MIME type for most of the ImageMagick formats), then by its MIME type; or undefined. */
export function formatOf(file, formats) {
  const ext = extension(file.name);
  const type = (file.type ?? '').toLowerCase();
  return formats.find((format) => format.extensions.includes(ext))
    ?? formats.find((format) => format.mimeTypes.includes(type));
}

/**
 * Which decoder reads a picture: {decoder: 'native', format: MIME type} (the browser's),
 * {decoder: 'magick', format: ImageMagick's name}, or null when `formats` has no picture
 * format for it.
 * @param {File} file
 * @param {Format[]} formats
 */
export function imageDecoderFor(file, formats) {
  const format = formatOf(file, formats);
  if (format?.kind !== 'picture') return null;
  if (format.magick) return { decoder: 'magick', format: format.magick };
  return { decoder: 'native', format: format.mimeTypes[0] };
}

function newCanvas(width, height) {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.imageSmoothingEnabled = false;
  return { canvas, context };
}

/**
 * Where the reference's nearest-neighbour resize (pdq.js nearestIndices: output
 * pixel i takes source pixel floor(i * old / new)) puts the image when a canvas
 * draws it unsmoothed: the canvas samples each output pixel at its centre, so the
 * image starts just under half a pixel in, which maps centre i + 0.5 to source
 * i * old / new + 1/1024 (less than the 1/new that separates two source indices).
 */
function nearestOffset(oldSize) {
  return 0.5 - 1 / (2 * oldSize);
}

/**
 * Pixels of an ImageBitmap. Pictures larger than 512 on a side come already
 * reduced with the reference's nearest-neighbour 512x512 resize (see pdq.js), drawn
 * in one unsmoothed canvas draw (tests/browser/test_hashing_browser.py checks it
 * picks the same pixels), so a 50-megapixel photo never needs a full-size RGBA copy.
 */
function bitmapPixels(bitmap) {
  const { width, height } = bitmap;
  const size = DOWNSAMPLE_DIMS;
  if (width <= size && height <= size) {
    const { context } = newCanvas(width, height);
    context.drawImage(bitmap, 0, 0);
    return { rgba: context.getImageData(0, 0, width, height).data, width, height };
  }
  const { context } = newCanvas(size, size);
  context.drawImage(bitmap, 0, 0, width, height, nearestOffset(width), nearestOffset(height), size, size);
  return { rgba: context.getImageData(0, 0, size, size).data, width: size, height: size };
}

/** How far into a JPEG the EXIF block is looked for. */
const EXIF_SEARCH_BYTES = 256 * 1024;
/** How far into a file its transparency (stated before the first image data) is looked for. */
const TRANSPARENCY_SEARCH_BYTES = 1024 * 1024;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Whether PNG bytes can hold transparent pixels: an alpha channel (colour types
 * 4 and 6) or a tRNS chunk, which comes before the first IDAT chunk.
 * @param {Uint8Array} bytes the start of a PNG file
 */
export function pngHasTransparency(bytes) {
  if (bytes.length < 26 || PNG_SIGNATURE.some((byte, i) => bytes[i] !== byte)) return false;
  const colourType = bytes[25]; // in IHDR, the first chunk
  if (colourType === 4 || colourType === 6) return true;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 8 <= bytes.length; at += 12 + view.getUint32(at)) {
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'tRNS') return true;
    if (type === 'IDAT') return false;
  }
  return false;
}

/**
 * Whether GIF bytes make a colour transparent: a graphic control extension with
 * its transparency flag, before the first image.
 * @param {Uint8Array} bytes the start of a GIF file
 */
export function gifHasTransparency(bytes) {
  if (bytes.length < 13 || String.fromCharCode(...bytes.subarray(0, 3)) !== 'GIF') return false;
  const packed = bytes[10];
  let at = 13 + (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0); // global colour table
  while (at + 3 < bytes.length && bytes[at] === 0x21) { // extensions, until the first image
    if (bytes[at + 1] === 0xf9) return (bytes[at + 3] & 0x01) === 1;
    at += 2;
    while (at < bytes.length && bytes[at] !== 0) at += bytes[at] + 1; // data sub-blocks
    at += 1;
  }
  return false;
}

/**
 * Whether WebP bytes carry alpha: the VP8X alpha flag, or VP8L's alpha_is_used bit.
 * @param {Uint8Array} bytes the start of a WebP file
 */
export function webpHasAlpha(bytes) {
  const tag = (at) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 25 || tag(0) !== 'RIFF' || tag(8) !== 'WEBP') return false;
  if (tag(12) === 'VP8X') return (bytes[20] & 0x10) !== 0;
  if (tag(12) === 'VP8L') return (bytes[24] & 0x10) !== 0; // bit 28 after the 0x2f signature
  return false; // VP8: lossy without alpha
}

/** Browser formats that can be transparent: how to tell, and ImageMagick's name for them. */
const TRANSPARENCY = {
  'image/png': [pngHasTransparency, 'PNG'],
  'image/gif': [gifHasTransparency, 'GIF'],
  'image/webp': [webpHasAlpha, 'WEBP'],
};

/**
 * Sets the EXIF orientation (tag 0x0112 of IFD0) of JPEG bytes to 1, in place.
 * @param {Uint8Array} bytes the start of a JPEG file
 * @returns {number} the orientation it had (1 when none)
 */
export function resetJpegOrientation(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0xffd8) return 1;
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    const length = view.getUint16(at + 2);
    if (marker === 0xda) return 1; // start of scan: no more metadata
    const isExif = marker === 0xe1 && String.fromCharCode(...bytes.subarray(at + 4, at + 10)) === 'Exif\0\0';
    if (isExif && at + 2 + length <= bytes.length) return resetTiffOrientation(view, at + 10, at + 2 + length);
    at += 2 + length;
  }
  return 1;
}

function resetTiffOrientation(view, tiff, end) {
  if (tiff + 8 > end) return 1;
  const little = view.getUint16(tiff) === 0x4949; // "II"
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return 1;
  const count = view.getUint16(ifd, little);
  for (let entry = ifd + 2; entry < Math.min(ifd + 2 + count * 12, end - 11); entry += 12) {
    if (view.getUint16(entry, little) === 0x0112) {
      const orientation = view.getUint16(entry + 8, little);
      view.setUint16(entry + 8, 1, little);
      return orientation;
    }
  }
  return 1;
}

/** The file as a Blob the decoder reads without EXIF orientation, and that orientation. */
async function withoutOrientation(file, format) {
  if (format !== 'image/jpeg') return { blob: file.type ? file : new Blob([file], { type: format }), orientation: 1 };
  const head = new Uint8Array(await file.slice(0, EXIF_SEARCH_BYTES).arrayBuffer());
  const orientation = resetJpegOrientation(head);
  return { blob: new Blob([head, file.slice(head.length)], { type: format }), orientation };
}

async function nativeDecode(file, format) {
  const { blob, orientation } = await withoutOrientation(file, format);
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob, {
      imageOrientation: 'from-image',
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch {
    throw new DecodeError('corrupt-file');
  }
  try {
    return { ...bitmapPixels(bitmap), originalWidth: bitmap.width, originalHeight: bitmap.height, orientation };
  } finally {
    bitmap.close(); // the full-size picture is freed as soon as it is reduced
  }
}

const MAGICK_WASM = new URL('../../vendor/magick-wasm/magick.wasm', import.meta.url);
let magickCompiling = null;
let magickLoading = null;

/**
 * ImageMagick's WebAssembly module, compiled once per page (15 MB: compiling it
 * again for each file's worker cost ~0.3 s a file). Workers receive it ready.
 */
export function compiledImageMagick() {
  magickCompiling ??= WebAssembly.compileStreaming(fetch(MAGICK_WASM)).catch((error) => {
    magickCompiling = null;
    throw error;
  });
  return magickCompiling;
}

/** Loads ImageMagick once per page or worker, on first need, from `module` if given. */
function loadMagick(module) {
  magickLoading ??= (async () => {
    const magick = await import('../../vendor/magick-wasm/index.js');
    await magick.initializeImageMagick(module ?? (await compiledImageMagick()));
    return magick;
  })();
  return magickLoading;
}

/** Layered formats are flattened the way ImageMagick's `convert` shows them. */
const FLATTEN = new Set(['XCF']);

async function magickDecode(file, format, module) {
  const magick = await loadMagick(module);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const settings = new magick.MagickReadSettings({ format });
  const toPixels = (image) => {
    image.depth = 8; // 16-bit files would otherwise give two bytes a channel
    return image.write(magick.MagickFormat.Rgba, (data) => ({
      rgba: new Uint8ClampedArray(data),
      width: image.width,
      height: image.height,
      originalWidth: image.width,
      originalHeight: image.height,
      orientation: 1,
    }));
  };
  try {
    if (FLATTEN.has(format)) {
      return magick.MagickImageCollection.use((images) => {
        images.read(bytes, settings);
        return images.flatten(toPixels);
      });
    }
    return magick.ImageMagick.read(bytes, settings, toPixels);
  } catch {
    throw new DecodeError('corrupt-file');
  }
}

/**
 * Which ImageMagick format reads a file, or null when the browser decodes it:
 * the formats browsers don't read, and transparent pictures (see the top).
 * @param {File} file
 * @param {Format[]} formats
 */
export async function imageMagickFormat(file, formats) {
  const choice = imageDecoderFor(file, formats);
  if (choice?.decoder === 'magick') return choice.format;
  const [isTransparent, format] = TRANSPARENCY[choice?.format] ?? [];
  if (!isTransparent) return null;
  const head = new Uint8Array(await file.slice(0, TRANSPARENCY_SEARCH_BYTES).arrayBuffer());
  return isTransparent(head) ? format : null;
}

/**
 * Decodes an image file to RGBA.
 * @param {File} file
 * @param {Format[]} formats the accepted formats
 * @param {WebAssembly.Module} [magickModule] ImageMagick, compiled (else compiled here)
 * @param {{thumbnail?: boolean}} [options] thumbnail: also make a preview, from the same decode
 * @returns {Promise<{rgba: Uint8ClampedArray, width: number, height: number,
 *   originalWidth: number, originalHeight: number, orientation: number, thumbnail?: Blob}>}
 *   width/height may already be reduced to 512x512 (the PDQ pre-resize);
 *   original* are the stored picture's size; orientation is the EXIF one (1..8);
 *   thumbnail: see thumbnailBlob.
 * @throws {DecodeError} code 'unsupported-format' or 'corrupt-file'
 */
export async function decodeImage(file, formats, magickModule, { thumbnail = false } = {}) {
  const choice = imageDecoderFor(file, formats);
  if (!choice) throw new DecodeError('unsupported-format');
  const magickFormat = await imageMagickFormat(file, formats);
  const pixels = magickFormat
    ? await magickDecode(file, magickFormat, magickModule)
    : await nativeDecode(file, choice.format);
  if (thumbnail) {
    // From the same decode, and from the (at most 512x512) reduced pixels: decoding a
    // 12-megapixel JPEG again, or scaling it whole, costs more than its hash.
    const { rgba, width, height, originalWidth, originalHeight, orientation } = pixels;
    pixels.thumbnail = await thumbnailBlob(new ImageData(rgba, width, height), originalWidth, originalHeight, orientation);
  }
  return pixels;
}

/**
 * The canvas transform that shows a picture stored `width` x `height` upright, for
 * its EXIF orientation (2..8 mirror and/or turn it; 5..8 swap its sides).
 * @returns {[number, number, number, number, number, number]}
 */
export function orientationTransform(orientation, width, height) {
  switch (orientation) {
    case 2: return [-1, 0, 0, 1, width, 0];
    case 3: return [-1, 0, 0, -1, width, height];
    case 4: return [1, 0, 0, -1, 0, height];
    case 5: return [0, 1, 1, 0, 0, 0];
    case 6: return [0, 1, -1, 0, height, 0];
    case 7: return [0, -1, -1, 0, height, width];
    case 8: return [0, -1, 1, 0, 0, width];
    default: return [1, 0, 0, 1, 0, 0];
  }
}

/**
 * A small upright preview (PNG Blob), for the person's own screen only.
 * @param {ImageBitmapSource} source the stored pixels, without their EXIF
 *   orientation, at any size (the 512x512 PDQ reduction is stretched back)
 * @param {number} width the stored picture's width
 * @param {number} height its height
 * @param {number} [orientation] its EXIF orientation, applied here
 */
export async function thumbnailBlob(source, width, height, orientation = 1) {
  const scale = Math.min(1, THUMBNAIL_SIZE / Math.max(width, height));
  const small = await createImageBitmap(source, {
    resizeWidth: Math.max(1, Math.round(width * scale)),
    resizeHeight: Math.max(1, Math.round(height * scale)),
    resizeQuality: 'medium',
  });
  const turned = orientation >= 5;
  const { canvas, context } = newCanvas(turned ? small.height : small.width, turned ? small.width : small.height);
  context.setTransform(...orientationTransform(orientation, small.width, small.height));
  context.drawImage(small, 0, 0);
  small.close();
  return canvas.convertToBlob({ type: 'image/png' });
}
