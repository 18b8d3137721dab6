#!/bin/sh
# Checks that the real-word decision does not depend on the seed of the calibration
# corruptions: trains the default model's recipe with `--calibration-seed` 1 to 4 and
# prints, for each, the real-word precision and recall on whole-word spins and real-word
# typos of the held-out articles, and the real-word false flags on the clean articles,
# at the default threshold. Before the real-word weights were fitted on 16 passes, seed
# 2 gave 5.9 false flags per 1000 clean words against 0.35 for seed 1.
#
#   scripts/calibration-seeds.sh [OUT_DIR]
#
# Needs training/build/ from training/build-model.sh (or BUILD=DIR) and python3. Takes
# about a minute.
set -eu

OUT=${1:-$(mktemp -d)}
BUILD=${BUILD:-training/build}
GARBLED=${CARGO_TARGET_DIR:-target}/release/garbled
cargo build --release --quiet
mkdir -p "$OUT"

for kind in wordspin realtypo; do
    "$GARBLED" corrupt --kind "$kind" --rate 0.05 --seed 7 eval/clean \
        --out "$OUT/$kind" --labels "$OUT/$kind.jsonl" 2>/dev/null
done

for seed in 1 2 3 4; do
    model=$OUT/seed-$seed.garbled
    "$GARBLED" train --quiet --calibration-seed "$seed" \
        --thesaurus "$BUILD/thesaurus.tsv" --calibrate training/calibration \
        --context "$BUILD/en-lexicon.tsv" --context "$BUILD/en-bigrams.tsv" \
        --out "$model" "$BUILD/en-lexicon.tsv"
    printf 'calibration seed %s:' "$seed"
    for kind in wordspin realtypo; do
        "$GARBLED" eval --model "$model" --labels "$OUT/$kind.jsonl" "$OUT/$kind" |
            awk -v k="$kind" '$1 == "real-word" { printf "  %s P %s R %s", k, $6, $7; exit }'
    done
    "$GARBLED" check --model "$model" --format json eval/clean/*.txt | python3 -c '
import json, sys
tokens = flags = 0
for line in sys.stdin:
    report = json.loads(line)
    tokens += report["tokens"]
    flags += sum(f["kind"] == "realword" for f in report["flags"])
print(f"  clean: {flags} real-word flags, {1000 * flags / tokens:.2f} per 1000 words")'
done
