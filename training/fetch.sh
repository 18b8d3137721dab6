#!/usr/bin/env bash
# Fetch the pinned public sources that training/extract.py turns into plain
# training inputs for garbled.
#
# Only ordinary package clients are used (pip and apt-get), because package
# registries are the only network the project's machines can reach.
# Everything lands under training/build/ (git-ignored):
#
#   build/downloads/   the archives exactly as fetched (+ SHA256SUMS, VERSIONS.tsv)
#   build/unpacked/    each archive unpacked into its own directory
#   build/venv/        a venv with the pinned wordfreq + msgpack, used to run
#                      extract.py (wordfreq is imported only to cross-check)
#
# Re-running is safe: downloads/ and unpacked/ are rebuilt from scratch.
#
# Environment knobs:
#   PYTHON=python3           interpreter used to create the venv
#   ALLOW_UNPINNED_DEBS=1    if a pinned Debian version is gone from the
#                            archive (e.g. on a newer Debian release), take the
#                            candidate version instead of failing. The version
#                            actually obtained is recorded in VERSIONS.tsv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$here/build"
dl="$build/downloads"
unpacked="$build/unpacked"
venv="$build/venv"
PYTHON="${PYTHON:-python3}"

# --- Pins -------------------------------------------------------------------
# PyPI. The data files are what we want; the package code is irrelevant to us.
WORDFREQ_VER=3.1.1       # last release; its data stops in 2021 (see SOURCES.md)
SYMSPELLPY_VER=6.10.1
# wordfreq's run-time dependencies, pinned so the venv is reproducible. Only
# msgpack is needed to read the data; the others let `import wordfreq` work so
# extract.py can cross-check its own decoding against wordfreq's API.
PY_DEPS=(msgpack==1.2.4 ftfy==6.3.1 wcwidth==0.9.4 langcodes==3.5.1
         locate==1.1.1 regex==2026.11.19)

# Debian (bookworm versions). Epochs ("1:") are part of the version.
DEBS=(
  "hunspell-en-us=1:2020.12.07-2"   # en_US.dic/.aff (SCOWL-based)
  "hunspell-tools=1.7.1-1"          # `unmunch`, to expand the .dic affixes
  "wamerican-huge=2020.12.07-2"     # SCOWL size 95 word list
  "wamerican-large=2020.12.07-2"    # SCOWL size 70: en-dict-core.txt, the stricter list
  "mythes-en-us=1:7.5.0-1"          # th_en_US_v2.dat thesaurus
  "wordnet-base=1:3.0-37"           # WordNet 3.0 database (glosses)
  "pocketsphinx-en-us=0.8+5prealpha+1-15"  # CMU Sphinx US English word trigram model
)

log() { printf '[fetch] %s\n' "$*" >&2; }

rm -rf "$dl" "$unpacked"
mkdir -p "$dl/pypi" "$dl/deb" "$unpacked"

# --- PyPI -------------------------------------------------------------------
# --no-deps: we name every package ourselves, so nothing unpinned sneaks in.
log "pip download (PyPI)"
"$PYTHON" -m pip download --quiet --no-deps --dest "$dl/pypi" \
  "wordfreq==$WORDFREQ_VER" "symspellpy==$SYMSPELLPY_VER" "${PY_DEPS[@]}"

# --- Debian -----------------------------------------------------------------
# apt-get download needs package lists; refresh them once if a pin is unknown
# (a fresh machine has empty or stale lists).
need_update=0
for spec in "${DEBS[@]}"; do
  if ! apt-cache show "$spec" >/dev/null 2>&1; then need_update=1; fi
done
if [[ $need_update == 1 ]]; then
  log "apt-get update (package lists missing or stale)"
  apt-get update -qq
fi

resolved=()
for spec in "${DEBS[@]}"; do
  if apt-cache show "$spec" >/dev/null 2>&1; then
    resolved+=("$spec")
  elif [[ "${ALLOW_UNPINNED_DEBS:-0}" == 1 ]]; then
    log "WARNING: $spec not available; taking the candidate version"
    resolved+=("${spec%%=*}")
  else
    log "ERROR: $spec is not in the configured Debian archive."
    log "       Update the pin in fetch.sh, or set ALLOW_UNPINNED_DEBS=1."
    exit 1
  fi
done
log "apt-get download (Debian): ${resolved[*]}"
# APT::Sandbox::User=root: as root, apt otherwise tries to drop to _apt, which
# cannot write into our directory (it works anyway, but warns).
(cd "$dl/deb" && apt-get download -qq -o APT::Sandbox::User=root "${resolved[@]}")

# --- Unpack -----------------------------------------------------------------
# Wheels are zip files; .debs are unpacked with dpkg -x (no install, no root
# side effects, no maintainer scripts).
log "unpacking"
# Only the two wheels that carry data; the rest are just venv dependencies.
for whl in "$dl"/pypi/wordfreq-*.whl "$dl"/pypi/symspellpy-*.whl; do
  name="$(basename "$whl")"
  # python -m zipfile rather than unzip: one less tool to have installed.
  "$PYTHON" -m zipfile -e "$whl" "$unpacked/${name%%-*}"   # e.g. unpacked/wordfreq
done
for deb in "$dl"/deb/*.deb; do
  pkg="$(dpkg-deb -f "$deb" Package)"
  dpkg -x "$deb" "$unpacked/$pkg"
done

# --- Record what we actually got -------------------------------------------
# VERSIONS.tsv: kind, name, version, archive file. extract.py and SOURCES.md
# read exact versions from here rather than trusting the pins above.
{
  printf 'kind\tname\tversion\tfile\n'
  for whl in "$dl"/pypi/*.whl; do
    base="$(basename "$whl")"
    IFS=- read -r n v _ <<<"$base"
    printf 'pypi\t%s\t%s\t%s\n' "$n" "$v" "pypi/$base"
  done
  for deb in "$dl"/deb/*.deb; do
    printf 'deb\t%s\t%s\t%s\n' "$(dpkg-deb -f "$deb" Package)" \
      "$(dpkg-deb -f "$deb" Version)" "deb/$(basename "$deb")"
  done
} > "$dl/VERSIONS.tsv"
(cd "$dl" && find pypi deb -type f | LC_ALL=C sort | xargs sha256sum) > "$dl/SHA256SUMS"

# --- venv ---------------------------------------------------------------------
# Installed from the wheels we just downloaded (--no-index): the venv holds
# exactly the pinned versions, with no second trip to the registry.
log "creating venv at $venv"
rm -rf "$venv"
"$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --no-index --no-deps \
  --find-links "$dl/pypi" "wordfreq==$WORDFREQ_VER" "${PY_DEPS[@]}"

# unmunch is a standalone binary (libc/libstdc++ only), so it runs straight out
# of the unpacked .deb; check that now rather than in the middle of extract.py.
"$unpacked/hunspell-tools/usr/bin/unmunch" >/dev/null 2>&1 || [[ $? == 1 ]] || {
  log "WARNING: unmunch from hunspell-tools does not run here; extract.py will"
  log "         fall back to stripping affix flags without expansion."
}

log "done. versions:"
column -t -s $'\t' "$dl/VERSIONS.tsv" >&2 || cat "$dl/VERSIONS.tsv" >&2
log "next: $venv/bin/python $here/extract.py"
