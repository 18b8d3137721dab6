#!/usr/bin/env bash
# Regenerates tests/data/tiny.garbled, the committed model that pins the file format:
# any change to the serialized structs must bump FORMAT_VERSION and rerun this.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo run --release --quiet -- train --quiet --order 3 \
    --thesaurus tests/fixtures/thesaurus.tsv \
    --calibrate tests/fixtures/corpus-a.txt tests/fixtures/corpus-b.txt \
    --context tests/fixtures/corpus-a.txt --context tests/fixtures/corpus-b.txt --word-order 3 \
    --out tests/data/tiny.garbled \
    tests/fixtures/corpus-a.txt tests/fixtures/corpus-b.txt
