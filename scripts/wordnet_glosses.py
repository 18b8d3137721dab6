#!/usr/bin/env python3
"""Writes real English text with a large vocabulary, for timing checks: WordNet 3.0's
glosses and example sentences, shuffled, in files of about 8 KB.

    training/fetch.sh     # downloads wordnet-base (Debian) into training/build/downloads
    python3 scripts/wordnet_glosses.py /tmp/gloss        # about 2 MB, 255 files
    garbled check -j1 --max-suggestions 0 --format json /tmp/gloss/*.txt > /dev/null

Each gloss and example of four or more words becomes one sentence. The same files come
out on every run (fixed shuffle seed). Nothing it writes belongs in the repository.
"""
import glob
import os
import random
import subprocess
import sys
import tempfile

MAX_BYTES = 2 << 20
FILE_BYTES = 8192


def sentences(wordnet_dir: str) -> list[str]:
    out = []
    for pos in ["noun", "verb", "adj", "adv"]:
        with open(os.path.join(wordnet_dir, f"data.{pos}"), encoding="latin-1") as f:
            for line in f:
                # Lines starting with spaces are the licence header; the gloss follows "|".
                if line.startswith("  ") or "|" not in line:
                    continue
                for part in line.split("|", 1)[1].split(";"):
                    part = part.strip().strip('"').strip()
                    if len(part.split()) >= 4:
                        out.append(part[0].upper() + part[1:].rstrip(".") + ".")
    return out


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: wordnet_glosses.py OUT_DIR")
    out_dir = sys.argv[1]
    debs = glob.glob("training/build/downloads/deb/wordnet-base_*.deb")
    if not debs:
        sys.exit("wordnet_glosses.py: no wordnet-base package; run training/fetch.sh first")
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg", "-x", debs[0], tmp], check=True)
        text = sentences(os.path.join(tmp, "usr/share/wordnet"))
    random.Random(1).shuffle(text)
    doc, total, current = 0, 0, []
    for s in text:
        current.append(s)
        size = sum(len(c) + 1 for c in current)
        if size > FILE_BYTES:
            with open(os.path.join(out_dir, f"{doc:04d}.txt"), "w", encoding="utf-8") as f:
                f.write(" ".join(current) + "\n")
            doc, total, current = doc + 1, total + size, []
        if total > MAX_BYTES:
            break
    print(f"wrote {doc} files, {total} bytes, to {out_dir}")


if __name__ == "__main__":
    main()
