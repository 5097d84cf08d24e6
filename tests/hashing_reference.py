"""The reference PDQ (the `pdqhash` package, Meta's C++ core) and picture generators,
shared by the hashing conformance tests and bench/hashing.py."""

import numpy as np
import pdqhash
from PIL import Image, ImageDraw, ImageFilter


def reference_resize(rgb):
    """CImg's resize(512, 512) with interpolation 1: source index floor(i * old / 512)."""
    height, width = rgb.shape[:2]
    if width <= 512 and height <= 512:
        return rgb
    rows = (np.arange(512) * height) // 512
    cols = (np.arange(512) * width) // 512
    return np.ascontiguousarray(rgb[rows][:, cols])


def vector_to_hex(vector):
    return f"{int(''.join(str(int(bit)) for bit in vector), 2):064x}"


def reference_hash(rgb):
    vector, quality = pdqhash.compute(reference_resize(rgb))
    return vector_to_hex(vector), quality


def distance(hex_a, hex_b):
    return bin(int(hex_a, 16) ^ int(hex_b, 16)).count("1")


# ---- picture generators: each returns an RGB uint8 array (height, width, 3) ----


def gradient(rng, width, height):
    x = np.linspace(0, 1, width)[None, :]
    y = np.linspace(0, 1, height)[:, None]
    a, b, c = rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3), rng.uniform(0, 1, 3)
    channels = [(a[k] * x + b[k] * y + c[k]) % 1.0 for k in range(3)]
    return (np.dstack(channels) * 255).astype(np.uint8)


def radial(rng, width, height):
    cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    y, x = np.mgrid[0:height, 0:width]
    r = np.hypot(x - cx, y - cy) / max(width, height)
    phases = rng.uniform(0, 6.3, 3)
    freq = rng.uniform(2, 20)
    channels = [np.sin(r * freq + p) for p in phases]
    return ((np.dstack(channels) + 1) * 127.5).astype(np.uint8)


def noise(rng, width, height):
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def smooth_noise(rng, width, height):
    cells = rng.integers(
        0, 256, (int(rng.integers(2, 12)), int(rng.integers(2, 12)), 3), dtype=np.uint8
    )
    return np.asarray(Image.fromarray(cells).resize((width, height), Image.BICUBIC))


def photo(rng, width, height):
    """A Pillow-drawn scene: sky, shapes, text, blur."""
    color = lambda: tuple(int(v) for v in rng.integers(0, 256, 3))  # noqa: E731
    image = Image.new("RGB", (width, height), color())
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(3, 25))):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1 = x0 + int(rng.integers(1, width // 2 + 2))
        y1 = y0 + int(rng.integers(1, height // 2 + 2))
        shape = rng.integers(0, 3)
        if shape == 0:
            draw.ellipse([x0, y0, x1, y1], fill=color())
        elif shape == 1:
            draw.rectangle([x0, y0, x1, y1], fill=color())
        else:
            draw.line([x0, y0, x1, y1], fill=color(), width=int(rng.integers(1, 9)))
    draw.text((width // 4, height // 3), "OpenNCII", fill=color())
    return np.asarray(image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0, 3)))))


GENERATORS = [gradient, radial, noise, smooth_noise, photo]
