"""What the service accepts: one table of every limit, rule and format.

The server checks cases against it (``cases.py``), the wizard page tells people about
it (hint, FAQ, the file picker's ``accept``) and hands it, as one JSON block, to the
page's scripts (:func:`for_browser`): ``static/js/`` holds none of these numbers or
lists itself. The hashing library (``static/js/hashing/``) reads a file only if its
extension or MIME type is in :data:`FORMATS`; ``tests/js/policy.test.mjs`` checks that
it can decode every format listed here, and nothing else.
"""

from dataclasses import dataclass

from babel.lists import format_list

# ---------------------------------------------------------------------- PINs

PIN_MIN, PIN_MAX = 6, 64
PIN_MAX_BYTES = 72  # bcrypt reads 72 bytes at most
# The wizard's strength hint (advice only; the server refuses short and common PINs):
# "strong" from PIN_STRONG_LENGTH characters, or PIN_STRONG_MIXED_LENGTH mixing two kinds
# of character (digits, lower case, upper case, others).
PIN_STRONG_LENGTH, PIN_STRONG_MIXED_LENGTH = 10, 8
COMMON_PINS = frozenset(
    """
000000 111111 112233 121212 123123 123321 123456 1234567 12345678 123456789 1234567890
123654 131313 159753 222222 232323 246810 333333 444444 456789 520520 555555 654321
666666 696969 777777 786786 888888 987654 999999 100200 101010 110110 147258 147852
159357 202020 212121 252525 147369 789456 741852 963852 102030 010203 142536 314159
abc123 abcdef abcdefg qwerty qwertz azerty asdfgh zxcvbn 1q2w3e qwe123 iloveu
password passw0rd letmein secret monkey dragon master shadow sunshine princess football
baseball welcome iloveyou trustno1 whatever freedom qazwsx 123qwe 654123 aaaaaa
""".split()
)

# -------------------------------------------------------------------- hashes

MAX_FRAMES_PER_VIDEO = 100  # frame hashes the server takes for one video
# Video frames the browser samples: one every FRAME_INTERVAL_SECONDS, at most FRAMES_SAMPLED.
FRAME_INTERVAL_SECONDS = 2
FRAMES_SAMPLED = 20
assert FRAMES_SAMPLED <= MAX_FRAMES_PER_VIDEO
# Pictures with a side under this many pixels have too little to hash.
MIN_PICTURE_SIDE = 5
# PDQ quality below which a hash is too unreliable to share (ThreatExchange's advice).
MIN_PDQ_QUALITY = 50

# ---------------------------------------------------------------- the wizard

# The wizard's steps, in order (their titles live in the template).
WIZARD_STEPS = ("confirm", "files", "check", "pin", "send")


# ------------------------------------------------------------------- formats


@dataclass(frozen=True)
class Format:
    """A file format people may choose.

    ``name`` is how people know it (not translated); ``kind`` is ``picture`` or
    ``video``; ``magick`` is the ImageMagick format that decodes a picture the
    browser cannot read (``None``: the browser's own decoder).
    """

    name: str
    kind: str
    extensions: tuple
    mime_types: tuple
    magick: str | None = None


def _picture(name, extensions, mime_types, magick=None):
    return Format(name, "picture", tuple(extensions.split()), tuple(mime_types.split()), magick)


def _video(name, extensions, mime_types):
    return Format(name, "video", tuple(extensions.split()), tuple(mime_types.split()))


FORMATS = (
    _picture("JPEG", "jpg jpeg jfif", "image/jpeg"),
    _picture("PNG", "png", "image/png"),
    _picture("HEIC", "heic heif", "image/heic image/heif", "HEIC"),
    _picture("WebP", "webp", "image/webp"),
    _picture("AVIF", "avif", "image/avif"),
    _picture("GIF", "gif", "image/gif"),
    _picture("BMP", "bmp", "image/bmp"),
    _picture("TIFF", "tif tiff", "image/tiff", "TIFF"),
    _picture("PSD", "psd", "image/vnd.adobe.photoshop", "PSD"),
    _picture("XCF", "xcf", "image/x-xcf", "XCF"),
    _picture("TGA", "tga", "image/x-tga image/x-targa", "TGA"),
    _picture("MIFF", "miff", "image/x-miff", "MIFF"),
    _picture("ICO", "ico", "image/x-icon image/vnd.microsoft.icon"),
    _picture("DICOM", "dcm dicom", "application/dicom", "DCM"),
    _picture("XPM", "xpm", "image/x-xpixmap", "XPM"),
    _picture("PCX", "pcx", "image/x-pcx", "PCX"),
    _video("MP4", "mp4", "video/mp4"),
    _video("MOV", "mov qt", "video/quicktime"),
    _video("M4V", "m4v", "video/x-m4v"),
    _video("WEBM", "webm", "video/webm"),
    _video("MKV", "mkv", "video/x-matroska"),
    _video("AVI", "avi", "video/x-msvideo video/avi"),
    _video("WMV", "wmv", "video/x-ms-wmv"),
)


def format_names(kind, locale):
    """The formats of ``kind`` (``picture`` or ``video``) as a list in words of ``locale``
    (a Babel locale code): "JPEG, PNG, … and PCX"."""
    return format_list([fmt.name for fmt in FORMATS if fmt.kind == kind], locale=locale)


def accept_attribute():
    """The file picker's ``accept``: every extension and MIME type of the table."""
    extensions = [f".{ext}" for fmt in FORMATS for ext in fmt.extensions]
    mime_types = [mime for fmt in FORMATS for mime in fmt.mime_types]
    return ",".join(extensions + mime_types)


def for_browser(max_files):
    """The policy as the wizard's scripts read it (``<script id="wizard-policy">``)."""
    return {
        "maxFiles": max_files,
        "steps": list(WIZARD_STEPS),
        "pin": {
            "min": PIN_MIN,
            "max": PIN_MAX,
            "common": sorted(COMMON_PINS),
            "strongLength": PIN_STRONG_LENGTH,
            "strongMixedLength": PIN_STRONG_MIXED_LENGTH,
        },
        "hashing": {
            "minSide": MIN_PICTURE_SIDE,
            "minQuality": MIN_PDQ_QUALITY,
            "frameIntervalSeconds": FRAME_INTERVAL_SECONDS,
            "framesSampled": FRAMES_SAMPLED,
            "formats": [
                {
                    "name": fmt.name,
                    "kind": fmt.kind,
                    "extensions": list(fmt.extensions),
                    "mimeTypes": list(fmt.mime_types),
                    "magick": fmt.magick,
                }
                for fmt in FORMATS
            ],
        },
    }
