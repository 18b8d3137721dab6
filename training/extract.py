#!/usr/bin/env python3
"""Turn the archives fetched by training/fetch.sh into plain training inputs.

Run it with the venv that fetch.sh made (it has the pinned msgpack, and
wordfreq for a cross-check):

    training/build/venv/bin/python training/extract.py

Outputs, all in training/build/ (UTF-8, '\\n' line ends, no header lines):

    en-wordfreq.tsv   word<TAB>count   wordfreq 'large' English list
    en-symspell.tsv   word<TAB>count   symspellpy's English unigrams
    en-bigrams.tsv    w1 w2<TAB>count  symspellpy's English bigrams
    en-dict.txt       word             hunspell en_US (affixes expanded) + wamerican-huge
    en-dict-core.txt  word             hunspell en_US (expanded) + wamerican-large: the
                                       stricter list, for filtering (see contamination.py)
    thesaurus.tsv     word<TAB>s1|s2   MyThes en_US single-word synonyms, then the
                                       WordNet 3.0 ones MyThes lacks (see
                                       wordnet_synonyms)
    wordnet-text.txt  one gloss a line WordNet 3.0 glosses (definitions + examples)
    extract-stats.txt                  sizes, line counts, sha256 and the figures below

The run is deterministic: every output is sorted or in a fixed source order,
and nothing depends on time, locale, hash seeds or the directory it runs from.
Running it twice gives byte-identical files (extract-stats.txt records their
sha256 so that is easy to check).
"""

from __future__ import annotations

import collections
import gzip
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILD = HERE / "build"
UNPACKED = BUILD / "unpacked"

WORDFREQ_DATA = UNPACKED / "wordfreq/wordfreq/data/large_en.msgpack.gz"
SYMSPELL_DIR = UNPACKED / "symspellpy/symspellpy"
SYMSPELL_UNIGRAMS = SYMSPELL_DIR / "frequency_dictionary_en_82_765.txt"
SYMSPELL_BIGRAMS = SYMSPELL_DIR / "frequency_bigramdictionary_en_243_342.txt"
HUNSPELL_DIC = UNPACKED / "hunspell-en-us/usr/share/hunspell/en_US.dic"
HUNSPELL_AFF = UNPACKED / "hunspell-en-us/usr/share/hunspell/en_US.aff"
UNMUNCH = UNPACKED / "hunspell-tools/usr/bin/unmunch"
WAMERICAN = UNPACKED / "wamerican-huge/usr/share/dict/american-english-huge"
WAMERICAN_LARGE = UNPACKED / "wamerican-large/usr/share/dict/american-english-large"
MYTHES = UNPACKED / "mythes-en-us/usr/share/mythes/th_en_US_v2.dat"
WORDNET_DIR = UNPACKED / "wordnet-base/usr/share/wordnet"

# wordfreq frequencies are probabilities; a fixed scale turns them into the
# integer counts our trainer expects. 1e9 keeps the rarest 'large' entries
# (1e-8) at count 10, so the "minimum 1" floor never actually bites.
COUNT_SCALE = 1e9

# MyThes (WordNet-derived) marks some list entries with a parenthesised
# relation. Which ones count as synonyms for us:
#   ""              plain synset member: a true synonym            -> keep
#   "similar term"  WordNet similar-to (adjectives: big -> huge)   -> keep; these
#                   are exactly the swaps article spinners make
#   "generic term"  hypernym (hague -> city)                       -> drop
#   "related term"  derivational relative (diameter -> diam)       -> drop
#   "antonym"                                                      -> drop
THESAURUS_KEEP = {"", "similar term"}

# WordNet verb hypernyms taken as synonyms (reside -> dwell, gain -> obtain, agree ->
# consent, ally -> associate: "to reside is a way to dwell"), but only from hypernym
# synsets with at most this many direct troponyms. The catch-all verbs (change: 193,
# move/go/travel: 123, get/acquire: 34, ...) would otherwise become a "synonym" of
# hundreds of verbs; the specific ones article spinners reach for have a handful.
WORDNET_MAX_TROPONYMS = 20

stats: list[str] = []  # human-readable figures, written to extract-stats.txt


def note(line: str = "") -> None:
    """Record a figure for extract-stats.txt and echo it."""
    stats.append(line)
    print(line, flush=True)


def write_lines(path: Path, lines) -> None:
    # newline="\n" and explicit utf-8: same bytes whatever the platform/locale.
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line)
            f.write("\n")


def by_count_then_word(item):
    word, count = item
    return (-count, word)


# --------------------------------------------------------------------------
# wordfreq
# --------------------------------------------------------------------------
def read_cbpack(path: Path) -> list[list[str]]:
    """Decode wordfreq's "cBpack" file: gzip(msgpack([header, bucket0, ...])).

    Bucket i holds the words whose frequency rounds to -i centibels, i.e.
    10 ** (-i / 100). This mirrors wordfreq.read_cBpack, so extraction needs
    only msgpack, not wordfreq's tokenizer dependencies.
    """
    import msgpack  # pinned in the venv by fetch.sh

    with gzip.open(path, "rb") as f:
        data = msgpack.load(f, raw=False)
    header = data[0]
    if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
        sys.exit(f"unexpected cBpack header {header!r} in {path}")
    return data[1:]


def is_plain_word(word: str) -> bool:
    """Letters (any script), digits, apostrophes and hyphens only."""
    return all(c.isalpha() or c.isdigit() or c in "'-" for c in word)


def extract_wordfreq() -> None:
    buckets = read_cbpack(WORDFREQ_DATA)
    counts: dict[str, int] = {}
    for index, bucket in enumerate(buckets):
        # Same float expression as wordfreq.cB_to_freq, so the cross-check
        # below can demand exact equality.
        freq = 10 ** (-index / 100)
        count = max(1, round(freq * COUNT_SCALE))
        for word in bucket:
            if word in counts:
                sys.exit(f"wordfreq: {word!r} appears in two buckets")
            counts[word] = count

    # Cross-check against wordfreq's own API when the package imports (it needs
    # regex/langcodes/ftfy, which fetch.sh installs). A mismatch means the data
    # format changed under us and the numbers above cannot be trusted.
    try:
        import wordfreq
    except ImportError:
        note("wordfreq: package not importable; cross-check skipped")
    else:
        api = wordfreq.get_frequency_dict("en", wordlist="large")
        if set(api) != set(counts):
            sys.exit("wordfreq: word set differs from get_frequency_dict('en', 'large')")
        for word, freq in api.items():
            if max(1, round(freq * COUNT_SCALE)) != counts[word]:
                sys.exit(f"wordfreq: count mismatch for {word!r}")
        from importlib.metadata import version

        note(f"wordfreq: cross-check with wordfreq {version('wordfreq')} get_frequency_dict: identical")

    items = sorted(counts.items(), key=by_count_then_word)
    write_lines(BUILD / "en-wordfreq.tsv", (f"{w}\t{c}" for w, c in items))

    # wordfreq's tokenizer keeps some tokens that are not words in our sense.
    # Report them by kind rather than filtering: what to drop is the trainer's
    # call, and the raw list should stay faithful to the source.
    odd = [w for w, _ in items if not is_plain_word(w)]
    kinds = collections.Counter()
    for w in odd:
        if any(c in ".," for c in w) and any(c.isalnum() for c in w):
            kinds["abbreviation/number with . or ,  (u.s, 0.00)"] += 1
        elif not any(c.isalnum() for c in w):
            kinds["no letter or digit (emoji, symbols, _)"] += 1
        else:
            kinds["other mixed (letters + symbols/marks)"] += 1
    note(f"wordfreq: {len(items)} words; counts {items[-1][1]}..{items[0][1]}")
    note(f"wordfreq: {len(odd)} words contain characters other than letters/digits/'/-")
    for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
        note(f"    {n:6d}  {kind}")
    note(f"wordfreq: {sum(any(c.isdigit() for c in w) for w, _ in items)} contain digits "
         "(wordfreq writes every digit as 0 except in single-digit tokens)")
    note(f"wordfreq: {sum(not w.isascii() for w, _ in items)} contain non-ASCII characters")
    with_apos = sum("'" in w for w, _ in items)
    note(f"wordfreq: {with_apos} contain an apostrophe, {sum('-' in w for w, _ in items)} a hyphen")


# --------------------------------------------------------------------------
# symspellpy
# --------------------------------------------------------------------------
def extract_symspell(src: Path, dst: Path, ngram: int) -> None:
    """symspellpy's files are 'w1 [w2] count' separated by single spaces."""
    counts: dict[str, int] = {}
    with open(src, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != ngram + 1:
                sys.exit(f"{src.name}:{lineno}: expected {ngram} words and a count")
            key = " ".join(parts[:ngram])
            if key in counts:
                sys.exit(f"{src.name}:{lineno}: duplicate entry {key!r}")
            counts[key] = int(parts[ngram])
    items = sorted(counts.items(), key=by_count_then_word)
    write_lines(dst, (f"{k}\t{c}" for k, c in items))
    note(f"{dst.name}: {len(items)} entries from {src.name}; counts {items[-1][1]}..{items[0][1]}")


# --------------------------------------------------------------------------
# en-dict: hunspell en_US + wamerican-huge
# --------------------------------------------------------------------------
def aff_flag(aff_lines: list[str], directive: str) -> str | None:
    for line in aff_lines:
        parts = line.split()
        if len(parts) >= 2 and parts[0] == directive:
            return parts[1]
    return None


def hunspell_words() -> list[str]:
    """Expand en_US.dic with unmunch; fall back to bare stems if it can't run.

    en_US.aff uses single-character flags (no FLAG directive) and no
    NEEDAFFIX/CIRCUMFIX, which is the case unmunch handles correctly. The one
    thing it does not know is ONLYINCOMPOUND: the stems '1th', '2th', '3th'
    exist only to build '11th' etc. via COMPOUNDRULE and are not words, so we
    drop stems carrying that flag before expanding. (COMPOUNDRULE ordinals
    like '21st' are not generated; the digit stems 0-9 and '1st'.. are.)
    """
    aff_lines = HUNSPELL_AFF.read_text(encoding="utf-8").splitlines()
    only_in_compound = aff_flag(aff_lines, "ONLYINCOMPOUND")
    dic_lines = HUNSPELL_DIC.read_text(encoding="utf-8").splitlines()
    entries = [l for l in dic_lines[1:] if l.strip()]  # line 1 is the entry count

    def flags(entry: str) -> str:
        return entry.split("/", 1)[1] if "/" in entry else ""

    kept = [e for e in entries if not (only_in_compound and only_in_compound in flags(e))]
    note(f"hunspell: {len(entries)} .dic entries, {len(entries) - len(kept)} ONLYINCOMPOUND stems dropped")
    stems = [e.split("/", 1)[0] for e in kept]

    try:
        with tempfile.TemporaryDirectory() as tmp:
            dic = Path(tmp) / "en_US.dic"
            write_lines(dic, [str(len(kept)), *kept])
            out = subprocess.run(
                [str(UNMUNCH), str(dic), str(HUNSPELL_AFF)],
                check=True, capture_output=True,  # unmunch chatters on stderr
                env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"},
            ).stdout.decode("utf-8")
        words = [w for w in out.split("\n") if w]
        note(f"hunspell: unmunch expanded {len(stems)} stems to {len(set(words))} distinct forms")
    except (OSError, subprocess.CalledProcessError) as e:
        # Without hunspell-tools we still have every stem, just no inflections.
        note(f"hunspell: unmunch unavailable ({e}); using {len(stems)} unexpanded stems")
        words = stems
    # Safety net for the expansion: every stem must survive it.
    missing = set(stems) - set(words)
    if missing:
        sys.exit(f"hunspell: unmunch lost {len(missing)} stems, e.g. {sorted(missing)[:5]}")
    return words


def read_wordlist(path: Path) -> set[str]:
    return {l for l in path.read_text(encoding="utf-8").split("\n") if l}


def extract_dict() -> None:
    hun = set(hunspell_words())
    wam = read_wordlist(WAMERICAN)
    union = sorted(hun | wam)  # str order = code point order, locale-free
    write_lines(BUILD / "en-dict.txt", union)
    note(f"en-dict: wamerican-huge {len(wam)} words; union with hunspell {len(union)} "
         f"(hunspell-only {len(hun - wam)}, wamerican-only {len(wam - hun)}, both {len(hun & wam)})")
    possessives = sum(w.endswith("'s") for w in union)
    note(f"en-dict: {possessives} possessives ending in 's, "
         f"{sum(not w.isascii() for w in union)} non-ASCII, "
         f"{len({w.lower() for w in union})} distinct when lowercased")

    # wamerican-huge is SCOWL size 95, which lists rare variants that double
    # as common misspellings (contamination.py counts about a hundred from
    # the Birkbeck lists). SCOWL size 70 does not, so hunspell + wamerican-large
    # is the list to trust when deciding whether a frequent token is a word.
    core = sorted(hun | read_wordlist(WAMERICAN_LARGE))
    write_lines(BUILD / "en-dict-core.txt", core)
    note(f"en-dict-core: hunspell + wamerican-large {len(core)} words")


# --------------------------------------------------------------------------
# thesaurus: MyThes th_en_US_v2.dat
# --------------------------------------------------------------------------
def is_single_word(term: str) -> bool:
    """One orthographic word: letters plus inner apostrophes/hyphens."""
    return (
        bool(term)
        and term[0].isalpha()
        and term[-1] not in "-"
        and all(c.isalpha() or c in "'-" for c in term)
    )


def split_annotation(term: str) -> tuple[str, str]:
    """'city (generic term)' -> ('city', 'generic term'); 'city' -> ('city', '')."""
    term = term.strip()
    if term.endswith(")") and " (" in term:
        head, _, ann = term.rpartition(" (")
        return head.strip(), ann[:-1]
    return term, ""


def wordnet_synonyms() -> dict[str, dict[str, None]]:
    """Single-word synonyms from the WordNet 3.0 database, headword -> ordered set.

    MyThes is derived from WordNet but lacks pairs that real spinners use (reside ->
    dwell, gain -> obtain, agree -> consent). Two relations are taken:

    * same synset: every single-word lemma lists the synset's other single-word
      lemmas (aid -> help);
    * verb hypernym ('@' pointer of a verb synset): the verb's lemmas list the
      hypernym synset's lemmas, one way (reside -> dwell, not dwell -> reside), and
      only for hypernyms with at most WORDNET_MAX_TROPONYMS direct troponyms.

    Noun hypernyms are left out, as MyThes's "(generic term)" is (hague -> city).
    Synset lines are 'offset lex_filenum ss_type w_cnt (word lex_id){w_cnt} p_cnt
    (symbol offset pos source/target){p_cnt} ... | gloss' (wndb(5WN)); w_cnt is hex,
    p_cnt decimal, and adjective lemmas may carry a syntactic marker such as
    'galore(ip)'. Order: noun, verb, adj, adv files, each in file order.
    """
    synsets: dict[str, list[str]] = {}  # "v:offset" -> lemmas
    hypernyms: dict[str, list[str]] = {}  # verb synset -> its hypernym synsets
    troponyms = collections.Counter()  # verb synset -> number of direct troponyms
    for pos in ("noun", "verb", "adj", "adv"):
        with open(WORDNET_DIR / f"data.{pos}", encoding="utf-8") as f:
            for line in f:
                if line.startswith("  "):
                    continue
                fields = line.partition(" | ")[0].split()
                key = f"{pos}:{fields[0]}"
                n_words = int(fields[3], 16)
                lemmas = []
                for k in range(n_words):
                    lemma = fields[4 + 2 * k].lower()
                    if lemma.endswith(")") and "(" in lemma:
                        lemma = lemma[: lemma.index("(")]
                    if is_single_word(lemma):  # multi-word lemmas have '_'
                        lemmas.append(lemma)
                synsets[key] = lemmas
                at = 4 + 2 * n_words
                if pos == "verb":
                    ptrs = fields[at + 1 : at + 1 + 4 * int(fields[at])]
                    ups = [f"verb:{ptrs[j + 1]}" for j in range(0, len(ptrs), 4)
                           if ptrs[j] == "@" and ptrs[j + 2] == "v"]
                    hypernyms[key] = ups
                    troponyms.update(ups)
    out: dict[str, dict[str, None]] = {}
    for key, lemmas in synsets.items():
        wider = [w for up in hypernyms.get(key, ()) if troponyms[up] <= WORDNET_MAX_TROPONYMS
                 for w in synsets[up]]
        for head in lemmas:
            bucket = out.setdefault(head, {})
            for w in lemmas + wider:
                if w != head:
                    bucket[w] = None
    return out


def extract_thesaurus() -> None:
    lines = MYTHES.read_text(encoding="utf-8").split("\n")
    if lines[0].strip() != "UTF-8":  # first line names the encoding
        sys.exit(f"{MYTHES.name}: unexpected encoding line {lines[0]!r}")
    # Headwords are merged case-insensitively ('Bill' and 'bill'), so a dict
    # keyed by lowercase headword collects synonyms in file order.
    syns: dict[str, dict[str, None]] = {}  # dict-as-ordered-set
    n_entries = n_multiword_heads = 0
    seen_ann = collections.Counter()
    i = 1
    while i < len(lines) and lines[i]:
        head, _, n = lines[i].rpartition("|")
        meanings = lines[i + 1 : i + 1 + int(n)]
        i += 1 + int(n)
        n_entries += 1
        head = head.lower()
        if not is_single_word(head):
            n_multiword_heads += 1
            continue
        bucket = syns.setdefault(head, {})
        for meaning in meanings:
            for term in meaning.split("|")[1:]:  # field 0 is '(pos)'
                word, ann = split_annotation(term)
                seen_ann[ann] += 1
                word = word.lower()
                if ann in THESAURUS_KEEP and word != head and is_single_word(word):
                    bucket[word] = None
    if i != len(lines) - 1 or lines[-1] != "":
        sys.exit(f"{MYTHES.name}: parse stopped at line {i + 1} of {len(lines)}")

    mythes_pairs = sum(len(s) for s in syns.values())
    mythes_heads = len(syns)
    # WordNet synonyms MyThes lacks go after MyThes's own, so the order of MyThes's
    # lists (which spin corruption draws from) is unchanged.
    wordnet = wordnet_synonyms()
    for head, words in wordnet.items():
        bucket = syns.setdefault(head, {})
        for w in words:
            bucket[w] = None
    rows = [(h, list(s)) for h, s in sorted(syns.items()) if s]
    write_lines(BUILD / "thesaurus.tsv", (f"{h}\t{'|'.join(s)}" for h, s in rows))
    total = sum(len(s) for _, s in rows)
    note(f"thesaurus: WordNet adds {total - mythes_pairs} pairs to MyThes's {mythes_pairs} "
         f"(same synset, and verb hypernyms with <= {WORDNET_MAX_TROPONYMS} troponyms)")
    note(f"thesaurus: {n_entries} MyThes entries; {n_multiword_heads} multi-word/non-word headwords skipped; "
         f"{mythes_heads} single-word headwords after case merge")
    note(f"thesaurus: {len(rows)} headwords with >=1 synonym, {total} synonyms, "
         f"average {total / len(rows):.2f}, median {sorted(len(s) for _, s in rows)[len(rows) // 2]}")
    note("thesaurus: relation labels seen (kept: plain, 'similar term'): "
         + ", ".join(f"{a or 'plain'}={n}" for a, n in sorted(seen_ann.items(), key=lambda kv: -kv[1])))


# --------------------------------------------------------------------------
# WordNet glosses
# --------------------------------------------------------------------------
def extract_wordnet() -> None:
    """data.<pos> lines are 'offset lexfile pos words... pointers... | gloss'.

    The licence header lines start with two spaces. The first ' | ' ends
    the synset fields (they contain no '|'), the rest is the gloss:
    definition; "example"; "example". WordNet writes TeX-style `quotes',
    which we turn into plain apostrophes so the char model does not learn
    backticks as English.
    """
    out = []
    per_pos = []
    for pos in ("noun", "verb", "adj", "adv"):  # fixed order
        n = 0
        with open(WORDNET_DIR / f"data.{pos}", encoding="utf-8") as f:
            for line in f:
                if line.startswith("  "):
                    continue
                _, sep, gloss = line.partition(" | ")
                if not sep:
                    sys.exit(f"data.{pos}: synset line without gloss: {line[:40]!r}")
                gloss = " ".join(gloss.replace("`", "'").split())
                if gloss:
                    out.append(gloss)
                    n += 1
        per_pos.append(f"{pos}={n}")
    write_lines(BUILD / "wordnet-text.txt", out)
    words = sum(len(g.split()) for g in out)
    note(f"wordnet-text: {len(out)} glosses ({', '.join(per_pos)}), {words} whitespace-separated words")


# --------------------------------------------------------------------------
def describe_outputs() -> None:
    note()
    note("output            bytes        lines  sha256")
    for name in ("en-wordfreq.tsv", "en-symspell.tsv", "en-bigrams.tsv",
                 "en-dict.txt", "en-dict-core.txt", "thesaurus.tsv", "wordnet-text.txt"):
        data = (BUILD / name).read_bytes()
        lines = data.count(b"\n")
        note(f"{name:16s} {len(data):10d} {lines:10d}  {hashlib.sha256(data).hexdigest()}")


def main() -> None:
    if not UNPACKED.is_dir():
        sys.exit(f"{UNPACKED} missing: run training/fetch.sh first")
    versions = (BUILD / "downloads/VERSIONS.tsv").read_text(encoding="utf-8").splitlines()[1:]
    note("sources: " + ", ".join(f"{r.split(chr(9))[1]} {r.split(chr(9))[2]}" for r in versions))
    note()
    extract_wordfreq()
    extract_symspell(SYMSPELL_UNIGRAMS, BUILD / "en-symspell.tsv", 1)
    extract_symspell(SYMSPELL_BIGRAMS, BUILD / "en-bigrams.tsv", 2)
    extract_dict()
    extract_thesaurus()
    extract_wordnet()
    describe_outputs()
    write_lines(BUILD / "extract-stats.txt", stats)


if __name__ == "__main__":
    main()
