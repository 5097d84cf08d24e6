"""In-memory indexes of hashes for MatchHashes, in NumPy (no Flask, no database).

:class:`PDQIndex` finds every PDQ hash within a Hamming radius; :class:`MD5Index` finds
equal MD5s. Both hold ids (the signals' database ids) and take the same calls, so the
matcher treats them alike.

PDQ: exact Hamming-radius search over 256-bit hashes.

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

Why not faiss: measured by ``bench/match.py`` at 1,000,000 hashes on this project's 2-core
machine, in one quiet run, against a NumPy scan of every hash (32 queries/s):
faiss-cpu 1.15's ``IndexBinaryMultiHash(256, 16, 16)`` answered 29,188 queries/s but took
+316 MB (a ``std::vector<int64>`` per bucket in each of 16 hash tables), over this
project's 200 MB budget for the index; its exact ``IndexBinaryFlat`` needs 32 MB but
answered 1,230 queries/s (38x the scan). This index answered 2,162 queries/s (67x the
scan, the same results), took 113 MB of arrays (+158 MB of process memory while
building) and 6.6 s to build from the database; through HTTP a single-hash request took
p50 6.7 ms, p99 10.4 ms. It trades faiss's last 13x of batch speed, which no request
needs, for staying within the memory budget, no native dependency and no OpenMP threads
in forked workers.

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


def codes_from_hex(values, width):
    """An (n, width) uint8 array from n hashes of ``width`` bytes written in hex."""
    return np.frombuffer(bytes.fromhex("".join(values)), dtype=np.uint8).reshape(-1, width)


def distances(words, query_words):
    """Hamming distances between rows of an (n, 4) uint64 array and one (4,) row."""
    return np.bitwise_count(words ^ query_words).sum(axis=1, dtype=np.int64)


class PDQIndex:
    """The active PDQ hashes, each under an integer id (the signal's database id)."""

    width = HASH_BYTES

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
        # (ids, words) added after the build: one attribute, swapped whole, so a search
        # running in another thread never sees ids and words of different updates.
        self._extra = (np.empty(0, dtype=np.int64), np.empty((0, 4), dtype=np.uint64))

    @classmethod
    def empty(cls):
        return cls(np.empty(0, dtype=np.int64), np.empty((0, HASH_BYTES), dtype=np.uint8))

    def __len__(self):
        return int(self._alive.sum()) + len(self._extra[0])

    @property
    def pending(self):
        """How many entries are kept outside the main structure (added or discarded)."""
        return len(self._extra[0]) + int((~self._alive).sum())

    @property
    def nbytes(self):
        arrays = (self._ids, self._words, self._alive, self._sorted_rows, self._starts)
        return sum(array.nbytes for array in (*arrays, *self._extra))

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
        extra_ids, extra_words = self._extra
        extra = distances(extra_words, query_words)
        near = extra <= radius
        return (
            np.concatenate([self._ids[rows], extra_ids[near]]),
            np.concatenate([found[keep][first], extra[near]]),
        )

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
        return bool(in_base) or bool(np.any(self._extra[0] == signal_id))

    def add(self, ids, codes):
        """Keep new hashes beside the built structure (each search scans them)."""
        extra_ids, extra_words = self._extra
        words = np.ascontiguousarray(codes, dtype=np.uint8).view(np.uint64).reshape(-1, 4)
        self._extra = (
            np.concatenate([extra_ids, np.asarray(ids, dtype=np.int64)]),
            np.concatenate([extra_words, words]),
        )

    def discard(self, ids):
        """Stop matching these ids (unknown ids are ignored)."""
        ids = np.asarray(ids, dtype=np.int64)
        rows = np.searchsorted(self._ids, ids).clip(0, max(len(self._ids) - 1, 0))
        if len(self._ids):
            self._alive[rows[self._ids[rows] == ids]] = False
        extra_ids, extra_words = self._extra
        keep = ~np.isin(extra_ids, ids)
        self._extra = (extra_ids[keep], extra_words[keep])

    def compacted(self):
        """A freshly built index of the same active hashes."""
        extra_ids, extra_words = self._extra
        ids = np.concatenate([self._ids[self._alive], extra_ids])
        words = np.concatenate([self._words[self._alive], extra_words])
        return PDQIndex(ids, words.view(np.uint8).reshape(-1, HASH_BYTES))


class MD5Index:
    """MD5 hashes (16 bytes) under integer ids, found by exact value: a sorted array."""

    width = 16
    pending = 0  # changes are applied in place: there is never anything to compact

    def __init__(self, ids, codes):
        self._table = self._sorted(ids, codes)  # (keys, ids), swapped whole

    @staticmethod
    def _sorted(ids, codes):
        keys = np.ascontiguousarray(codes, dtype=np.uint8).view("S16").ravel()
        order = np.argsort(keys, kind="stable")
        return keys[order], np.asarray(ids, dtype=np.int64)[order]

    @classmethod
    def empty(cls):
        return cls(np.empty(0, dtype=np.int64), np.empty((0, 16), dtype=np.uint8))

    def __len__(self):
        return len(self._table[1])

    @property
    def nbytes(self):
        return sum(array.nbytes for array in self._table)

    def search(self, code, radius=0):
        """(ids, distances) of the hashes equal to ``code``; ``radius`` must be 0."""
        if radius:
            raise ValueError("MD5 hashes match exactly")
        keys, ids = self._table
        key = np.frombuffer(code, dtype="S16")
        low, high = (np.searchsorted(keys, key, side)[0] for side in ("left", "right"))
        return ids[low:high], np.zeros(high - low, dtype=np.int64)

    def contains(self, signal_id):
        return bool(np.any(self._table[1] == signal_id))

    def add(self, ids, codes):
        keys, ids = self._sorted(ids, codes)
        old_keys, old_ids = self._table
        at = np.searchsorted(old_keys, keys)
        self._table = (np.insert(old_keys, at, keys), np.insert(old_ids, at, ids))

    def discard(self, ids):
        keys, held = self._table
        keep = ~np.isin(held, np.asarray(ids, dtype=np.int64))
        self._table = (keys[keep], held[keep])

    def compacted(self):
        return self
