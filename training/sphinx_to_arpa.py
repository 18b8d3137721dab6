#!/usr/bin/env python3
"""Convert a CMU Sphinx binary trie language model (``*.lm.bin``) to ARPA text.

Why this exists
---------------
The Sphinx tools cannot reliably write such a model back out as ARPA:
``sphinx_lm_convert`` trips an assertion in ``ngram_model_trie_write_arpa``,
and the pocketsphinx Python binding's ``NGramModel.write`` emits badly scaled
values and truncates the file.  This script reads the binary itself, using
only the Python 3.11 standard library.

File format (sphinxbase / pocketsphinx 5 "trie binary format")
--------------------------------------------------------------
Integers and floats are little-endian.

1. The magic string ``b"Trie Language Model"`` (19 bytes, no NUL).
2. ``uint8 order`` followed by ``order`` x ``uint32`` n-gram counts.
3. If order > 1, the quantiser:
   ``int32`` (ignored; it used to be a quantisation type, always 1), then
   float32 lookup tables with 2**16 entries each.  For every middle order
   (2 .. order-1) there is a probability table and then a backoff table.
   Last comes one probability table for the highest order.
4. Unigrams: ``counts[0] + 1`` records of ``{float32 prob, float32 backoff,
   uint32 next}``.  Unigram values are stored unquantised.  ``next`` is the
   index of the node's first child in the order-2 array, and the extra
   sentinel record closes the range of the last word.
5. If order > 1, the bit-packed n-gram arrays.  Each order 2 .. order-1 is
   a "middle" array and the highest order is the "longest" array.  Each
   array holds ``count + 1`` fixed-width records (the last one is a
   sentinel that carries only an end pointer), and then 8 bytes of padding.
   Records are packed LSB-first with no byte alignment.  A record is
   ``word_bits`` bits of word id, where word_bits = bit_length(counts[0]).
   After that, a middle record has 32 quantiser bits: the low 16 are the
   backoff bin and the high 16 are the probability bin.  Last comes a child
   pointer of bit_length(counts[n]) bits into the next order's array.  A
   longest record has the word id and then 16 probability bits.
   Each array takes ``((count + 1) * bits + 7) // 8 + 8`` bytes.
6. The vocabulary: ``int32`` byte length, then ``counts[0]`` NUL-terminated
   words.  Word ids are positions in this list.

All probabilities and backoffs are in logmath units of base 1.0001.
Multiplying by log10(1.0001) turns them into ARPA's log10 values.

The trie is keyed in *reverse* word order.  Level 1 is the predicted word,
level 2 the nearest history word, and so on.  The record reached by the path
``w, h1, h2`` is therefore the ARPA trigram ``h2 h1 w``.  Its probability is
P(w | h2 h1), and in a middle record the backoff is that of the ARPA n-gram
as a context, exactly as ARPA stores it.

Quirk: the header counts are the *allocated* sizes, and they can exceed the
number of records actually written.  Sphinx's count fix-up, which reserves
room for blank entries (below), overestimates.  In the stock en-us model the
header says 2,051,547 bigrams, but the unigram sentinel pointer ends the
bigram array at 2,051,541.  The 6 spare slots after the sentinel are all
zero bits, and no lookup can reach them.  This is what makes Sphinx's own
ARPA writer fail its assertion.  We take the true count of order n from
order n-1's sentinel pointer, and that is the count we write in \\data\\.

When the model was built, Sphinx added a "blank" lower-order entry for every
higher-order n-gram whose context was missing from the source ARPA file.
Its probability is the backoff estimate and its backoff is 0.  These entries
are counted in the header, and they are written out like any other entry,
so the ARPA file scores the same as the binary.

Usage: ``python3 sphinx_to_arpa.py IN.lm.bin OUT.arpa``
"""

from __future__ import annotations

import array
import math
import struct
import sys
from dataclasses import dataclass, field

MAGIC = b"Trie Language Model"
QUANT_BITS = 16                      # both prob and backoff bins
QUANT_TABLE_SIZE = 1 << QUANT_BITS
LOG10_OF_BASE = math.log10(1.0001)   # Sphinx logmath base


@dataclass
class Level:
    """Decoded bit-packed array for one n-gram order (>= 2).

    All arrays are parallel and indexed by record number.  ``parent[i]``
    is the index of the record's parent in the lower order (a word id for
    order 2).  ``prob_bin`` and ``bo_bin`` index the quantiser tables.
    ``bo_bin`` is None for the highest order.
    """
    order: int
    word: array.array
    prob_bin: array.array
    bo_bin: array.array | None
    parent: array.array
    next_ptr: array.array | None = field(default=None, repr=False)


@dataclass
class TrieLM:
    order: int
    header_counts: list[int]         # as stated in the file header
    counts: list[int]                # records actually present in the trie
    words: list[str]
    uni_prob: array.array            # float32, logmath units
    uni_bo: array.array
    prob_tables: list[array.array]   # prob_tables[n-2]: bins for order n
    bo_tables: list[array.array]     # bo_tables[n-2]: bins for middle order n
    levels: list[Level]              # levels[n-2] for order n


def _bits_for(max_value: int) -> int:
    """Bits needed to store values 0..max_value (same as bitarr_required_bits)."""
    return max_value.bit_length()


def _array_size(entries: int, bits: int) -> int:
    """Byte size of one bit-packed n-gram array, with sentinel and padding."""
    return ((entries + 1) * bits + 7) // 8 + 8


def _unpack_records(data: bytes, start: int, n_records: int, bits: int):
    """Yield ``n_records`` little-endian bit-packed integers of width ``bits``.

    Eight records take exactly ``bits`` bytes, so we convert one such
    byte-aligned group at a time into a Python int and slice it.
    """
    mask = (1 << bits) - 1
    shifts = [k * bits for k in range(8)]
    remaining = n_records
    pos = start
    from_bytes = int.from_bytes
    while remaining > 0:
        group = from_bytes(data[pos:pos + bits], "little")
        pos += bits
        if remaining >= 8:
            for s in shifts:
                yield (group >> s) & mask
            remaining -= 8
        else:
            for s in shifts[:remaining]:
                yield (group >> s) & mask
            remaining = 0


def _decode_level(data: bytes, start: int, order: int, count: int,
                  word_bits: int, next_bits: int, is_longest: bool,
                  parent_ranges: array.array) -> Level:
    """Decode the first ``count`` records of one bit-packed n-gram array.

    ``parent_ranges`` is the lower order's child-pointer array, of length
    lower_count + 1.  It gives each record's parent.  For a middle order we
    also read the sentinel record ``count``, which holds only the end
    pointer of the last real record's children.
    """
    word_mask = (1 << word_bits) - 1
    q_shift = word_bits
    q_mask = (1 << QUANT_BITS) - 1
    total_bits = word_bits + (QUANT_BITS if is_longest else 2 * QUANT_BITS + next_bits)

    word = array.array("I")
    prob_bin = array.array("H")
    bo_bin = None if is_longest else array.array("H")
    next_ptr = None if is_longest else array.array("I")

    recs = _unpack_records(data, start, count + 1, total_bits)
    if is_longest:
        for _, rec in zip(range(count), recs):
            word.append(rec & word_mask)
            prob_bin.append((rec >> q_shift) & q_mask)
    else:
        bo_shift, p_shift = q_shift, q_shift + QUANT_BITS
        n_shift = q_shift + 2 * QUANT_BITS
        n_mask = (1 << next_bits) - 1
        for i, rec in zip(range(count + 1), recs):
            next_ptr.append((rec >> n_shift) & n_mask)
            if i < count:
                word.append(rec & word_mask)
                bo_bin.append((rec >> bo_shift) & q_mask)
                prob_bin.append((rec >> p_shift) & q_mask)
        if any(next_ptr[i] > next_ptr[i + 1] for i in range(count)):
            raise ValueError(f"order {order}: child pointers are not monotonic")

    # Parent of each record: the lower-order node whose [next, next') range
    # covers it.  Ranges are contiguous and ascending, so walk them in order.
    parent = array.array("I")
    for p in range(len(parent_ranges) - 1):
        parent.extend(array.array("I", [p]) * (parent_ranges[p + 1] - parent_ranges[p]))
    if len(parent) != count:
        raise ValueError(f"order {order}: parent pointers cover {len(parent)} "
                         f"records, expected {count}")
    return Level(order, word, prob_bin, bo_bin, parent, next_ptr)


def read_trie_lm(path: str) -> TrieLM:
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(MAGIC):
        raise ValueError(f"{path}: not a Sphinx trie LM (bad header)")
    pos = len(MAGIC)
    order = data[pos]
    pos += 1
    counts = list(struct.unpack_from(f"<{order}I", data, pos))
    pos += 4 * order

    # Quantiser tables.
    prob_tables: list[array.array] = []
    bo_tables: list[array.array] = []
    if order > 1:
        pos += 4  # legacy quantisation-type field

        def table() -> array.array:
            nonlocal pos
            t = array.array("f")
            t.frombytes(data[pos:pos + 4 * QUANT_TABLE_SIZE])
            if sys.byteorder != "little":
                t.byteswap()
            pos += 4 * QUANT_TABLE_SIZE
            return t

        for _ in range(order - 2):
            prob_tables.append(table())
            bo_tables.append(table())
        prob_tables.append(table())

    # Unigrams (counts[0] + 1 records incl. sentinel), struct {f32, f32, u32}.
    n_uni = counts[0] + 1
    uni = array.array("f")
    uni.frombytes(data[pos:pos + 12 * n_uni])
    uni_next = array.array("I")
    uni_next.frombytes(data[pos:pos + 12 * n_uni])
    if sys.byteorder != "little":
        uni.byteswap()
        uni_next.byteswap()
    uni_prob = uni[0:3 * counts[0]:3]
    uni_bo = uni[1:3 * counts[0]:3]
    uni_next = uni_next[2::3]
    pos += 12 * n_uni

    # Bit-packed n-gram arrays.
    # The header counts can overstate the number of records that were
    # actually filled in (see the module docstring).  The true count for
    # order n is the end pointer of order n-1's sentinel record.
    levels: list[Level] = []
    word_bits = _bits_for(counts[0])
    parent_ranges = uni_next
    for n in range(2, order + 1):
        is_longest = n == order
        header_count = counts[n - 1]
        real_count = parent_ranges[-1]
        if real_count > header_count:
            raise ValueError(f"order {n}: pointers reach {real_count} records, "
                             f"header says {header_count}")
        # Next-pointer width depends on the header count, not the real count.
        next_bits = 0 if is_longest else _bits_for(counts[n])
        bits = word_bits + (QUANT_BITS if is_longest else 2 * QUANT_BITS + next_bits)
        level = _decode_level(data, pos, n, real_count, word_bits, next_bits,
                              is_longest, parent_ranges)
        levels.append(level)
        if not is_longest:
            parent_ranges = level.next_ptr
        pos += _array_size(header_count, bits)

    # Vocabulary.
    (nbytes,) = struct.unpack_from("<i", data, pos)
    pos += 4
    raw = data[pos:pos + nbytes]
    pos += nbytes
    words = raw.split(b"\0")
    if words and words[-1] == b"":
        words.pop()
    if len(words) != counts[0]:
        raise ValueError(f"vocabulary has {len(words)} words, header says {counts[0]}")
    if pos != len(data):
        raise ValueError(f"{len(data) - pos} unexpected trailing bytes")
    words = [w.decode("utf-8", errors="surrogateescape") for w in words]

    real_counts = [counts[0]] + [len(level.word) for level in levels]
    return TrieLM(order, counts, real_counts, words, uni_prob, uni_bo, prob_tables,
                  bo_tables, levels)


def _fmt(logmath_value: float) -> str:
    """Format a logmath-units value as an ARPA log10 number."""
    s = f"{logmath_value * LOG10_OF_BASE:.6f}"
    return "0.000000" if s == "-0.000000" else s


def _arpa_words(lm: TrieLM, level_idx: int, i: int) -> list[int]:
    """Word ids of record ``i`` of levels[level_idx], in ARPA (history-first) order."""
    ids = []
    for lv in range(level_idx, -1, -1):
        level = lm.levels[lv]
        ids.append(level.word[i])
        i = level.parent[i]
    ids.append(i)  # the unigram, i.e. the predicted word
    return ids


def write_arpa(lm: TrieLM, out_path: str) -> None:
    words = lm.words
    word_bits = _bits_for(lm.counts[0])
    with open(out_path, "w", encoding="utf-8", errors="surrogateescape",
              newline="\n") as out:
        out.write("\\data\\\n")
        for n, c in enumerate(lm.counts, 1):
            out.write(f"ngram {n}={c}\n")

        out.write("\n\\1-grams:\n")
        has_bo = lm.order > 1
        for w in range(lm.counts[0]):
            line = f"{_fmt(lm.uni_prob[w])}\t{words[w]}"
            if has_bo:
                line += f"\t{_fmt(lm.uni_bo[w])}"
            out.write(line + "\n")

        for li, level in enumerate(lm.levels):
            n = level.order
            count = lm.counts[n - 1]
            probs = [_fmt(v) for v in lm.prob_tables[n - 2]]
            bos = None if level.bo_bin is None else [_fmt(v) for v in lm.bo_tables[n - 2]]

            # Sort by ARPA word order (history first), then by predicted word.
            idx_bits = max(count, 1).bit_length()
            keys = []
            for i in range(count):
                k = 0
                for wid in _arpa_words(lm, li, i):
                    k = (k << word_bits) | wid
                keys.append((k << idx_bits) | i)
            keys.sort()
            idx_mask = (1 << idx_bits) - 1

            out.write(f"\n\\{n}-grams:\n")
            buf = []
            for key in keys:
                i = key & idx_mask
                text = " ".join(words[w] for w in _arpa_words(lm, li, i))
                if bos is None:
                    buf.append(f"{probs[level.prob_bin[i]]}\t{text}\n")
                else:
                    buf.append(f"{probs[level.prob_bin[i]]}\t{text}\t{bos[level.bo_bin[i]]}\n")
                if len(buf) >= 65536:
                    out.write("".join(buf))
                    buf.clear()
            out.write("".join(buf))

        out.write("\n\\end\\\n")


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(f"usage: {argv[0]} IN.lm.bin OUT.arpa", file=sys.stderr)
        return 2
    lm = read_trie_lm(argv[1])
    for n, (hdr, real) in enumerate(zip(lm.header_counts, lm.counts), 1):
        if hdr != real:
            print(f"note: {n}-grams: header says {hdr}, trie holds {real}; "
                  f"writing {real} (the other {hdr - real} slots are unused)",
                  file=sys.stderr)
    write_arpa(lm, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
