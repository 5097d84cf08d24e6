/**
 * Video frames for PDQ, sampled with the browser's own <video> decoder
 * (page only: workers have no media element). The file's MD5 is computed
 * separately, in the worker, whether or not the browser can decode it.
 */

import { formatOf } from './decode.js';

/** How long one load or seek may take before the video counts as undecodable. */
const STEP_TIMEOUT_MS = 15000;

/**
 * True for a file of one of the video formats of `formats` (by extension, else by MIME type).
 * @param {File} file
 * @param {import('./decode.js').Format[]} formats
 */
export function isVideo(file, formats) {
  return formatOf(file, formats)?.kind === 'video';
}

/**
 * @typedef {{frameIntervalSeconds: number, framesSampled: number}} Sampling
 *   one frame every frameIntervalSeconds, at most framesSampled (the server's policy)
 */

/**
 * Evenly spaced sample times: one every `frameIntervalSeconds`, or `framesSampled`
 * spread over the whole length when the video is longer than that covers.
 * @param {number} duration seconds
 * @param {Sampling} sampling
 * @returns {number[]}
 */
export function frameTimes(duration, { frameIntervalSeconds, framesSampled }) {
  if (!Number.isFinite(duration) || duration <= 0) return [0];
  const count = Math.min(framesSampled, Math.max(1, Math.ceil(duration / frameIntervalSeconds)));
  const step = duration / count;
  return Array.from({ length: count }, (_, k) => k * step);
}

/** Resolves on the first of `events` (rejects on 'error', abort or timeout). */
function waitFor(video, events, signal) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      for (const name of [...events, 'error']) video.removeEventListener(name, onEvent);
      signal?.removeEventListener('abort', onAbort);
    };
    const onEvent = (event) => {
      cleanup();
      if (event.type === 'error') reject(new Error('video-not-decodable'));
      else resolve();
    };
    const onAbort = () => {
      cleanup();
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('video-not-decodable'));
    }, STEP_TIMEOUT_MS);
    for (const name of [...events, 'error']) video.addEventListener(name, onEvent);
    signal?.addEventListener('abort', onAbort);
  });
}

/** How often, and how far apart, reading a just-seeked frame is tried. */
const READ_ATTEMPTS = 100;
const READ_RETRY_MS = 20;
/** A frame this close to the asked time (or covering it) is the asked one, in seconds. */
const FRAME_TOLERANCE = 0.25;

/** The video's current frame if it is the one at `time`, else null. */
function frameAt(video, time) {
  let frame;
  try {
    frame = new VideoFrame(video);
  } catch {
    return null; // no frame to show yet
  }
  const start = frame.timestamp / 1e6;
  const tolerance = Math.max(FRAME_TOLERANCE, (frame.duration ?? 0) / 1e6);
  if (Math.abs(start - time) <= tolerance) return frame;
  frame.close();
  return null;
}

/**
 * Pixels of the frame at `time`, just after seeking there. A busy browser may
 * still hold the previous frame (or none) when 'seeked' fires, so the current
 * frame's timestamp is checked (WebCodecs VideoFrame) and read again until it
 * is the asked one.
 */
async function grabFrame(video, context, time) {
  const { width, height } = context.canvas;
  for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
    const frame = frameAt(video, time);
    if (frame) {
      context.drawImage(frame, 0, 0, width, height);
      frame.close();
      return context.getImageData(0, 0, width, height);
    }
    await new Promise((resolve) => setTimeout(resolve, READ_RETRY_MS));
  }
  throw new Error('video-not-decodable');
}

/**
 * Decodes frames at frameTimes(duration, sampling) and hands each to `onFrame`.
 * @param {File} file
 * @param {{signal?: AbortSignal, sampling: Sampling,
 *          onFrame: (frame: {imageData: ImageData, time: number, index: number, count: number}) => Promise<void>}} options
 * @returns {Promise<number>} how many frames were handed over; 0 when the browser
 *   cannot decode this video (a video that stops decoding part way keeps the rest)
 * @throws the signal's reason when cancelled
 */
export async function sampleFrames(file, { signal, sampling, onFrame }) {
  let delivered = 0;
  const url = URL.createObjectURL(file);
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  try {
    const loaded = waitFor(video, ['loadeddata'], signal);
    video.src = url;
    await loaded;
    if (!video.videoWidth || !video.videoHeight) return 0;
    const canvas = new OffscreenCanvas(video.videoWidth, video.videoHeight);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const times = frameTimes(video.duration, sampling);
    for (const [index, time] of times.entries()) {
      const seeked = waitFor(video, ['seeked'], signal);
      video.currentTime = time;
      await seeked;
      await onFrame({ imageData: await grabFrame(video, context, time), time, index, count: times.length });
      delivered++;
    }
    return delivered;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error.message === 'video-not-decodable') return delivered;
    throw error;
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}
