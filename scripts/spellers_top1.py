#!/usr/bin/env python3
"""Top-1 / top-5 accuracy of GNU Aspell and Hunspell on Birkbeck-format misspelling lists.

The reference point for `examples/misspellings.rs` (garbled's own figures). Both read the
lists the same way, so the numbers are comparable:

- `$word` starts an entry; each following line is a misspelling of it, optionally followed
  by a count (holbrook); `$?` entries (unknown target) are skipped.
- Entries whose target or misspelling holds `_` or a space (multi-word) are skipped for
  everyone, and so are pairs that differ only in case.
- A suggestion is right if it equals the target ignoring case. A misspelling the speller
  accepts as a word (`*`, `+`, `-`) or has no suggestion for counts as a miss.

Usage: scripts/spellers_top1.py LIST.dat... [--out DIR]
Needs the Debian packages aspell, aspell-en, hunspell, hunspell-en-us.
"""
import subprocess
import sys


def read_pairs(path):
    pairs, target = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            if line.startswith("$"):
                target = line[1:]
                continue
            if target is None or target == "?":
                continue
            missp = line.split()[0] if line.split() else ""
            if not missp or "_" in target or " " in target or "_" in missp:
                continue
            if missp.lower() == target.lower():
                continue
            pairs.append((missp, target))
    return pairs


def ispell_pipe(cmd, words):
    """First suggestions per word from an ispell-compatible `-a` pipe (one word a line)."""
    text = "".join("^" + w + "\n" for w in words)
    out = subprocess.run(cmd, input=text, capture_output=True, text=True, check=True).stdout
    lines = out.split("\n")[1:]  # banner
    results, current, seen_first = [], None, False
    for line in lines:
        if line == "":
            results.append(current if current is not None else ("?", []))
            current, seen_first = None, False
            continue
        if seen_first:
            continue  # the word was split into several; judge by the first part
        seen_first = True
        tag = line[0]
        if tag == "&":
            sugg = line.split(": ", 1)[1].split(", ")
            current = ("&", sugg)
        elif tag in "*+-":
            current = ("*", [])
        else:
            current = ("#", [])
    return results[: len(words)]


def main():
    args = sys.argv[1:]
    out_dir = None
    if "--out" in args:
        i = args.index("--out")
        out_dir = args[i + 1]
        del args[i : i + 2]
    spellers = {
        "aspell": ["aspell", "-a", "--lang=en_US"],
        "hunspell": ["hunspell", "-a", "-d", "en_US"],
    }
    for path in args:
        pairs = read_pairs(path)
        name = path.rsplit("/", 1)[-1]
        for sp, cmd in spellers.items():
            res = ispell_pipe(cmd, [m for m, _ in pairs])
            top1 = top5 = accepted = 0
            rows = []
            for (m, t), (tag, sugg) in zip(pairs, res):
                low = [s.lower() for s in sugg]
                top1 += bool(low[:1] == [t.lower()])
                top5 += t.lower() in low[:5]
                accepted += tag == "*"
                rows.append(f"{m}\t{t}\t{tag}\t{'|'.join(sugg[:5])}\n")
            n = len(pairs)
            print(
                f"{name}\t{sp}\tpairs={n}\ttop1={top1/n:.1%} ({top1})\ttop5={top5/n:.1%} ({top5})"
                f"\taccepted-as-word={accepted}"
            )
            if out_dir:
                with open(f"{out_dir}/{name}.{sp}.tsv", "w") as f:
                    f.writelines(rows)


if __name__ == "__main__":
    main()
