#!/usr/bin/env bash
# Rebuilds models/en.garbled, the embedded default English model, from public sources.
#
#   training/build-model.sh            # fetch, extract, filter, train, calibrate
#
# Needs: bash, python3 (venv, pip), apt-get/dpkg, cargo, and access to PyPI and the
# Debian archive. See training/SOURCES.md for what is fetched and models/README.md for
# what the model contains. The result is byte-identical on every run (checked with
# sha256sum in models/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

training/fetch.sh
training/build/venv/bin/python training/extract.py
training/build/venv/bin/python training/lexicon.py
# The word context model: CMU Sphinx's US English model as ARPA text, mixed with
# SymSpell's pair counts into one back-off bigram model (see training/context_lm.py).
training/build/venv/bin/python training/sphinx_to_arpa.py \
    training/build/unpacked/pocketsphinx-en-us/usr/share/pocketsphinx/model/en-us/en-us.lm.bin \
    training/build/en-sphinx.arpa
training/build/venv/bin/python training/context_lm.py \
    training/build/en-lexicon.tsv training/build/en-bigrams.tsv \
    training/build/en-sphinx.arpa training/build/en-context.arpa

cargo build --release --quiet
./target/release/garbled train --quiet \
    --thesaurus training/build/thesaurus.tsv \
    --calibrate training/calibration \
    --context-arpa training/build/en-context.arpa \
    --out models/en.garbled \
    training/build/en-lexicon.tsv
sha256sum models/en.garbled
