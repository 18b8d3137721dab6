#!/usr/bin/env python3
"""How many real misspellings sit inside our frequency lists, and what filter
keeps them out without losing legitimate new words?

    training/build/venv/bin/python training/contamination.py [MISSPELLINGS_DIR]

MISSPELLINGS_DIR defaults to ../shared/data/misspellings beside the repo
(the Birkbeck-format aspell.dat and holbrook-missp.dat). Needs the outputs of
extract.py. Writes training/build/contamination.txt.

Only aggregate statistics are written: the misspelling lists are not ours to
copy, so no misspelling appears in the output. The probe words (names, new
coinages) are our own list and are shown individually.

Why this matters: wordfreq counts tokens from the web, subtitles, Twitter and
Reddit, so common misspellings ("teh"-like tokens) are in it with real counts.
A lexicon built from it unfiltered would accept those typos as words, and the
corrector would then leave them alone.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILD = HERE / "build"
REPO = HERE.parent
DEFAULT_MISSP = REPO.parent / "shared/data/misspellings"

# Legitimate words a modern lexicon must keep: recent place/person names and
# coinages that classic dictionaries (SCOWL 2020) mostly lack.
PROBES = """zaporizhzhia tshisekedi ouagadougou shenzhen unrwa nguyen kharkiv
mykolaiv smartphone cryptocurrency livestream ransomware deepfake blockchain
covid brexit bitcoin hashtag selfie podcast metaverse zelensky""".split()

THRESHOLDS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
# Neighbour rule: a non-dictionary word is suspect when a dictionary word one
# edit away (Damerau distance 1) is this many times more frequent: the profile
# of a typo of that word.
RATIOS = [10, 30, 100]


# --------------------------------------------------------------------------
def parse_birkbeck(path: Path):
    """Yield (correct, misspelling) from '$correct' + one-per-line lists.

    holbrook-missp.dat appends ' <count>' to misspellings; '$?' means the
    intended word is unknown (yielded with correct=None). '_' is a space.
    """
    correct = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("$"):
            word = line[1:].split()[0] if line[1:].split() else "?"
            correct = None if word == "?" else word.replace("_", " ").lower()
            continue
        yield correct, line.split()[0].replace("_", " ").lower()


def load_counts(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """word -> count and word -> 1-based rank (file order is count desc)."""
    counts, ranks = {}, {}
    with open(path, encoding="utf-8") as f:
        for rank, line in enumerate(f, 1):
            word, count = line.rstrip("\n").split("\t")
            counts[word] = int(count)
            ranks[word] = rank
    return counts, ranks


def pct(n: int, d: int) -> str:
    return f"{n:6d}/{d:<6d} ({100 * n / d:5.1f}%)" if d else f"{n:6d}/0"


def quantiles(values: list[int]) -> str:
    if not values:
        return "(none)"
    v = sorted(values)
    q = lambda p: v[min(len(v) - 1, int(p * len(v)))]  # noqa: E731
    return (f"min {v[0]}  p10 {q(.10)}  p25 {q(.25)}  median {statistics.median_low(v)}  "
            f"p75 {q(.75)}  p90 {q(.90)}  max {v[-1]}")


def bands(values: list[int], edges: list[int], unit: str) -> list[str]:
    out, lo = [], 0
    for hi in edges + [None]:
        n = sum(1 for x in values if x >= lo and (hi is None or x < hi))
        label = f"{lo}..{hi - 1}" if hi is not None else f">={lo}"
        out.append(f"      {unit} {label:>18s}: {n}")
        lo = hi
    return out


def deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """Damerau (OSA) distance <= 1: one insertion, deletion, substitution or
    swap of adjacent characters."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :] or (
            a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1])
    return a[i + 1 :] == b[i:] if la > lb else a[i:] == b[i + 1 :]


class NeighbourIndex:
    """Dictionary words one edit away, found with a symmetric-delete index.

    Two words one edit apart always share the word itself or a single-character
    delete, so the index finds every candidate; within_one_edit then drops the
    pairs that are really two edits apart ('lol'/'all' share 'll').
    """

    def __init__(self, words: set[str]):
        self.index: dict[str, list[str]] = {}
        for w in words:
            for key in deletes(w) | {w}:
                self.index.setdefault(key, []).append(w)

    def neighbours(self, word: str) -> set[str]:
        found = set()
        for key in deletes(word) | {word}:
            found.update(self.index.get(key, ()))
        found.discard(word)
        return {n for n in found if within_one_edit(word, n)}


# --------------------------------------------------------------------------
def main() -> None:
    missp_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MISSP
    files = [missp_dir / "aspell.dat", missp_dir / "holbrook-missp.dat"]
    for f in files:
        if not f.is_file():
            sys.exit(f"{f} not found (pass the misspellings directory as argument)")

    out: list[str] = []
    say = out.append

    wf, wf_rank = load_counts(BUILD / "en-wordfreq.tsv")
    ss, ss_rank = load_counts(BUILD / "en-symspell.tsv")
    # Dictionaries are case-sensitive lists; wordfreq is lowercased, so
    # membership is tested on lowercase forms throughout.
    def lower_set(name: str) -> set[str]:
        return {w.lower() for w in (BUILD / name).read_text(encoding="utf-8").split("\n") if w}

    en_dict = lower_set("en-dict.txt")
    core = lower_set("en-dict-core.txt")
    dicts = {"en-dict.txt (hunspell+wamerican-huge)": en_dict,
             "en-dict-core.txt (hunspell+wamerican-large)": core}

    say("Contamination of the frequency lists by real misspellings")
    say("=" * 58)
    say("Generated by training/contamination.py; aggregate figures only.")
    say("Misspelling sources: " + ", ".join(f.name for f in files) + " (Birkbeck format).")
    say("All comparisons are on lowercase forms (wordfreq and symspell are lowercase).")
    say("")

    # --- the misspellings ---------------------------------------------------
    missp: set[str] = set()
    corrects: set[str] = set()
    for f in files:
        pairs = list(parse_birkbeck(f))
        multi = sum(1 for _, m in pairs if " " in m)
        same = sum(1 for c, m in pairs if c is not None and m == c)
        kept = {m for c, m in pairs if " " not in m and m != c}
        cor = {c for c, _ in pairs if c is not None and " " not in c}
        say(f"{f.name}: {len(pairs)} misspelling lines, {len({c for c, _ in pairs})} targets; "
            f"dropped {multi} multi-word and {same} differing only in case; "
            f"{len(kept)} distinct single-word misspellings, {len(cor)} distinct correct words")
        missp |= kept
        corrects |= cor
    # A token listed as a misspelling of one word can be the correct spelling
    # of another (real-word errors like their/there); those are not lexicon
    # contamination, so we set them apart.
    also_correct = missp & corrects
    say(f"combined: {len(missp)} distinct misspellings ({len(also_correct)} of them are also a "
        f"correct word in the lists), {len(corrects)} distinct correct words")
    say("")

    # --- presence -----------------------------------------------------------
    say("Presence")
    say("-" * 8)
    lex = {"en-wordfreq.tsv": set(wf), "en-symspell.tsv": set(ss), **dicts}
    say(f"  {'lexicon':38s} {'misspellings present':>24s}   {'correct words present':>24s}")
    for name, words in lex.items():
        say(f"  {name:38s} {pct(len(missp & words), len(missp))}   {pct(len(corrects & words), len(corrects))}")
    # A misspelling that a dictionary accepts is a real word (an archaic or
    # rare form, or a real-word error). No lexicon filter can remove those; the
    # corrector needs context for them. What a filter *can* remove are the
    # non-words: misspellings that no dictionary lists.
    absent = corrects - wf.keys()
    say(f"  correct words absent from en-wordfreq.tsv: {len(absent)} "
        f"({sum('-' in w for w in absent)} hyphenated, {sum(chr(39) in w for w in absent)} with an apostrophe;"
        " wordfreq splits at hyphens)")
    # "Non-word" = not in the core dictionary. wamerican-huge accepts some
    # more of them, but those are mostly rare variants that double as typos.
    nonword = missp - core
    say(f"  non-word misspellings (not in en-dict-core): {len(nonword)}")
    say(f"    ... in en-wordfreq.tsv:        {pct(len(nonword & wf.keys()), len(nonword))}")
    say(f"    ... in en-symspell.tsv:        {pct(len(nonword & ss.keys()), len(nonword))}")
    say(f"    ... accepted by en-dict.txt:   {pct(len(nonword & en_dict), len(nonword))}"
        "  (SCOWL-95 variants/rare words)")
    say("")

    # --- distributions ------------------------------------------------------
    say("Where they sit (counts are per 1e9 tokens for wordfreq; raw Google Books counts for symspell)")
    say("-" * 90)
    for name, counts, ranks, n_total in (("en-wordfreq.tsv", wf, wf_rank, len(wf)),
                                         ("en-symspell.tsv", ss, ss_rank, len(ss))):
        say(f"  {name} ({n_total} entries)")
        groups = (("all misspellings present", missp),
                  ("non-word misspellings present", nonword),
                  ("correct words present", corrects))
        for label, words in groups:
            present = [w for w in words if w in counts]
            say(f"    {label} ({len(present)}):")
            say(f"      count: {quantiles([counts[w] for w in present])}")
            say(f"      rank:  {quantiles([ranks[w] for w in present])}")
            if name == "en-wordfreq.tsv":
                out.extend(bands([counts[w] for w in present], [20, 50, 100, 1000, 10000, 100000], "count"))
        say("")

    # How far below its correct word does a misspelling sit? A large gap is
    # what makes the neighbour rule below work.
    gaps = []
    for f in files:
        for c, m in parse_birkbeck(f):
            if c and m in nonword and m in wf and c in wf and " " not in m:
                gaps.append(wf[c] / wf[m])
    if gaps:
        g = sorted(gaps)
        say(f"  ratio count(correct)/count(misspelling), non-word pairs both in wordfreq ({len(g)} pairs):")
        say(f"      median {statistics.median(g):.0f}, p10 {g[len(g) // 10]:.1f}, p25 {g[len(g) // 4]:.1f}; "
            f"< 10: {sum(x < 10 for x in g)}, < 30: {sum(x < 30 for x in g)}, < 100: {sum(x < 100 for x in g)}")
        say("")

    # --- probe words --------------------------------------------------------
    say("Probe words (legitimate; should survive)")
    say("-" * 40)
    for w in PROBES:
        say(f"  {w:16s} wordfreq {str(wf.get(w, '-')):>8s} (rank {str(wf_rank.get(w, '-')):>7s})  "
            f"symspell {'yes' if w in ss else 'no ':3s}  en-dict {'yes' if w in en_dict else 'no ':3s}  "
            f"en-dict-core {'yes' if w in core else 'no'}")
    say("")

    # --- filter rules -------------------------------------------------------
    in_wf = lambda words: [w for w in words if w in wf]  # noqa: E731
    missp_wf, nonword_wf, cor_wf, probe_wf = in_wf(missp), in_wf(nonword), in_wf(corrects), in_wf(PROBES)

    def row(label: str, keep) -> str:
        lost = [w for w in probe_wf if not keep(w)]
        return (f"    {label} {sum(1 for w in wf if keep(w)):8d} "
                f"{sum(map(keep, missp_wf)):5d}/{len(missp_wf):<5d} "
                f"{sum(map(keep, nonword_wf)):5d}/{len(nonword_wf):<5d} "
                f"{sum(map(keep, cor_wf)):5d}/{len(cor_wf):<5d} "
                f"{len(probe_wf) - len(lost):3d}/{len(probe_wf):<3d} {' '.join(lost) or '-'}")

    header = (f"{'lexicon':>8s} {'missp kept':>11s} {'non-word':>11s} {'correct':>11s} "
              f"{'probes':>7s} probes lost")
    say("Filter rules, applied to en-wordfreq.tsv")
    say("-" * 40)
    say("Columns: lexicon = wordfreq words kept; missp kept = misspellings kept, of those")
    say("in wordfreq; non-word = the same for misspellings not in en-dict-core; correct =")
    say(f"correct words kept; probes = probe words kept, of the {len(probe_wf)} that wordfreq has.")
    say("")
    say("Rule A: keep a word iff it is in DICT or count >= X")
    for dname, d in dicts.items():
        say(f"  DICT = {dname}")
        say(f"    {'X':>6s} {header}")
        for x in THRESHOLDS + [None]:
            label = f"{'dict' if x is None else x:>6}"
            say(row(label, lambda w: w in d or (x is not None and wf[w] >= x)))
        say("")

    # Rule B adds a neighbour test to rule A's threshold: a frequent
    # non-dictionary word survives unless it looks like a typo of something
    # much more frequent, which is what real misspellings look like (see the
    # ratio above) and what new names and coinages do not.
    say("Rule B: keep a word iff it is in DICT, or count >= X and no DICT word one edit")
    say("away (insertion, deletion, substitution, adjacent swap) is R times as frequent")
    for dname, d in dicts.items():
        index = NeighbourIndex({w for w in d if w in wf})
        top = {w: max((wf[n] for n in index.neighbours(w)), default=0) for w in wf if w not in d}
        say(f"  DICT = {dname}")
        say(f"    {'X':>6s} {'R':>4s} {header}")
        for x in (10, 20, 50, 100, 1000):
            for r in RATIOS:
                say(row(f"{x:6d} {r:4d}",
                        lambda w: w in d or (wf[w] >= x and top[w] < r * wf[w])))
        say("")
    say("Probes absent from wordfreq altogether cannot be kept by any rule on it.")

    text = "\n".join(out) + "\n"
    (BUILD / "contamination.txt").write_text(text, encoding="utf-8")
    print(text, end="")


if __name__ == "__main__":
    main()
