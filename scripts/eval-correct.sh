#!/bin/sh
# Reproduces the correction figures (issue 6): real misspelling lists against GNU Aspell and
# Hunspell, synthetic typos / OCR / in-word spins, the project's held-out articles
# corrupted by `garbled corrupt` (correction alone, and end to end through `garbled eval`),
# and the benchmarks.
#
#   scripts/eval-correct.sh [MISSPELLINGS_DIR] [OUT_DIR]
#
# MISSPELLINGS_DIR holds aspell.dat and holbrook-missp.dat (Birkbeck format; default
# ../shared/data/misspellings). Needs python3 and the Debian packages aspell, aspell-en,
# hunspell, hunspell-en-us. The wordfreq comparison needs training/build/ from
# training/build-model.sh (or BUILD=DIR); it is skipped if missing. Takes a few minutes.
set -eu

LISTS=${1:-../shared/data/misspellings}
OUT=${2:-$(mktemp -d)}
TARGET=${CARGO_TARGET_DIR:-target}
EX=$TARGET/release/examples/misspellings
GARBLED=$TARGET/release/garbled
BUILD=${BUILD:-training/build}
mkdir -p "$OUT"

cargo build --release --bin garbled --example misspellings

echo "== Aspell and Hunspell, top-1 / top-5 (first suggestions)"
python3 scripts/spellers_top1.py "$LISTS/aspell.dat" "$LISTS/holbrook-missp.dat" --out "$OUT"

echo "== garbled, embedded model (lexicon and thesaurus of models/en.garbled)"
"$EX" --model embedded --list "$LISTS/aspell.dat" --list "$LISTS/holbrook-missp.dat" \
    --typos 5000 --ocr 2000 --spins 2000 --seed 1 --dump "$OUT/garbled-lists.tsv"

if [ -f "$BUILD/en-wordfreq.tsv" ]; then
    echo "== garbled, wordfreq words in en-dict-core or with count >= 20"
    "$EX" --freq "$BUILD/en-wordfreq.tsv" --dict "$BUILD/en-dict-core.txt" --min-count 20 \
        --thesaurus "$BUILD/thesaurus.tsv" --list "$LISTS/aspell.dat" \
        --list "$LISTS/holbrook-missp.dat" --typos 5000 --seed 1 --no-throughput
fi

echo "== held-out articles (eval/clean) corrupted by garbled corrupt, seed 1"
for kind in typo ocr spin mix; do
    "$GARBLED" corrupt eval/clean -o "$OUT/$kind" -l "$OUT/$kind.labels.jsonl" -k "$kind" -r 0.05 -s 1
    echo "-- $kind: correction given the corrupted span"
    "$EX" --model embedded --corrupted "$OUT/$kind" --labels "$OUT/$kind.labels.jsonl" \
        --predictions "$OUT/$kind.pred.jsonl" --no-throughput | sed -n '/^labels in/,$p'
    if [ -f "$BUILD/en-bigrams.tsv" ]; then
        echo "-- $kind: the same with a crude bigram context model (ContextModel hook demo)"
        "$EX" --model embedded --corrupted "$OUT/$kind" --labels "$OUT/$kind.labels.jsonl" \
            --bigrams "$BUILD/en-bigrams.tsv" --no-throughput | sed -n '/^labels in/,$p'
    fi
    echo "-- $kind: end to end (the model's own flags + these suggestions), garbled eval"
    "$GARBLED" eval "$OUT/$kind" -l "$OUT/$kind.labels.jsonl" -p "$OUT/$kind.pred.jsonl"
done

echo "== benchmarks (criterion; 120k-word generated lexicon)"
cargo bench --bench correct
echo "outputs in $OUT"
