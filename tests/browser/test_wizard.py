"""The case-creation wizard (/<lang>/submit) in real Chromium, under the app's own CSP.

The main test walks the whole flow with the keyboard in every shipped locale, with
real pictures of several formats and a video, and proves what left the browser:
every request and response of the session is recorded; no request body holds any
64-byte stretch of any chosen file; nothing goes to another origin; the hashes sent
are the ones the wizard's own ``Hasher`` gave (recorded by serving a thin
wrapper in place of the library's index.js), a second ``hashFile`` run agrees, and
(pictures) they are the reference PDQ of Pillow's decoding within Hamming distance 2;
and the case page then lists exactly them.
"""

import hashlib
import json
import re
from urllib.parse import urlsplit

import numpy as np
import pytest
from hashing_reference import distance, noise, photo, reference_hash
from hashing_samples import ffmpeg
from helpers import axe_violations, choose_files
from openncii import policy
from openncii.config import DEFAULTS
from openncii.i18n import text_direction
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LOCALES = DEFAULTS["LANGUAGES"]  # every shipped locale
CONSENTS = ["me", "adult", "intimate", "partners"]
PIN = "kite-river-73"  # no capital letters: Shift pressed three times is the quick exit
HASHING_TIMEOUT_MS = 90_000
POLICY = policy.for_browser(20)  # what the wizard page hands its scripts

# hashFile on the files of a test-only <input>, in a page of the app (so its CSP applies).
RUN_HASH_FILE_JS = """async (policy) => {
  const { hashFile } = await import('/static/js/hashing/index.js');
  const results = [];
  for (const file of document.getElementById('wizard-test-files').files) {
    const { kind, hashes, error } = await hashFile(file, { policy });
    results.push({ kind, hashes, error });
  }
  return results;
}"""
# Served in place of /static/js/hashing/index.js: the real module (imported under another
# URL), plus a record of what each file the wizard hashed gave.
HASH_FILE_SPY_JS = """import { Hasher as RealHasher, hashFile } from './index.js?unwrapped';
export { hashFile };
export class Hasher extends RealHasher {
  async hash(file, options) {
    const result = await super.hash(file, options);
    (window.hashFileResults ??= {})[file.name] = { kind: result.kind, hashes: result.hashes, error: result.error };
    return result;
  }
}"""
STORAGE_JS = """async () => ({
  local: localStorage.length,
  session: sessionStorage.length,
  indexedDB: (await indexedDB.databases()).length,
})"""


# ------------------------------------------------------------------ the files


def write_video(path):
    """A 6-second H.264 MP4 of ffmpeg's moving test pattern (3 sampled frames)."""
    source = "testsrc2=duration=6:size=320x240:rate=10"
    ffmpeg("-f", "lavfi", "-i", source, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path))


@pytest.fixture(scope="module")
def chosen_files(tmp_path_factory):
    """Pictures in five formats (one over 512 pixels a side) and a video.

    The seed gives pictures of PDQ quality 76 to 100: the wizard refuses those under 50.
    """
    folder = tmp_path_factory.mktemp("wizard-files")
    rng = np.random.default_rng(3)
    pictures = {
        "holiday.jpg": (1400, 1000),
        "beach.png": (640, 480),
        "party.gif": (400, 300),
        "scan.bmp": (300, 420),
        "phone.tiff": (500, 380),
    }
    paths = []
    for name, size in pictures.items():
        Image.fromarray(photo(rng, *size)).save(folder / name)
        paths.append(folder / name)
    write_video(folder / "clip.mp4")
    paths.append(folder / "clip.mp4")
    return paths


def small_pictures(folder, count, seed=21):
    """``count`` different small PNG pictures of random noise (PDQ quality 100)."""
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(count):
        path = folder / f"picture-{index + 1:02d}.png"
        Image.fromarray(noise(rng, 96, 72)).save(path)
        paths.append(path)
    return paths


# ------------------------------------------------------ what left the browser


class FileWindowFinder:
    """Finds any 64-byte window of some files inside a byte string.

    Every 64-byte window of a file contains one of its 32-byte blocks that start at a
    multiple of 32, so only those blocks are indexed; a block found in a body is then
    widened to check for a full 64-byte match.
    """

    WINDOW, BLOCK = 64, 32

    def __init__(self, contents):
        self.contents = contents
        self.blocks = {}
        for number, data in enumerate(contents):
            for offset in range(0, len(data) - self.BLOCK + 1, self.BLOCK):
                self.blocks.setdefault(data[offset : offset + self.BLOCK], []).append(
                    (number, offset)
                )

    def found_in(self, body):
        for position in range(len(body) - self.BLOCK + 1):
            for number, offset in self.blocks.get(body[position : position + self.BLOCK], ()):
                data = self.contents[number]
                for shift in range(self.WINDOW - self.BLOCK + 1):
                    start, body_start = offset - shift, position - shift
                    if start < 0 or body_start < 0:
                        break
                    window = data[start : start + self.WINDOW]
                    if (
                        len(window) == self.WINDOW
                        and body[body_start : body_start + self.WINDOW] == window
                    ):
                        return True
        return False


def test_window_finder_finds_any_64_byte_window_and_nothing_shorter():
    rng = np.random.default_rng(1)
    files = [rng.integers(0, 256, size, dtype=np.uint8).tobytes() for size in (1000, 77)]
    finder = FileWindowFinder(files)
    for number, start in [(0, 0), (0, 5), (0, 31), (0, 500), (0, 936), (1, 0), (1, 13)]:
        window = files[number][start : start + 64]
        assert finder.found_in(b'{"x": "' + window + b'"}'), (number, start)
    assert not finder.found_in(files[0][5:68])
    assert not finder.found_in(b"x" * 2000)


class Recorder:
    """Every request and response of a browser context."""

    def __init__(self, context):
        self.requests, self.responses = [], []
        context.on("request", lambda request: self.requests.append(request))
        context.on("response", lambda response: self.responses.append(response))

    def api_bodies(self):
        return [
            json.loads(request.post_data_buffer)
            for request in self.requests
            if request.method == "POST" and urlsplit(request.url).path == "/api/cases"
        ]


def assert_nothing_leaked(recorder, origin, paths):
    finder = FileWindowFinder([path.read_bytes() for path in paths])
    names = [path.name.encode() for path in paths]
    for request in recorder.requests:
        scheme, netloc = urlsplit(request.url)[:2]
        assert scheme in {"blob", "data"} or f"{scheme}://{netloc}" == origin, request.url
        body = request.post_data_buffer or b""
        assert not finder.found_in(body), request.url
        assert not any(name in body or name in request.url.encode() for name in names), request.url
    for response in recorder.responses:
        assert urlsplit(response.url).scheme in {"blob", "data"} or response.url.startswith(origin)


# ------------------------------------------------------------- the keyboard


def tab_to(page, selector, limit=60):
    """Press Tab until ``selector`` has the focus."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("(element) => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {selector} with Tab")


def step(page, number):
    return page.locator(f'section[data-step="{number}"]')


def continue_from(page, number):
    tab_to(page, f'section[data-step="{number}"] form > .actions > button:not([type="button"])')
    page.keyboard.press("Enter")
    expect(step(page, number + 1)).to_be_visible()
    assert page.evaluate("() => document.activeElement.id") == f"step-{number + 1}-title"


def assert_accessible(page):
    assert axe_violations(page) == []


def confirm_consents(page):
    for key in CONSENTS:
        tab_to(page, f'[data-testid="consent-{key}"]')
        page.keyboard.press("Space")
        expect(page.get_by_test_id(f"consent-{key}")).to_be_checked()


def intercept_file_choosers(page):
    """Take over file dialogs from now on. (Waiting for one only from the key press that
    opens it races with Playwright switching the interception on.)"""
    page.on("filechooser", lambda chooser: None)


def choose_with_keyboard(page, paths):
    tab_to(page, '[data-testid="file-input"]')
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files([str(path) for path in paths])


def wait_until_hashed(page, count):
    expect(page.get_by_test_id("file-card")).to_have_count(count)
    expect(page.locator('[data-testid="file-card"][data-state="hashing"]')).to_have_count(
        0, timeout=HASHING_TIMEOUT_MS
    )


def choose_pin(page):
    tab_to(page, '[data-testid="pin"]')
    page.keyboard.type(PIN)
    tab_to(page, '[data-testid="pin-confirm"]')
    page.keyboard.type(PIN)


def open_case(page, base, lang, number):
    page.goto(f"{base}/{lang}/status")
    tab_to(page, "#case_number")
    page.keyboard.type(number.lower())  # typed without Shift (see PIN)
    tab_to(page, "#pin")
    page.keyboard.type(PIN)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("case-files")).to_be_visible()
    return page.get_by_test_id("hash-value").all_text_contents()


# ------------------------------------------------------ what should be sent


def spy_on_hash_file(page):
    page.route(
        re.compile(r"/static/js/hashing/index\.js$"),
        lambda route: route.fulfill(body=HASH_FILE_SPY_JS, content_type="text/javascript"),
    )


def hash_in_page(page, paths):
    """What hashFile gives for each file, in a page of the app."""
    choose_files(page, paths, "wizard-test-files")
    return page.evaluate(RUN_HASH_FILE_JS, POLICY["hashing"])


def expected_hashes(results):
    """The request's hashes for these hashFile results: a video's frames point at its MD5."""
    expected = []
    for result in results:
        video_index = None
        for item in result["hashes"]:
            sent = {"signalType": item["signalType"], "hashValue": item["hashValue"]}
            if item["signalType"] == "ImagePDQ":
                sent["quality"] = item["quality"]
            if item["signalType"] == "VideoMD5":
                video_index = len(expected)
            elif result["kind"] == "video":
                sent["frameOf"] = video_index
            expected.append(sent)
    return expected


def assert_same_file_hashes(paths, results, again):
    """A second hashFile run agrees on every picture's PDQ and every video's MD5, and the
    MD5 is hashlib's. (A video's frame hashes can differ between runs on a busy machine:
    the hashing library sometimes grabs a frame before the seek has shown it.)"""
    for path, result, other in zip(paths, results, again, strict=True):
        assert result["hashes"][0] == other["hashes"][0], path.name
        if result["kind"] == "video":
            assert result["hashes"][0]["hashValue"] == hashlib.md5(path.read_bytes()).hexdigest()


def assert_pictures_match_reference(paths, results):
    for path, result in zip(paths, results, strict=True):
        if result["kind"] != "image":
            continue
        with Image.open(path) as image:
            reference, _ = reference_hash(np.asarray(image.convert("RGB")))
        assert distance(result["hashes"][0]["hashValue"], reference) <= 2, path.name


# ------------------------------------------------------------------- tests


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


@pytest.mark.parametrize("lang", LOCALES)
def test_keyboard_walk_through_sends_only_the_hashes(browser, live_server, chosen_files, lang):
    context = browser.new_context()
    recorder = Recorder(context)
    page = context.new_page()
    spy_on_hash_file(page)
    intercept_file_choosers(page)
    page_errors = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page_errors.append(message.text))
    page.goto(f"{live_server}/{lang}/submit")
    assert page.locator("html").get_attribute("dir") == text_direction(lang)
    expect(page.locator("[data-wizard-nojs]")).to_be_hidden()
    assert_accessible(page)

    confirm_consents(page)
    continue_from(page, 1)

    choose_with_keyboard(page, chosen_files)
    wait_until_hashed(page, len(chosen_files))
    cards = page.get_by_test_id("file-card")
    assert [card.get_attribute("data-state") for card in cards.all()] == ["ready"] * len(
        chosen_files
    )
    for card, path in zip(cards.all(), chosen_files, strict=True):
        expect(card).to_contain_text(path.name)
        assert card.locator("img").get_attribute("src").startswith("blob:")
    computed = page.evaluate("() => window.hashFileResults")
    results = [computed[path.name] for path in chosen_files]
    assert_accessible(page)
    continue_from(page, 2)

    assert_accessible(page)
    tab_to(page, 'section[data-step="3"] [data-back]')  # back with the keyboard, then on again
    page.keyboard.press("Enter")
    expect(step(page, 2)).to_be_visible()
    expect(page.get_by_test_id("file-card")).to_have_count(len(chosen_files))
    continue_from(page, 2)
    continue_from(page, 3)

    choose_pin(page)
    assert_accessible(page)
    continue_from(page, 4)
    assert_accessible(page)
    tab_to(page, '[data-testid="submit-case"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{lang}/submit/done")
    number = page.get_by_test_id("case-number").text_content().strip()
    assert page.evaluate(STORAGE_JS) == {"local": 0, "session": 0, "indexedDB": 0}
    assert {cookie["name"] for cookie in context.cookies()} <= {"session"}

    listed = open_case(page, live_server, lang, number)
    [body] = recorder.api_bodies()
    assert set(body) == {"pin", "hashes", "consent", "lang"}
    assert [result["kind"] for result in results] == ["image"] * 5 + ["video"]
    assert len(results[-1]["hashes"]) > 1, "the video gave no frame hashes"
    assert body["hashes"] == expected_hashes(results)
    assert listed == [item["hashValue"] for item in body["hashes"]]
    assert_same_file_hashes(chosen_files, results, hash_in_page(page, chosen_files))
    assert_pictures_match_reference(chosen_files, results)
    assert_nothing_leaked(recorder, live_server, chosen_files)
    # The workers' own requests are recorded too (ImageMagick, for the TIFF).
    assert any(request.url.endswith("/magick.wasm") for request in recorder.requests)
    assert page_errors == []  # includes CSP violations
    context.close()


def test_21st_file_is_refused_with_a_clear_message(context, live_server, tmp_path):
    paths = small_pictures(tmp_path, 21)
    page = context.new_page()
    page.goto(f"{live_server}/en/submit")
    confirm_consents(page)
    continue_from(page, 1)
    page.get_by_test_id("file-input").set_input_files([str(path) for path in paths])
    refused = page.locator("[data-refused]")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("You can add up to 20 files to one case. 1 file was not added:")
    expect(refused).to_contain_text("picture-21.png")
    wait_until_hashed(page, 20)
    expect(page.locator("[data-chosen-count]")).to_have_text("20 of 20 files chosen")
    assert_accessible(page)

    page.get_by_test_id("file-card").first.get_by_role("button").click()
    page.get_by_test_id("file-input").set_input_files([str(paths[-1])])
    expect(refused).to_be_hidden()
    wait_until_hashed(page, 20)
    expect(page.get_by_test_id("file-card").last).to_contain_text("picture-21.png")


def test_bad_files_fail_alone_and_a_server_error_loses_nothing(context, live_server, tmp_path):
    """At 320 pixels wide: the other files go through, and a failed send can be retried."""
    good = small_pictures(tmp_path, 2)
    twin = tmp_path / "copy.png"
    twin.write_bytes(good[0].read_bytes())
    unsupported = tmp_path / "notes.txt"
    unsupported.write_text("not a picture")
    corrupt = tmp_path / "broken.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 4)
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    recorder = Recorder(context)
    page.goto(f"{live_server}/en/submit")
    confirm_consents(page)
    continue_from(page, 1)
    chosen = [good[0], unsupported, corrupt, good[1], twin]
    page.get_by_test_id("file-input").set_input_files([str(path) for path in chosen])
    wait_until_hashed(page, 5)
    cards = page.get_by_test_id("file-card")
    states = [card.get_attribute("data-state") for card in cards.all()]
    assert states[1:4] == ["error", "error", "ready"]
    expect(cards.nth(1)).to_contain_text("This type of file can't be used.")
    expect(cards.nth(2)).to_contain_text("This file seems to be damaged")
    # Of two identical files, whichever is ready second is the duplicate.
    assert sorted([states[0], states[4]]) == ["error", "ready"]
    expect(cards.nth(0 if states[0] == "error" else 4)).to_contain_text(
        "You have already added this file"
    )
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
    continue_from(page, 2)
    expect(page.locator("[data-count-hashes]")).to_have_text("2 fingerprints")
    continue_from(page, 3)
    choose_pin(page)
    continue_from(page, 4)

    failures = []

    def fail_once(route):
        if failures:
            route.continue_()
        else:
            failures.append(route.request.post_data_buffer)
            route.fulfill(
                status=500, content_type="text/html", body="<h1>Internal Server Error</h1>"
            )

    page.route("**/api/cases", fail_once)
    page.get_by_test_id("submit-case").click()
    summary = step(page, 5).locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Nothing was lost")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_test_id("submit-case").click()
    page.wait_for_url("**/en/submit/done")
    bodies = recorder.api_bodies()
    assert len(bodies) == 2 and bodies[0] == bodies[1] == json.loads(failures[0])
    assert len(bodies[0]["hashes"]) == 2
    assert_nothing_leaked(recorder, live_server, chosen)


def test_the_server_refusing_the_pin_leads_back_to_it(context, live_server, tmp_path):
    page = context.new_page()
    page.goto(f"{live_server}/en/submit")
    confirm_consents(page)
    continue_from(page, 1)
    page.get_by_test_id("file-input").set_input_files([str(small_pictures(tmp_path, 1)[0])])
    wait_until_hashed(page, 1)
    continue_from(page, 2)
    continue_from(page, 3)
    for field in ("pin", "pin-confirm"):
        page.get_by_test_id(field).fill("password")
    continue_from(page, 4)
    page.get_by_test_id("submit-case").click()
    expect(step(page, 4)).to_be_visible()
    expect(step(page, 4).locator("[data-error-summary]")).to_contain_text("too easy to guess")
    expect(page.locator("#pin")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("file-card")).to_have_count(1)


def test_each_step_says_what_is_missing(context, live_server):
    page = context.new_page()
    page.goto(f"{live_server}/en/submit")
    page.get_by_test_id("consent-me").check()
    page.locator('section[data-step="1"] form > .actions > button').click()
    summary = step(page, 1).locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(1)
    assert page.title().startswith("Error:")
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(page.get_by_test_id("consent-adult")).to_be_focused()
    for key in CONSENTS[1:]:
        page.get_by_test_id(f"consent-{key}").check()
    page.locator('section[data-step="1"] form > .actions > button').click()
    page.locator('section[data-step="2"] form > .actions > button').click()
    expect(step(page, 2).locator("[data-error-summary]")).to_contain_text("Choose at least one")
    page.go_back()  # the browser's Back button goes back a step
    expect(step(page, 1)).to_be_visible()
    expect(step(page, 2)).to_be_hidden()


CASE_HASHES_JS = """async ([entries, minQuality]) => {
  const { caseHashes } = await import('/static/js/wizard/payload.js');
  return caseHashes(entries, minQuality);
}"""
PIN_STRENGTH_JS = """async ([pins, rules]) => {
  const { pinStrength } = await import('/static/js/wizard/pin.js');
  return pins.map((pin) => pinStrength(pin, rules));
}"""


def test_case_hashes_link_frames_to_their_video_and_skip_what_the_server_refuses(
    context, live_server
):
    pdq = lambda digit, **extra: {"signalType": "ImagePDQ", "hashValue": digit * 64, **extra}  # noqa: E731
    md5 = {"signalType": "VideoMD5", "hashValue": "f" * 32}
    entries = [
        {"state": "ready", "kind": "image", "hashes": [pdq("1", quality=90)]},
        {"state": "error", "kind": "image", "hashes": [pdq("2", quality=10)]},
        {
            "state": "ready",
            "kind": "video",
            "hashes": [
                md5,
                pdq("3", quality=80, frameTime=0),
                pdq("4", quality=20, frameTime=2),
                pdq("1", quality=90, frameTime=4),
                pdq("5", quality=50, frameTime=6),
            ],
        },
    ]
    page = context.new_page()
    page.goto(f"{live_server}/en/")
    assert page.evaluate(CASE_HASHES_JS, [entries, POLICY["hashing"]["minQuality"]]) == [
        {"signalType": "ImagePDQ", "hashValue": "1" * 64, "quality": 90},
        {"signalType": "VideoMD5", "hashValue": "f" * 32},
        {"signalType": "ImagePDQ", "hashValue": "3" * 64, "quality": 80, "frameOf": 1},
        {"signalType": "ImagePDQ", "hashValue": "5" * 64, "quality": 50, "frameOf": 1},
    ]
    pins = [
        "",
        "12345",
        "123456",
        "aaaaaa",
        "fedcba",
        "password",
        "kite42",
        "kite-river",
        "k1te-r1ver",
    ]
    assert page.evaluate(PIN_STRENGTH_JS, [pins, POLICY["pin"]]) == [
        "",
        "short",
        "weak",
        "weak",
        "weak",
        "weak",
        "fair",
        "strong",
        "strong",
    ]
    # The grades follow the policy's thresholds, not numbers of the script's own.
    stricter = {**POLICY["pin"], "strongLength": 12, "strongMixedLength": 11}
    longer = ["kite-river", "k1te-r1ver", "k1te-r1ver-7"]
    assert page.evaluate(PIN_STRENGTH_JS, [longer, stricter]) == ["fair", "fair", "strong"]


def test_without_javascript_it_explains_and_links_to_help(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/es/submit")
    notice = page.locator("[data-wizard-nojs]")
    expect(notice).to_be_visible()
    expect(page.locator("[data-wizard]")).to_be_hidden()
    hrefs = notice.get_by_role("link").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    )
    assert hrefs == ["/es/faq", "/es/support"]
    context.close()
