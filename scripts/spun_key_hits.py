#!/usr/bin/env python3
"""Counts the key words of a spun article whose top-1 suggestion is the original.

    ./target/release/garbled check --format json examples/spun-article.txt \\
        | python3 scripts/spun_key_hits.py examples/spun-article.key.tsv

The key is `corrupted<TAB>original` per line. A key is hit when some flag's token is
the corrupted text and its first suggestion equals the original (case-insensitive).
Multi-word keys ("conservative armaments") can't be matched by one token's suggestion
and are counted, but never hit. Prints one line per key and a summary.
"""
import json
import sys


def main() -> None:
    key = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
    report = json.load(sys.stdin)
    top1 = {}
    flagged = set()
    for f in report["flags"]:
        flagged.add(f["token"])
        if f["suggestions"]:
            top1.setdefault(f["token"], f["suggestions"][0]["text"])
    hits = flagged_n = 0
    for corrupted, original in key:
        got = top1.get(corrupted)
        hit = got is not None and got.lower() == original.lower()
        hits += hit
        flagged_n += corrupted in flagged
        mark = "hit " if hit else ("miss" if corrupted in flagged else "----")
        print(f"{mark}  {corrupted:24s} {original:20s} {got or ''}")
    print(f"key words {len(key)}, flagged {flagged_n}, right top-1 {hits}")


if __name__ == "__main__":
    main()
