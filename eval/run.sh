#!/usr/bin/env bash
# Regenerates the labelled evaluation sets from eval/clean/ and prints garbled's quality
# table for each kind of damage, with the embedded model (or MODEL=path).
#
#   eval/run.sh                 # tables on stdout; corrupted sets under $OUT
#   RATE=0.05 SEED=7 OUT=/tmp/garbled-eval MODEL=models/en.garbled eval/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-0.05}
SEED=${SEED:-7}
OUT=${OUT:-${TMPDIR:-/tmp}/garbled-eval}
model=()
if [ -n "${MODEL:-}" ]; then model=(--model "$MODEL"); fi

cargo build --release --quiet
g=${CARGO_TARGET_DIR:-target}/release/garbled
rm -rf "$OUT" && mkdir -p "$OUT"
for kind in typo ocr spin mix wordspin realtypo; do
    "$g" corrupt "${model[@]}" --kind "$kind" --rate "$RATE" --seed "$SEED" \
        eval/clean --out "$OUT/$kind" --labels "$OUT/$kind.jsonl" 2>/dev/null
    echo "== $kind (rate $RATE, seed $SEED)"
    "$g" eval "${model[@]}" --labels "$OUT/$kind.jsonl" "$OUT/$kind"
    echo
done
