#!/usr/bin/env python3
"""Build the default model's word list: wordfreq's counts, with misspellings filtered out.

    training/build/venv/bin/python training/lexicon.py

Reads build/en-wordfreq.tsv and build/en-dict-core.txt (from extract.py) and writes
build/en-lexicon.tsv (`word<TAB>count`, sorted by count then word).

Why: wordfreq counts tokens from the web, subtitles and social media, so common
misspellings are in it with real counts (contamination.py measured 53% of the Birkbeck
misspellings). A word is kept when
  * it is in the core dictionary (hunspell en_US + wamerican-large), or
  * its count is at least MIN_COUNT and no dictionary word one edit away is RATIO
    times more frequent (the profile of a typo of that word).
Names and new words that no dictionary has (shenzhen, unrwa, livestream, tshisekedi)
pass the second rule; "teh"-like typos fail it. A word no dictionary has is dropped
too when it is two words run together that the SymSpell bigram list (build/en-bigrams.tsv)
counts far more often apart: "ofthe" (2,138 in wordfreq, "of the" 177e9 in the bigram
list), "inthe", "thefirst". Kept, they hid those run-togethers from the non-word check
and let the broken-word check read "of the" as a break of "ofthe". The bar,
RUN_TOGETHER_RATIO, is set below the dictionary-less compounds of news text ("togo" as
Togo: 2.3e-7; "setup", "cutoff", "healthcare": 8e-6 or more). Dictionary words that wordfreq lacks
are added with count 1, so rare but correct words are known, with the smallest prior.
Tokens that the checker's tokenizer would never produce as one word (numbers,
abbreviations with dots, symbols) are dropped.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILD = HERE / "build"
sys.path.insert(0, str(HERE))
from contamination import NeighbourIndex  # noqa: E402

MIN_COUNT = 20
RATIO = 10
# wordfreq count of the joined word per bigram-list count of its two pieces.
RUN_TOGETHER_RATIO = 1e-7


def is_word(token: str) -> bool:
    """Letters (any script, with combining marks) and inner apostrophes only."""
    if not token or not token[0].isalpha() or not token[-1].isalpha():
        return False
    return all(
        c.isalpha() or c == "'" or unicodedata.category(c).startswith("M") for c in token
    )


def main() -> None:
    counts: dict[str, int] = {}
    for line in (BUILD / "en-wordfreq.tsv").read_text(encoding="utf-8").splitlines():
        word, count = line.split("\t")
        if is_word(word):
            counts[word] = int(count)
    dictionary = {
        w.lower()
        for w in (BUILD / "en-dict-core.txt").read_text(encoding="utf-8").splitlines()
        if is_word(w.lower())
    }
    index = NeighbourIndex(dictionary)
    run_together = set()
    for line in (BUILD / "en-bigrams.tsv").read_text(encoding="utf-8").splitlines():
        pair, count = line.split("\t")
        joined = pair.replace(" ", "", 1)
        if joined in counts and counts[joined] < RUN_TOGETHER_RATIO * int(count):
            run_together.add(joined)

    kept: dict[str, int] = {}
    dropped = 0
    run_together_dropped = 0
    for word, count in counts.items():
        if word in dictionary:
            kept[word] = count
            continue
        if count < MIN_COUNT:
            dropped += 1
            continue
        if word in run_together:
            dropped += 1
            run_together_dropped += 1
            continue
        if any(counts.get(n, 0) >= RATIO * count for n in index.neighbours(word)):
            dropped += 1
            continue
        kept[word] = count
    added = 0
    for word in dictionary:
        if word not in kept:
            kept[word] = 1
            added += 1

    rows = sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))
    out = BUILD / "en-lexicon.tsv"
    with out.open("w", encoding="utf-8", newline="\n") as f:
        for word, count in rows:
            f.write(f"{word}\t{count}\n")
    print(
        f"en-lexicon.tsv: {len(rows)} words ({len(counts)} wordfreq words, "
        f"{dropped} dropped by the filter, {run_together_dropped} of them run together, "
        f"{added} dictionary words added with count 1)"
    )


if __name__ == "__main__":
    main()
