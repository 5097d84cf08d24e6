/**
 * On-device hashing of one file: nothing here sends anything anywhere.
 *
 *   import { hashFile } from '/static/js/hashing/index.js';
 *   const result = await hashFile(file, { policy, onProgress, signal });
 *
 * @param {File} file a picture or a video in one of `policy.formats`
 * @param {{policy: Policy, onProgress?: (fraction: number) => void, signal?: AbortSignal}} options
 *   `policy`: the server's rules (openncii/policy.py, "hashing" part): accepted
 *   formats, smallest picture side, video frame sampling. onProgress gets 0..1;
 *   aborting `signal` stops the work at once.
 * @returns {Promise<HashResult>}
 *   - image: one ImagePDQ hash (64 hex digits) with its quality (0..100).
 *   - video: the VideoMD5 of the exact bytes (32 hex digits), then the ImagePDQ
 *     of sampled frames with frameTime in seconds (identical frames once).
 *   - thumbnail: a blob: URL of a small preview; revoke it when done with it.
 *   - error (then no hashes): 'unsupported-format', 'empty-file', 'corrupt-file',
 *     'too-small' (a side under policy.minSide pixels), 'hashing-failed'.
 *   - warning (video, MD5 still given): 'video-frames-unavailable' when this
 *     browser cannot decode the video.
 *   Per-file problems are reported in `error`, never thrown: the promise rejects
 *   only with the signal's reason (an AbortError) when cancelled.
 *
 * Decoding, PDQ and MD5 run in a module Web Worker (worker.js): hashFile uses
 * one of its own, ended when the call finishes or is cancelled; a Hasher keeps a
 * few warm for many files (see below). Each picture is decoded once, for its hash
 * and its thumbnail. Video frames are decoded here, in the page, because workers
 * have no <video> element.
 */
import { compiledImageMagick, imageDecoderFor, imageMagickFormat, thumbnailBlob } from './decode.js';
import { isVideo, sampleFrames } from './video.js';

/**
 * @typedef {{formats: import('./decode.js').Format[], minSide: number,
 *   frameIntervalSeconds: number, framesSampled: number}} Policy
 */

/**
 * @typedef {{signalType: 'ImagePDQ'|'VideoMD5', hashValue: string,
 *   quality?: number, frameTime?: number}} Hash
 */

/**
 * What hashing one file gives (see the module documentation above).
 * @typedef {{kind: 'image'|'video', hashes: Hash[], thumbnail?: string, error?: string,
 *   warning?: string}} HashResult
 */

/** A module worker: request/response by id. Once it fails or is stopped mid-call, it is `broken`. */
class HashWorker {
  constructor() {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.pending = new Map();
    this.nextId = 0;
    this.broken = false;
    this.worker.addEventListener('message', ({ data }) => this.receive(data));
    this.worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.failAll(Object.assign(new Error('worker failed'), { code: 'hashing-failed' }));
    });
  }

  call(op, args, onProgress, transfer = []) {
    if (this.broken) return Promise.reject(Object.assign(new Error('worker ended'), { code: 'hashing-failed' }));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, op, ...args }, transfer);
    });
  }

  receive({ id, progress, result, error }) {
    const request = this.pending.get(id);
    if (!request) return;
    if (progress !== undefined) {
      request.onProgress?.(progress);
      return;
    }
    this.pending.delete(id);
    if (error) request.reject(Object.assign(new Error(error.message), { code: error.code }));
    else request.resolve(result);
  }

  /** Stops the worker at once (whatever it is doing) and rejects its calls with `reason`. */
  failAll(reason) {
    this.end();
    for (const request of this.pending.values()) request.reject(reason);
    this.pending.clear();
  }

  end() {
    this.broken = true;
    this.worker.terminate();
  }
}

/**
 * Files hashed at once, each in its own worker: one per core, but never more than
 * this, so that only a few decoded pictures (48 MB each at 12 megapixels) are in
 * memory at a time.
 */
const MAX_WORKERS = 3;

function defaultWorkers() {
  return Math.max(1, Math.min(MAX_WORKERS, globalThis.navigator?.hardwareConcurrency || 2));
}

/** @returns {Promise<HashResult>} */
async function hashImage(file, policy, worker, onProgress) {
  const { formats, minSide } = policy;
  const magickModule = (await imageMagickFormat(file, formats)) ? await compiledImageMagick() : undefined;
  const image = await worker.call('image', { file, formats, minSide, magickModule }, onProgress);
  return {
    kind: 'image',
    hashes: [{ signalType: 'ImagePDQ', hashValue: image.hash, quality: image.quality }],
    thumbnail: URL.createObjectURL(image.thumbnail),
  };
}

/** Share of a video's progress bar given to the MD5 (the rest is frames). */
const MD5_SHARE = 0.8;

/** @returns {Promise<HashResult>} */
async function hashVideo(file, policy, worker, onProgress, signal) {
  let md5Done = 0;
  let framesDone = 0;
  const report = () => onProgress?.(MD5_SHARE * md5Done + (1 - MD5_SHARE) * framesDone);
  const md5 = worker.call('md5', { file }, (fraction) => {
    md5Done = fraction;
    report();
  });
  md5.catch(() => {}); // awaited below; avoids an unhandled rejection while frames run
  /** @type {Hash[]} */
  const frames = [];
  let thumbnail;
  const framesRead = await sampleFrames(file, {
    signal,
    sampling: policy,
    onFrame: async ({ imageData, time, index, count }) => {
      thumbnail ??= URL.createObjectURL(await thumbnailBlob(imageData, imageData.width, imageData.height));
      const { hash, quality } = await worker.call('frame', { imageData }, undefined, [imageData.data.buffer]);
      frames.push({ signalType: 'ImagePDQ', hashValue: hash, quality, frameTime: time });
      framesDone = (index + 1) / count;
      report();
    },
  });
  framesDone = 1;
  /** @type {Hash[]} */
  const hashes = [{ signalType: 'VideoMD5', hashValue: await md5 }];
  const seen = new Set();
  for (const frame of frames) {
    if (!seen.has(frame.hashValue)) hashes.push(frame);
    seen.add(frame.hashValue);
  }
  /** @type {HashResult} */
  const result = { kind: 'video', hashes };
  if (thumbnail) result.thumbnail = thumbnail;
  if (!framesRead) result.warning = 'video-frames-unavailable';
  return result;
}

/**
 * Hashes files in a few workers kept warm between files (a worker, its modules and
 * ImageMagick are loaded once, not for every file): `hash` waits for a free worker,
 * so any number of files can be handed over at once.
 */
export class Hasher {
  /**
   * @param {Policy} policy the server's rules (see hashFile)
   * @param {{workers?: number}} [options] how many files at once (default: one per core, at most 3)
   */
  constructor(policy, { workers = defaultWorkers() } = {}) {
    this.policy = policy;
    this.size = workers;
    this.started = 0;
    /** @type {HashWorker[]} */
    this.idle = [];
    /** @type {Array<(worker: HashWorker) => void>} */
    this.waiting = [];
  }

  /** @returns {Promise<HashWorker>} */
  acquire() {
    if (this.idle.length) return Promise.resolve(this.idle.pop());
    if (this.started < this.size) {
      this.started++;
      return Promise.resolve(new HashWorker());
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands a worker to the next file waiting (a new one for a broken one), else keeps it idle. */
  release(worker) {
    if (worker.broken || this.started > this.size) {
      worker.end();
      this.started--;
      if (!this.waiting.length || this.started >= this.size) return;
      this.started++;
      worker = new HashWorker();
    }
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }

  /**
   * Same as hashFile(file, {policy, onProgress, signal}), in one of this hasher's workers.
   * @param {File} file
   * @param {{onProgress?: (fraction: number) => void, signal?: AbortSignal}} [options]
   * @returns {Promise<HashResult>}
   */
  async hash(file, { onProgress, signal } = {}) {
    signal?.throwIfAborted();
    const { policy } = this;
    const kind = isVideo(file, policy.formats) ? 'video' : 'image';
    if (kind === 'image' && !imageDecoderFor(file, policy.formats)) return { kind, hashes: [], error: 'unsupported-format' };
    if (file.size === 0) return { kind, hashes: [], error: 'empty-file' };
    const worker = await this.acquire();
    const onAbort = () => worker.failAll(signal.reason);
    signal?.addEventListener('abort', onAbort);
    try {
      signal?.throwIfAborted();
      onProgress?.(0);
      const result = kind === 'video'
        ? await hashVideo(file, policy, worker, onProgress, signal)
        : await hashImage(file, policy, worker, onProgress);
      onProgress?.(1);
      return result;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return { kind, hashes: [], error: error.code ?? 'hashing-failed' };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.release(worker);
    }
  }

  /** Ends the idle workers (those busy end when their file is done). */
  close() {
    this.size = 0;
    for (const worker of this.idle) worker.end();
    this.idle = [];
  }
}

/**
 * See the module documentation above: one file, in a worker of its own.
 * @returns {Promise<HashResult>}
 */
export async function hashFile(file, { policy, onProgress, signal }) {
  const hasher = new Hasher(policy, { workers: 1 });
  try {
    return await hasher.hash(file, { onProgress, signal });
  } finally {
    hasher.close();
  }
}
