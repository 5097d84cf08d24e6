"""Exact Hamming-radius search over 256-bit PDQ hashes, in NumPy (no Flask, no database).

Multi-index hashing (Norouzi, Punjani & Fleet, "Fast search in Hamming space with
multi-index hashing", CVPR 2012) -- the scheme faiss's ``IndexBinaryMultiHash``
implements, here on sorted NumPy arrays:

* Each hash is cut into 16 chunks of 16 bits. For each chunk position we keep the row
  numbers sorted by that chunk's value, and where each of the 65,536 values starts in
  that order: the rows whose chunk equals ``v`` are one slice, found without a search.
* Pigeonhole: if two hashes differ in at most ``r`` bits, then at least one of their 16
  chunks differs in at most ``r // 16`` bits (else they would differ in at least
  ``16 * (r // 16 + 1) > r`` bits). So probing, in every chunk position, the query's
  value and every value within ``r // 16`` bit flips of it finds *every* hash within
  ``r`` -- the result is exact, never approximate. Each candidate is then checked with
  its full 256-bit distance.
* For the default radius 31 that is 16 x 17 slices of about ``n / 65,536`` rows each:
  some 4,000 candidates among a million hashes, instead of a million distances.

Memory per hash: 32 bytes of hash, 16 x 4 bytes of sorted row numbers, 8 of id and one
"still active" flag: ~105 bytes, ~105 MB for a million (plus 8 MB of slice starts).

Why not faiss: at 1,000,000 hashes on this project's 2-core machine, faiss-cpu 1.15's
``IndexBinaryMultiHash(256, 16, 16)`` took 18 s to build and 335 MB (a
``std::vector<int64>`` per bucket in each of 16 hash tables), and its exact
``IndexBinaryFlat`` answered only ~4x faster than a NumPy scan; this answers a batch at
~30x a NumPy scan, builds in ~1.5 s and stays near 110 MB. ``bench/match.py`` prints
all three side by side when faiss-cpu is installed.

The index is built once and then only marks hashes withdrawn (``discard``) or keeps a
few new ones beside it (``add``, scanned directly); :meth:`PDQIndex.compacted` builds a
fresh one when those grow.
"""

import numpy as np

HASH_BYTES = 32
CHUNKS = 16  # of 16 bits each
MAX_RADIUS = 63  # flips per chunk probed: radius // 16, so at most 3
_VALUES = np.arange(1 << 16, dtype=np.uint16)
_POPCOUNT = np.bitwise_count(_VALUES)
# Every 16-bit mask with at most k bits set, for k = 0..3, fewest bits first.
FLIP_MASKS = [
    _VALUES[_POPCOUNT <= k][np.argsort(_POPCOUNT[_POPCOUNT <= k], kind="stable")].astype(np.int64)
    for k in range(MAX_RADIUS // CHUNKS + 1)
]


def codes_from_hex(values):
    """An (n, 32) uint8 array from n PDQ hashes written as 64 hex digits."""
    return np.frombuffer(bytes.fromhex("".join(values)), dtype=np.uint8).reshape(-1, HASH_BYTES)


def distances(words, query_words):
    """Hamming distances between rows of an (n, 4) uint64 array and one (4,) row."""
    return np.bitwise_count(words ^ query_words).sum(axis=1, dtype=np.int64)


class PDQIndex:
    """The active PDQ hashes, each under an integer id (the signal's database id)."""

    def __init__(self, ids, codes):
        order = np.argsort(ids, kind="stable")
        self._ids = np.ascontiguousarray(ids[order], dtype=np.int64)
        codes = np.ascontiguousarray(codes[order], dtype=np.uint8)
        self._words = codes.view(np.uint64)  # (n, 4): distances four words at a time
        self._alive = np.ones(len(self._ids), dtype=bool)
        chunks = codes.view(">u2")  # (n, 16) big-endian: chunk 0 is the first 4 hex digits
        self._sorted_rows = np.empty((CHUNKS, len(self._ids)), dtype=np.int32)
        self._starts = np.zeros((CHUNKS, (1 << 16) + 1), dtype=np.int64)
        for chunk in range(CHUNKS):
            column = chunks[:, chunk]
            self._sorted_rows[chunk] = np.argsort(column, kind="stable")
            np.cumsum(np.bincount(column, minlength=1 << 16), out=self._starts[chunk, 1:])
        self._flat_rows = self._sorted_rows.reshape(-1)
        self._extra_ids = np.empty(0, dtype=np.int64)  # added after the build
        self._extra_words = np.empty((0, 4), dtype=np.uint64)

    @classmethod
    def empty(cls):
        return cls(np.empty(0, dtype=np.int64), np.empty((0, HASH_BYTES), dtype=np.uint8))

    def __len__(self):
        return int(self._alive.sum()) + len(self._extra_ids)

    @property
    def pending(self):
        """How many entries are kept outside the main structure (added or discarded)."""
        return len(self._extra_ids) + int((~self._alive).sum())

    @property
    def nbytes(self):
        arrays = (self._ids, self._words, self._alive, self._sorted_rows, self._starts)
        return sum(array.nbytes for array in arrays) + self._extra_words.nbytes

    def search(self, code, radius):
        """(ids, distances) of every active hash within ``radius`` bits of ``code``."""
        if not 0 <= radius <= MAX_RADIUS:
            raise ValueError(f"radius must be between 0 and {MAX_RADIUS}")
        query = np.frombuffer(code, dtype=np.uint8)
        query_words = query.view(np.uint64)
        rows = self._candidates(query.view(">u2").astype(np.int64), radius // CHUNKS)
        found = distances(self._words[rows], query_words)
        keep = (found <= radius) & self._alive[rows]
        rows, first = np.unique(rows[keep], return_index=True)
        ids, dists = self._ids[rows], found[keep][first]
        extra = distances(self._extra_words, query_words)
        near = extra <= radius
        return np.concatenate([ids, self._extra_ids[near]]), np.concatenate([dists, extra[near]])

    def _candidates(self, chunk_values, flips):
        """Row numbers (with repeats) whose chunk is within ``flips`` bits in some position."""
        keys = chunk_values[:, None] ^ FLIP_MASKS[flips][None, :]  # (16, masks)
        positions = np.arange(CHUNKS)[:, None]
        lengths = (self._starts[positions, keys + 1] - self._starts[positions, keys]).ravel()
        # Where each slice starts in the flattened (16, n) array of sorted rows.
        low = (self._starts[positions, keys] + positions * len(self._ids)).ravel()
        ends = np.cumsum(lengths)
        offsets = np.repeat(low - ends + lengths, lengths) + np.arange(ends[-1])
        return self._flat_rows[offsets]

    def contains(self, signal_id):
        row = np.searchsorted(self._ids, signal_id)
        in_base = row < len(self._ids) and self._ids[row] == signal_id and self._alive[row]
        return bool(in_base) or bool(np.any(self._extra_ids == signal_id))

    def add(self, ids, codes):
        """Keep new hashes beside the built structure (each search scans them)."""
        self._extra_ids = np.concatenate([self._extra_ids, np.asarray(ids, dtype=np.int64)])
        words = np.ascontiguousarray(codes, dtype=np.uint8).view(np.uint64).reshape(-1, 4)
        self._extra_words = np.concatenate([self._extra_words, words])

    def discard(self, ids):
        """Stop matching these ids (unknown ids are ignored)."""
        ids = np.asarray(ids, dtype=np.int64)
        rows = np.searchsorted(self._ids, ids).clip(0, max(len(self._ids) - 1, 0))
        if len(self._ids):
            self._alive[rows[self._ids[rows] == ids]] = False
        keep = ~np.isin(self._extra_ids, ids)
        self._extra_ids, self._extra_words = self._extra_ids[keep], self._extra_words[keep]

    def compacted(self):
        """A freshly built index of the same active hashes."""
        ids = np.concatenate([self._ids[self._alive], self._extra_ids])
        words = np.concatenate([self._words[self._alive], self._extra_words])
        return PDQIndex(ids, words.view(np.uint8).reshape(-1, HASH_BYTES))
