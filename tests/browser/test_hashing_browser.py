"""static/js/hashing in real Chromium, under the app's own CSP: every accepted format,
MD5 against hashlib, video frames, per-file errors and cancelling."""

import base64
import hashlib
import os
import shutil

import numpy as np
import pytest
from hashing_reference import distance, photo, reference_hash
from hashing_samples import WRITERS, ffmpeg, raw_rgb_input
from helpers import choose_files
from openncii import policy
from PIL import Image

pytestmark = pytest.mark.browser

# What the wizard page hands the library: the server's format table and limits.
POLICY = policy.for_browser(20)["hashing"]

# Records the page's CSP violations.
SETUP_JS = """() => {
  window.cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective));
}"""

# hashFile on every chosen file in turn; thumbnails are checked to be loadable images.
HASH_ALL_JS = """async (policy) => {
  const { hashFile } = await import('/static/js/hashing/index.js');
  const results = [];
  for (const file of document.getElementById('hashing-test-files').files) {
    const progress = [];
    const result = await hashFile(file, { policy, onProgress: (f) => progress.push(f) });
    if (result.thumbnail) {
      const image = new Image();
      image.src = result.thumbnail;
      await image.decode();
      result.thumbnailSize = [image.naturalWidth, image.naturalHeight];
      URL.revokeObjectURL(result.thumbnail);
    }
    results.push({ name: file.name, progress, ...result });
  }
  return results;
}"""

MD5_ALL_JS = """async () => {
  const { md5Blob } = await import('/static/js/hashing/md5.js');
  const digests = [];
  for (const file of document.getElementById('hashing-test-files').files) digests.push(await md5Blob(file));
  return digests;
}"""


@pytest.fixture(scope="module")
def hashing_page(browser, live_server):
    """A page of the app (so its CSP applies) with a file input."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/en/")
    page.evaluate(SETUP_JS)
    yield page
    assert page.evaluate("window.cspViolations") == []
    context.close()


def choose(page, paths):
    choose_files(page, paths, "hashing-test-files")


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """Every format from one generated photo: (path, pixels the reference should hash)."""
    folder = tmp_path_factory.mktemp("formats")
    rgb = photo(np.random.default_rng(11), 900, 700)
    made = []
    for name, write in WRITERS.items():
        path = folder / name
        held = write(path, rgb)
        made.append((path, held if held is not None else rgb))
    return made


def pillow_pixels(path):
    """Pillow's decoding of a file (first frame, EXIF orientation not applied), or None."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))
    except Exception:  # noqa: BLE001 -- "Pillow cannot read this format"
        return None


def test_every_format_hashes_like_the_reference(hashing_page, samples):
    choose(hashing_page, [path for path, _ in samples])
    results = hashing_page.evaluate(HASH_ALL_JS, POLICY)
    report = []
    for (path, held), result in zip(samples, results, strict=True):
        assert "error" not in result, (path.name, result)
        [pdq] = result["hashes"]
        assert pdq["signalType"] == "ImagePDQ" and len(pdq["hashValue"]) == 64
        pixels = pillow_pixels(path)
        # Without a Pillow decoder (MIFF, XCF, DICOM) the file's own pixels are known exactly.
        expected_hash, expected_quality = reference_hash(pixels if pixels is not None else held)
        found = distance(pdq["hashValue"], expected_hash)
        report.append(f"{path.name}: {found}")
        assert found <= 2, (path.name, found)
        assert abs(pdq["quality"] - expected_quality) <= 2, path.name
        assert result["progress"][0] == 0 and result["progress"][-1] == 1
        assert 0 < max(result["thumbnailSize"]) <= 160
    print("\nHamming distance to the reference per format:", ", ".join(report))


def test_exif_orientation_is_ignored_like_the_reference(hashing_page, samples):
    """The stored pixels are hashed (as CImg and Pillow read them), not the turned view."""
    [(path, held)] = [(p, h) for p, h in samples if p.name == "exif-rotated.jpg"]
    choose(hashing_page, [path])
    [result] = hashing_page.evaluate(HASH_ALL_JS, POLICY)
    upright = np.ascontiguousarray(np.rot90(pillow_pixels(path), k=-1))
    assert distance(result["hashes"][0]["hashValue"], reference_hash(pillow_pixels(path))[0]) <= 2
    assert distance(result["hashes"][0]["hashValue"], reference_hash(upright)[0]) > 32
    assert result["thumbnailSize"][0] < result["thumbnailSize"][1]  # the preview is shown upright


def write_random(path, size):
    """A file of `size` random bytes, written in slices; returns its MD5."""
    digest = hashlib.md5()
    with open(path, "wb") as out:
        for start in range(0, size, 1 << 24):
            chunk = os.urandom(min(1 << 24, size - start))
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def test_md5_matches_hashlib_from_0_bytes_to_300_mb(hashing_page, tmp_path):
    sizes = [0, 1, 63, 64, 65, 8 * 1024 * 1024 - 1, 8 * 1024 * 1024 + 1, 300 * 1000 * 1000]
    paths, expected = [], []
    for size in sizes:
        paths.append(tmp_path / f"bytes-{size}.bin")
        expected.append(write_random(paths[-1], size))
    choose(hashing_page, paths)
    assert hashing_page.evaluate(MD5_ALL_JS) == expected


FPS = 10


def make_video(path, timeline, codec=None):
    """Encodes (scene, seconds) pairs with ffmpeg (H.264 unless ``codec`` says otherwise);
    scenes are RGB arrays of one size."""
    codec = codec or ("-c:v", "libx264", "-pix_fmt", "yuv420p")
    frames = b"".join(scene.tobytes() * int(seconds * FPS) for scene, seconds in timeline)
    rate = ("-r", str(FPS))
    ffmpeg(*raw_rgb_input(timeline[0][0], *rate), *codec, str(path), stdin=frames)


@pytest.fixture(scope="module")
def scenes():
    rng = np.random.default_rng(5)
    return [photo(rng, 320, 240) for _ in range(3)]


@pytest.mark.parametrize("name", ["clip.mp4", "clip.mov"])
def test_video_gives_md5_and_frame_hashes(hashing_page, tmp_path, scenes, name):
    # 6 s: scene 0 for 1 s, 1 for 2 s, 2 for 2 s, 0 again for 1 s; frames are taken
    # every 2 s, so at 0, 2 and 4 s: one in the middle of each of the three scenes.
    timeline = [(scenes[0], 1), (scenes[1], 2), (scenes[2], 2), (scenes[0], 1)]
    path = tmp_path / name
    make_video(path, timeline)
    choose(hashing_page, [path])
    [result] = hashing_page.evaluate(HASH_ALL_JS, POLICY)
    assert result["kind"] == "video" and "warning" not in result
    md5, *frames = result["hashes"]
    assert md5 == {
        "signalType": "VideoMD5",
        "hashValue": hashlib.md5(path.read_bytes()).hexdigest(),
    }
    assert [round(frame["frameTime"], 1) for frame in frames] == [0, 2, 4]
    for frame, scene in zip(frames, scenes, strict=True):
        assert frame["signalType"] == "ImagePDQ"
        # Lossy video: within PDQ's usual match threshold of the scene it shows.
        assert distance(frame["hashValue"], reference_hash(scene)[0]) <= 31
        assert frame["quality"] > 50
    assert result["thumbnailSize"] == [160, 120]


def test_undecodable_video_keeps_its_md5(hashing_page, tmp_path, scenes):
    path = tmp_path / "old.wmv"
    make_video(path, [(scenes[0], 1)], codec=("-c:v", "wmv2"))
    choose(hashing_page, [path])
    [result] = hashing_page.evaluate(HASH_ALL_JS, POLICY)
    assert result["warning"] == "video-frames-unavailable"
    assert result["hashes"] == [
        {"signalType": "VideoMD5", "hashValue": hashlib.md5(path.read_bytes()).hexdigest()}
    ]


def test_a_bad_file_never_stops_the_others(hashing_page, tmp_path, scenes):
    files = {
        "notes.txt": b"not a picture",
        "broken.jpg": b"\xff\xd8\xff\xe0 this is not really a JPEG",
        "broken.psd": b"8BPS garbage",
        "empty.png": b"",
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    Image.fromarray(scenes[0][:4, :4]).save(tmp_path / "tiny.png")
    Image.fromarray(scenes[0]).save(tmp_path / "good.png")
    names = ["notes.txt", "broken.jpg", "good.png", "broken.psd", "tiny.png", "empty.png"]
    choose(hashing_page, [tmp_path / name for name in names])
    results = {r["name"]: r for r in hashing_page.evaluate(HASH_ALL_JS, POLICY)}
    assert {name: results[name].get("error") for name in names} == {
        "notes.txt": "unsupported-format",
        "broken.jpg": "corrupt-file",
        "good.png": None,
        "broken.psd": "corrupt-file",
        "tiny.png": "too-small",
        "empty.png": "empty-file",
    }
    assert results["good.png"]["hashes"][0]["hashValue"] == reference_hash(scenes[0])[0]
    assert all(results[name]["hashes"] == [] for name in names if name != "good.png")


def test_cancelling_stops_hashing(hashing_page, tmp_path):
    path = tmp_path / "long.mp4"
    write_random(path, 100 * 1000 * 1000)
    choose(hashing_page, [path])
    outcome = hashing_page.evaluate(
        """async (policy) => {
      const { hashFile } = await import('/static/js/hashing/index.js');
      const controller = new AbortController();
      const progress = [];
      const file = document.getElementById('hashing-test-files').files[0];
      try {
        await hashFile(file, { policy, signal: controller.signal, onProgress: (f) => {
          progress.push(f);
          if (f > 0) controller.abort();
        } });
        return { finished: true, progress };
      } catch (error) {
        return { name: error.name, progress };
      }
    }""",
        POLICY,
    )
    assert outcome["name"] == "AbortError"
    assert max(outcome["progress"]) < 1


# A short clip in each video container of the policy (codecs ffmpeg has here).
VIDEO_CODECS = {
    "webm": ("-c:v", "libvpx", "-b:v", "1M"),
    "avi": ("-c:v", "mpeg4"),
    "wmv": ("-c:v", "wmv2"),
}


def format_of(path):
    return next(fmt for fmt in policy.FORMATS if path.suffix[1:].lower() in fmt.extensions)


def test_the_library_reads_every_format_of_the_policy_and_nothing_else(
    hashing_page, samples, tmp_path, scenes
):
    """One file for every extension of policy.FORMATS: pictures give a PDQ hash, videos
    their MD5; a file of a format outside the table is refused."""
    sources = {format_of(path).name: path for path, _ in samples}
    for fmt in policy.FORMATS:
        if fmt.kind == "video":
            sources[fmt.name] = tmp_path / f"source.{fmt.extensions[0]}"
            make_video(sources[fmt.name], [(scenes[0], 1)], VIDEO_CODECS.get(fmt.extensions[0]))
    paths = []
    for fmt in policy.FORMATS:
        assert fmt.name in sources, f"no sample of {fmt.name}"
        for ext in fmt.extensions:
            paths.append(tmp_path / f"{fmt.name}.{ext}")
            shutil.copy(sources[fmt.name], paths[-1])
    outside = [tmp_path / "drawing.svg", tmp_path / "clip.3gp"]
    outside[0].write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    make_video(outside[1], [(scenes[0], 1)])
    choose(hashing_page, paths + outside)
    results = hashing_page.evaluate(HASH_ALL_JS, POLICY)
    for path, result in zip(paths, results[: len(paths)], strict=True):
        kind = "video" if format_of(path).kind == "video" else "image"
        assert result.get("error") is None and result["kind"] == kind, (path.name, result)
        if kind == "video":
            assert result["hashes"][0]["hashValue"] == hashlib.md5(path.read_bytes()).hexdigest()
        else:
            assert result["hashes"][0]["signalType"] == "ImagePDQ", path.name
    assert [result.get("error") for result in results[len(paths) :]] == ["unsupported-format"] * 2


DECODE_ALL_JS = """async (formats) => {
  const { decodeImage } = await import('/static/js/hashing/decode.js');
  const results = [];
  for (const file of document.getElementById('hashing-test-files').files) {
    const { rgba, width, height } = await decodeImage(file, formats);
    const rgb = new Uint8Array((rgba.length / 4) * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) rgb.set(rgba.subarray(i, i + 3), j);
    let binary = '';
    for (let i = 0; i < rgb.length; i += 8192) binary += String.fromCharCode(...rgb.subarray(i, i + 8192));
    results.push({ width, height, rgb: btoa(binary) });
  }
  return results;
}"""


@pytest.mark.parametrize("size", [(4000, 3000), (513, 2000), (600, 300), (777, 5000), (2000, 100)])
def test_large_pictures_are_reduced_like_the_reference(hashing_page, tmp_path, size):
    """The one-draw 512x512 reduction picks exactly the reference's pixels."""
    from hashing_reference import reference_resize

    width, height = size
    pixels = np.random.default_rng(width + height).integers(0, 256, (height, width, 3), np.uint8)
    path = tmp_path / f"noise-{width}x{height}.png"
    Image.fromarray(pixels).save(path, compress_level=1)
    choose(hashing_page, [path])
    [result] = hashing_page.evaluate(DECODE_ALL_JS, POLICY["formats"])
    assert (result["width"], result["height"]) == (512, 512)
    expected = reference_resize(pixels)
    found = np.frombuffer(base64.b64decode(result["rgb"]), np.uint8).reshape(512, 512, 3)
    assert np.array_equal(found, expected)
