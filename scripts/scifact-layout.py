"""Checks BEIR's scifact.zip against its published md5, then lays it out as the benchmarks read it.

Usage: python3 scripts/scifact-layout.py SCIFACT_ZIP EXPECTED_MD5 DEST
Writes DEST/corpus.jsonl, DEST/queries.jsonl (train-split queries only: those in qrels/train.tsv),
DEST/qrels/train.tsv and DEST/qrels/test.tsv. A new DEST is built beside itself and renamed into
place, so it appears whole or not at all; an existing one keeps its other files. Exits 1 with a message on a checksum mismatch or a malformed archive.
"""

import hashlib
import json
import os
import shutil
import sys
import tempfile
import zipfile


def fail(message: str) -> None:
    print(f"fetch-scifact: {message}", file=sys.stderr)
    sys.exit(1)


def md5(path: str) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(zip_path: str, expected: str, dest: str) -> None:
    got = md5(zip_path)
    if got != expected:
        fail(f"checksum mismatch for {zip_path}: md5 {got}, expected {expected} (BEIR's published md5); nothing extracted")
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as e:
        fail(f"{zip_path} is not a zip archive: {e}")
    names = set(archive.namelist())
    needed = ["scifact/corpus.jsonl", "scifact/queries.jsonl", "scifact/qrels/train.tsv"]
    missing = [n for n in needed if n not in names]
    if missing:
        fail(f"{zip_path} lacks {', '.join(missing)}")

    parent = os.path.dirname(os.path.abspath(dest))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".scifact-", dir=parent)
    try:
        os.makedirs(os.path.join(tmp, "qrels"))
        for name in ["corpus.jsonl", "qrels/train.tsv", "qrels/test.tsv"]:
            if f"scifact/{name}" in names:
                with archive.open(f"scifact/{name}") as src, open(os.path.join(tmp, name), "wb") as out:
                    shutil.copyfileobj(src, out)
        train = set()
        with open(os.path.join(tmp, "qrels", "train.tsv"), encoding="utf-8") as f:
            next(f, None)  # header: query-id, corpus-id, score
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 3:
                    train.add(parts[0])
        kept = with_evidence = 0
        with archive.open("scifact/queries.jsonl") as src, open(
            os.path.join(tmp, "queries.jsonl"), "w", encoding="utf-8", newline="\n"
        ) as out:
            for raw in src:
                if not raw.strip():
                    continue
                query = json.loads(raw)
                if query["_id"] not in train:
                    continue
                kept += 1
                with_evidence += 1 if query.get("metadata") else 0
                out.write(raw.decode("utf-8").rstrip("\r\n") + "\n")  # the line as published
        with open(os.path.join(tmp, "corpus.jsonl"), "rb") as f:
            documents = sum(1 for line in f if line.strip())
        if documents == 0 or kept == 0:
            fail(f"{zip_path} holds {documents} documents and {kept} train queries")
        os.chmod(tmp, 0o755)
        if not os.path.exists(dest):
            os.replace(tmp, dest)
        else:  # a partial folder: fill it in, keeping what else it holds (corpus_sentences.jsonl)
            os.makedirs(os.path.join(dest, "qrels"), exist_ok=True)
            for name in ["corpus.jsonl", "queries.jsonl", "qrels/train.tsv", "qrels/test.tsv"]:
                if os.path.exists(os.path.join(tmp, name)):
                    os.replace(os.path.join(tmp, name), os.path.join(dest, name))
            shutil.rmtree(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(
        f"fetch-scifact: {documents} documents, {kept} train queries ({with_evidence} with evidence "
        f"metadata), {len(train)} judged queries in {dest}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    if len(sys.argv) != 4:
        fail("usage: scifact-layout.py SCIFACT_ZIP EXPECTED_MD5 DEST")
    main(*sys.argv[1:])
