// The pure parts of static/js/hashing/video.js (frame sampling runs in Chromium:
// tests/browser/test_hashing_browser.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { frameTimes, isVideo } from '../../static/js/hashing/video.js';
import { formats, policy } from './policy.mjs';

const sampling = policy.hashing;

test('one frame every 2 seconds for short videos', () => {
  assert.equal(sampling.frameIntervalSeconds, 2);
  assert.deepEqual(frameTimes(10, sampling), [0, 2, 4, 6, 8]);
  assert.deepEqual(frameTimes(1, sampling), [0]);
  assert.deepEqual(frameTimes(3, sampling), [0, 1.5]);
});

test('at most 20 frames, evenly spread over long videos', () => {
  const times = frameTimes(3600, sampling);
  assert.equal(times.length, sampling.framesSampled);
  assert.deepEqual(times.slice(0, 3), [0, 180, 360]);
  assert.ok(times.at(-1) < 3600);
});

test('unknown or broken durations still sample the first frame', () => {
  for (const duration of [0, NaN, Infinity, -1]) assert.deepEqual(frameTimes(duration, sampling), [0]);
});

test('videos are recognised by extension, else by MIME type', () => {
  for (const name of ['a.mp4', 'B.MOV', 'c.qt', 'd.avi', 'e.wmv', 'f.m4v', 'g.webm', 'h.mkv']) {
    assert.ok(isVideo({ name, type: '' }, formats), name);
  }
  assert.ok(isVideo({ name: 'noextension', type: 'video/mp4' }, formats));
  assert.ok(!isVideo({ name: 'photo.jpg', type: 'image/jpeg' }, formats));
  assert.ok(!isVideo({ name: 'clip.3gp', type: 'video/3gpp' }, formats), 'not in the table');
});
