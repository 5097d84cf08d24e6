// The pure parts of static/js/hashing/video.js (frame sampling runs in Chromium:
// tests/browser/test_hashing_browser.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FRAME_INTERVAL_SECONDS, MAX_FRAMES, frameTimes, isVideo } from '../../static/js/hashing/video.js';

test('one frame every 2 seconds for short videos', () => {
  assert.equal(FRAME_INTERVAL_SECONDS, 2);
  assert.deepEqual(frameTimes(10), [0, 2, 4, 6, 8]);
  assert.deepEqual(frameTimes(1), [0]);
  assert.deepEqual(frameTimes(3), [0, 1.5]);
});

test('at most 20 frames, evenly spread over long videos', () => {
  const times = frameTimes(3600);
  assert.equal(times.length, MAX_FRAMES);
  assert.deepEqual(times.slice(0, 3), [0, 180, 360]);
  assert.ok(times.at(-1) < 3600);
});

test('unknown or broken durations still sample the first frame', () => {
  for (const duration of [0, NaN, Infinity, -1]) assert.deepEqual(frameTimes(duration), [0]);
});

test('videos are recognised by extension, else by MIME type', () => {
  for (const name of ['a.mp4', 'B.MOV', 'c.qt', 'd.avi', 'e.wmv']) assert.ok(isVideo({ name, type: '' }), name);
  assert.ok(isVideo({ name: 'noextension', type: 'video/mp4' }));
  assert.ok(!isVideo({ name: 'photo.jpg', type: 'image/jpeg' }));
});
