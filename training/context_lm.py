#!/usr/bin/env python3
"""Build the default model's word context model: one back-off bigram model, ARPA text.

The real-word check compares how well a word and its alternatives fit between their
neighbours, so it lives on word-pair statistics. Two registry sources have them, with
different strengths:

* SymSpell's pair list (`en-bigrams.tsv`, from Google Books counts): 242k pairs, but
  truncated at a count of 6.4 million, so it knows only the commonest pairs, and a pair
  it lacks is known to be rarer than every pair it has (garbled's counted-model rule:
  unheld pairs are capped at the rarest held one).
* CMU Sphinx's US English language model (`pocketsphinx-en-us`, converted by
  `sphinx_to_arpa.py`): 2 million pairs with back-off weights over a 72k-word
  vocabulary, entropy-pruned, so an unheld pair is what its back-off weight says.

Each is a joint distribution over pairs; this script takes their log-linear mixture
(a weighted geometric mean, weight `SPHINX_WEIGHT` on Sphinx) for every pair either
source holds, and writes it as an ARPA back-off model that `garbled train
--context-arpa` reads:

* unigram log P(w): the mixture of the lexicon's frequency (`en-lexicon.tsv`) and
  Sphinx's unigram; a lexicon word Sphinx lacks takes its lexicon frequency shifted by
  the median difference between the two sources;
* pair log P(a b): the mixture of SymSpell's count (or, for a pair SymSpell lacks, the
  independence estimate capped at its rarest pair) and Sphinx's joint probability
  (held, or backed off through the weight of `a`);
* back-off weight of a: `SPHINX_WEIGHT` times Sphinx's, so that a pair neither source
  holds gets the mixture of the two back-off estimates (SymSpell's uncapped);
* a pair is kept only if it moves the estimate by at least `MIN_SHIFT_BITS` bits from
  that back-off, a simple form of pruning: the rest add size and nothing else.

Only lexicon words are written (the real-word check judges lexicon words; a pair with
another word backs off). Probabilities are not renormalised: the word model only ever
compares windows that differ in one word, in which normalisers cancel. Output is
deterministic (sorted, fixed formatting).

Usage: context_lm.py LEXICON.tsv PAIRS.tsv SPHINX.arpa OUT.arpa
"""

from __future__ import annotations

import math
import statistics
import sys

#: Weight of the Sphinx model in the log-linear mixture (the rest is SymSpell's).
SPHINX_WEIGHT = 0.5
#: Least shift, in bits, from the back-off estimate for a pair to be kept.
MIN_SHIFT_BITS = 2.0

LOG2_10 = math.log2(10)


def read_counts(path: str) -> dict[str, int]:
    counts = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, count = line.rstrip("\n").split("\t")
            counts[key] = int(count)
    return counts


def read_arpa_bigrams(path: str):
    """Unigram log2 P and log2 back-off weights, and pair log2 P(b | a), of an ARPA file."""
    unigrams, weights, pairs = {}, {}, {}
    section = None
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith("\\"):
                section = {"\\1-grams:": 1, "\\2-grams:": 2}.get(line)
                continue
            fields = line.split()
            if section == 1:
                unigrams[fields[1]] = float(fields[0]) * LOG2_10
                if len(fields) > 2:
                    weights[fields[1]] = float(fields[2]) * LOG2_10
            elif section == 2:
                pairs[(fields[1], fields[2])] = float(fields[0]) * LOG2_10
    return unigrams, weights, pairs


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        print(__doc__.rsplit("Usage: ", 1)[1], file=sys.stderr)
        return 2
    lexicon = read_counts(argv[1])
    symspell = {tuple(k.split(" ")): c for k, c in read_counts(argv[2]).items()}
    s_uni, s_weight, s_pair = read_arpa_bigrams(argv[3])
    w = SPHINX_WEIGHT

    total = sum(lexicon.values())
    lex = {word: math.log2(c / total) for word, c in lexicon.items()}
    pair_total = sum(symspell.values())
    cap = math.log2(min(symspell.values()) / pair_total)
    shift = statistics.median(s_uni[x] - lex[x] for x in lex if x in s_uni)

    def sphinx_uni(x: str) -> float:
        return s_uni[x] if x in s_uni else lex[x] + shift

    def sphinx_weight(x: str) -> float:
        return s_weight.get(x, 0.0) if x in s_uni else 0.0

    unigram = {x: (1 - w) * lex[x] + w * sphinx_uni(x) for x in lex}
    weight = {x: w * sphinx_weight(x) for x in lex}

    candidates = {k for k in symspell if k[0] in lex and k[1] in lex}
    candidates |= {k for k in s_pair if k[0] in lex and k[1] in lex}
    kept = []
    for a, b in sorted(candidates):
        if (a, b) in symspell:
            counted = math.log2(symspell[(a, b)] / pair_total)
        else:
            counted = min(lex[a] + lex[b], cap)
        if (a, b) in s_pair:
            sphinx = sphinx_uni(a) + s_pair[(a, b)]
        else:
            sphinx = sphinx_uni(a) + sphinx_weight(a) + sphinx_uni(b)
        conditional = (1 - w) * counted + w * sphinx - unigram[a]
        backed_off = weight[a] + unigram[b]
        if abs(conditional - backed_off) >= MIN_SHIFT_BITS:
            kept.append((a, b, conditional))

    with open(argv[4], "w", encoding="utf-8", newline="\n") as out:
        out.write(f"\\data\\\nngram 1={len(unigram)}\nngram 2={len(kept)}\n\n\\1-grams:\n")
        for x in sorted(unigram):
            line = f"{unigram[x] / LOG2_10:.6f}\t{x}"
            if weight[x] != 0.0:
                line += f"\t{weight[x] / LOG2_10:.6f}"
            out.write(line + "\n")
        out.write("\n\\2-grams:\n")
        for a, b, c in kept:
            out.write(f"{c / LOG2_10:.6f}\t{a} {b}\n")
        out.write("\n\\end\\\n")
    print(
        f"context_lm: {len(unigram)} words, {len(kept)} of {len(candidates)} pairs kept "
        f"(Sphinx weight {w}, unigram shift {shift:.3f} bits)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
