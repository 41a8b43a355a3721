#!/usr/bin/env bash
# Downloads BEIR SciFact for the benchmarks (and the tests that read it) when its folder is absent:
# $RAGLOOM_SCIFACT_DIR, by default bench/data/scifact (gitignored), the folder bench/lib/scifact.ts and
# test/services.ts read (they also accept a shared/data/scifact folder beside the repository).
#   source: https://public.ukp.informatik.tu-darmstadt.de/thakur/BEIR/datasets/scifact.zip
#   md5:    5f7d1de60b170fc8027bb7898e2efca1 (published in BEIR's README, "Available Datasets")
# The archive is checked before anything is extracted; the folder then appears whole or not at all:
#   corpus.jsonl       5,183 abstracts {_id, title, text}
#   queries.jsonl      the 809 train-split claims {_id, text, metadata}
#   qrels/train.tsv    query-id, corpus-id, score (and qrels/test.tsv, unused by the benchmarks)
# corpus_sentences.jsonl (bench/compression.ts only) is not part of BEIR; see docs/benchmarks.md.
# Usage: scripts/fetch-scifact.sh [--zip FILE]   (--zip: a scifact.zip downloaded elsewhere)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ -n "${RAGLOOM_SCIFACT_DIR:-}" ]; then DEST="$RAGLOOM_SCIFACT_DIR"
elif [ ! -s "$ROOT/bench/data/scifact/corpus.jsonl" ] && [ -s "$ROOT/../shared/data/scifact/corpus.jsonl" ]; then
  DEST="$ROOT/../shared/data/scifact"
else DEST="$ROOT/bench/data/scifact"; fi
URL="https://public.ukp.informatik.tu-darmstadt.de/thakur/BEIR/datasets/scifact.zip"
MD5="5f7d1de60b170fc8027bb7898e2efca1"
ZIP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --zip) ZIP="${2:?--zip needs a file}"; shift 2 ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fetch-scifact: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ -s "$DEST/corpus.jsonl" ] && [ -s "$DEST/queries.jsonl" ] && [ -s "$DEST/qrels/train.tsv" ]; then
  echo "fetch-scifact: SciFact is already in $DEST" >&2
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
if [ -z "$ZIP" ]; then
  ZIP="$WORK/scifact.zip"
  echo "fetch-scifact: downloading $URL" >&2
  if ! curl -fsSL --retry 2 --connect-timeout 20 --max-time 600 -o "$ZIP" "$URL"; then
    cat >&2 <<MSG
fetch-scifact: could not download $URL
  The benchmarks need BEIR SciFact in $DEST.
  If this machine cannot reach that host, download scifact.zip on one that can (md5 $MD5)
  and run: bash scripts/fetch-scifact.sh --zip path/to/scifact.zip
MSG
    exit 1
  fi
fi
[ -s "$ZIP" ] || { echo "fetch-scifact: $ZIP is missing or empty" >&2; exit 1; }

python3 "$ROOT/scripts/scifact-layout.py" "$ZIP" "$MD5" "$DEST"
