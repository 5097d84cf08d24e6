"""Conformance of static/js/hashing/pdq.js with the reference PDQ (the `pdqhash` package).

Pictures are generated here, hashed by the JavaScript in Node (tests/js/pdq_stdio.mjs)
from their full-size RGBA, and by `pdqhash` (Meta's C++ core) from the same RGB after
the reference's 512x512 nearest-neighbour pre-resize, done here independently in numpy.
"""

import json
import struct
import subprocess
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from hashing_reference import GENERATORS, distance, reference_hash, reference_resize, vector_to_hex
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
HELPER = ROOT / "tests" / "js" / "pdq_stdio.mjs"

EDGE_SIZES = [
    (1, 1),
    (2, 3),
    (4, 4),
    (4, 100),
    (5, 5),
    (5, 600),
    (6, 9),
    (63, 64),
    (64, 64),
    (65, 64),
    (127, 129),
    (128, 128),
    (511, 511),
    (511, 512),
    (512, 512),
    (513, 512),
    (512, 513),
    (513, 513),
    (500, 520),
    (520, 500),
    (1024, 512),
    (512, 1024),
    (1023, 1025),
    (1, 3000),
    (3000, 1),
    (3000, 2000),
    (2000, 3000),
    (640, 480),
    (1920, 1080),
]
RANDOM_COUNT = 200


def cases():
    """(label, rgb) for edge sizes and random sizes, colour and grey."""
    rng = np.random.default_rng(20261125)
    sizes = list(EDGE_SIZES)
    for _ in range(RANDOM_COUNT):
        # log-uniform, so small and large pictures are both well represented
        sizes.append(
            (int(np.exp(rng.uniform(0, np.log(3000)))), int(np.exp(rng.uniform(0, np.log(2000)))))
        )
    for index, (width, height) in enumerate(sizes):
        generator = GENERATORS[index % len(GENERATORS)]
        rgb = generator(rng, width, height)
        grey = index % 3 == 2
        if grey:
            rgb = np.repeat(np.asarray(Image.fromarray(rgb).convert("L"))[:, :, None], 3, axis=2)
        yield (
            f"{generator.__name__} {width}x{height}{' grey' if grey else ''}",
            np.ascontiguousarray(rgb),
        )


class NodeHasher:
    """Talks to pdq_stdio.mjs: one request per picture over a pipe."""

    def __init__(self):
        self.process = subprocess.Popen(
            ["node", str(HELPER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT
        )

    def _ask(self, kind, width, height, body):
        self.process.stdin.write(kind + struct.pack("<II", width, height) + body)
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the Node helper exited"
        return json.loads(line)

    def rgba(self, rgb):
        height, width = rgb.shape[:2]
        alpha = np.full((height, width, 1), 255, np.uint8)
        return self._ask(b"R", width, height, np.concatenate([rgb, alpha], axis=2).tobytes())

    def luma(self, luma):
        height, width = luma.shape
        return self._ask(b"L", width, height, luma.astype("<f4").tobytes())

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def node_hasher():
    hasher = NodeHasher()
    yield hasher
    hasher.close()


@pytest.fixture(scope="module")
def results(node_hasher):
    """Hash every generated picture both ways; yields a list of per-picture records."""
    records = []
    for label, rgb in cases():
        js = node_hasher.rgba(rgb)
        ref_hash, ref_quality = reference_hash(rgb)
        dihedral_vectors, dihedral_quality = pdqhash.compute_dihedral(reference_resize(rgb))
        records.append(
            {
                "label": label,
                "js": js,
                "ref_hash": ref_hash,
                "ref_quality": ref_quality,
                "ref_dihedral": [vector_to_hex(v) for v in dihedral_vectors],
                "ref_dihedral_quality": dihedral_quality,
                "distance": distance(js["hash"], ref_hash),
            }
        )
    return records


def test_pdq_matches_reference_on_generated_pictures(results):
    distances = [r["distance"] for r in results]
    exact = sum(d == 0 for d in distances)
    print(f"\nPDQ conformance: {exact}/{len(results)} exact, max Hamming distance {max(distances)}")
    assert len(results) >= 200
    assert exact >= 0.99 * len(results)
    assert max(distances) <= 2, [(r["label"], r["distance"]) for r in results if r["distance"]]


def test_pdq_quality_matches_reference(results):
    mismatches = [
        (r["label"], r["js"]["quality"], r["ref_quality"])
        for r in results
        if r["js"]["quality"] != r["ref_quality"]
    ]
    assert not mismatches


DIHEDRAL_ORDER = [
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flipX",
    "flipY",
    "flipPlus1",
    "flipMinus1",
]


def test_dihedral_hashes_match_reference(results):
    worst = 0
    for r in results:
        ours = r["js"]["dihedral"]
        assert ours["quality"] == r["ref_dihedral_quality"], r["label"]
        for name, ref in zip(DIHEDRAL_ORDER, r["ref_dihedral"], strict=True):
            worst = max(worst, distance(ours["hashes"][name], ref))
    assert worst <= 2


def test_luma_pipeline_is_bit_exact(node_hasher):
    """On identical float32 luma (pdqhash's own), every hash and quality is identical."""
    rng = np.random.default_rng(7)
    for index, (width, height) in enumerate(
        [(5, 5), (64, 64), (100, 37), (512, 512), (300, 511), (512, 200)]
    ):
        rgb = GENERATORS[index % len(GENERATORS)](rng, width, height)
        luma = (rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114).astype(
            np.float32
        )
        js = node_hasher.luma(luma)
        ref_hash, ref_quality = reference_hash(rgb)
        assert (js["hash"], js["quality"]) == (ref_hash, ref_quality), f"{width}x{height}"
