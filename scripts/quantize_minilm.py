#!/usr/bin/env python3
"""Dynamic int8 ONNX files of all-MiniLM-L6-v2 from its fp32 onnx/model.onnx (onnxruntime.quantization).

Usage:
  quantize_minilm.py MODEL_DIR             add or refresh the int8 files of MODEL_DIR, atomically
  quantize_minilm.py --build ONNX_DIR      write them into ONNX_DIR (a folder being built, not yet in place)
  quantize_minilm.py --variant NAME OUT    write one experimental variant (see VARIANTS) to the file OUT
  quantize_minilm.py --check MODEL_DIR     exit 0 when MODEL_DIR's int8 files are up to date, 1 otherwise

MODEL_DIR is a model folder in the transformers.js layout (…/Xenova/all-MiniLM-L6-v2, holding
onnx/model.onnx). Needs onnx and onnxruntime (pinned by scripts/prepare-models.sh: onnx 1.23.2,
onnxruntime 1.32.0, numpy 2.4.6) and tokenizers (for the check, 0.23.3).

What it writes, named as transformers.js names the file of each `dtype` (onnx/model<suffix>.onnx with
fp32 "", q8 "_quantized", int8 "_int8", uint8 "_uint8"; @huggingface/transformers src/utils/dtypes.js):
  onnx/model_quantized.onnx  q8:    quantize_dynamic(weight_type=QInt8, per_channel=True, reduce_range=True)
  onnx/model_int8.onnx       int8:  the same recipe (transformers.js's own scripts/quantize.py writes q8 and
                                    int8 alike, with QInt8 weights, for models without Conv layers)
  onnx/model_uint8.onnx      uint8: quantize_dynamic(weight_type=QUInt8, per_channel=True, reduce_range=False)
  onnx/model_fused.onnx      fp32 with each layer's self-attention fused into onnxruntime's Attention operator
                             (scripts/fuse_attention.py): the same embeddings (cosine > FUSED_MIN_COSINE to
                             model.onnx), fewer nodes; what transformers.js loads with model_file_name "model_fused"
  onnx/model_fused_quantized.onnx  q8 of model_fused.onnx: the q8 recipe, with op type Attention quantised too
                             (QAttention); its vectors are close to, not the same as, model_quantized.onnx's
  onnx/quantize.json         the recipe, the library versions and the sha256 of model.onnx and of each file
Every MatMul with a constant weight becomes DynamicQuantizeLinear (activations to uint8, scale and zero
point per tensor, computed at run time) + MatMulInteger (int32 accumulation) + a float rescale: int8
arithmetic at run time, unlike a weight-only file (int8 initialisers + Cast + Mul), which onnxruntime
folds back to fp32 weights when it creates the session. The embedding tables (Gather) are stored as int8 too (dequantised at lookup).

Why reduce_range for the signed file: on x86 CPUs without AVX-VNNI (AVX2, AVX-512 without VNNI)
onnxruntime multiplies uint8 activations by int8 weights with VPMADDUBSW, which adds two products into
a saturating int16; 255 * 127 * 2 overflows it, 255 * 63 * 2 does not. 7-bit weights avoid the
saturation (onnxruntime's quantization guide, "When and why do I need to try U8U8?"). Unsigned weights
go through another kernel (U8U8), which does not saturate, so they keep 8 bits. The choice between the
variants was measured with bench/embedding.ts (query latency at 1 thread, nDCG@10 on SciFact).

Deterministic: the same model.onnx and library versions give the same bytes (the sha256 is recorded).
Atomic: in MODEL_DIR mode the new folder is built beside MODEL_DIR (unchanged files hard-linked, so
nothing is copied or modified in place) and swapped in with renames once every file passed the
checks; an interrupted run leaves MODEL_DIR as it was. Checks: each file is valid ONNX, holds
MatMulInteger, and its mean-pooled, L2-normalised embeddings of a few sentences have cosine > MIN_COSINE
to model.onnx's.

Exit status: 0 on success, 1 on failure (message starting "quantize_minilm: ERROR:").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

#: Bump when a recipe changes, so that --check reports existing files as out of date.
RECIPE_VERSION = 2
#: dtype file -> quantize_dynamic settings. Weight type QInt8 or QUInt8; activations are always uint8.
_OPS = ["MatMul", "Gather"]
RECIPES: dict[str, dict] = {
    "model_quantized.onnx": {"weight_type": "QInt8", "per_channel": True, "reduce_range": True, "ops": _OPS},
    "model_int8.onnx": {"weight_type": "QInt8", "per_channel": True, "reduce_range": True, "ops": _OPS},
    "model_uint8.onnx": {"weight_type": "QUInt8", "per_channel": True, "reduce_range": False, "ops": _OPS},
    "model_fused_quantized.onnx": {
        "source": "model_fused.onnx",
        "weight_type": "QInt8",
        "per_channel": True,
        "reduce_range": True,
        "ops": [*_OPS, "Attention"],
    },
}
#: The fp32 file with fused attention (scripts/fuse_attention.py), written before the recipes that read it.
FUSED = "model_fused.onnx"
#: Fusion reorders float sums only: its embeddings must match model.onnx's to this cosine.
FUSED_MIN_COSINE = 0.99999
#: Variants compared by bench/embedding.ts (--variant): weight type x per-channel x 7-bit weights.
VARIANTS: dict[str, dict] = {
    f"{w.lower()}{'-pc' if pc else ''}{'-rr' if rr else ''}{'-g' if g else ''}": {
        "weight_type": w,
        "per_channel": pc,
        "reduce_range": rr,
        "ops": ["MatMul", "Gather"] if g else ["MatMul"],
    }
    for w in ("QInt8", "QUInt8")
    for pc in (False, True)
    for rr in (False, True)
    for g in (False, True)
}
MANIFEST = "quantize.json"
MIN_COSINE = 0.98
PARTIAL_MARK = ".quantize-partial-"
SENTENCES = [
    "A man is eating food.",
    "The new movie is awesome for children and adults alike.",
    "Retrieval-augmented generation grounds a language model's answer in documents found by a search.",
    "Mean pooling averages the token embeddings, weighted by the attention mask.",
    "0-dimensional biomaterials show inductive properties.",
    " ".join(f"Sentence {i} of an abstract about protein folding and clinical trials." for i in range(30)),
]
T0 = time.monotonic()


class QuantizeError(Exception):
    """A failure with a message meant for the person running the script."""


def log(msg: str) -> None:
    print(f"quantize_minilm: [{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def versions() -> dict[str, str]:
    import numpy
    import onnx
    import onnxruntime

    return {"onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__, "numpy": numpy.__version__}


def quantize(fp32: Path, out: Path, recipe: dict) -> None:
    """quantize_dynamic of fp32 into out (written beside out, then renamed)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = out.with_name(f".{out.name}.tmp")
    quantize_dynamic(
        str(fp32),
        str(tmp),
        weight_type=getattr(QuantType, recipe["weight_type"]),
        per_channel=recipe["per_channel"],
        reduce_range=recipe["reduce_range"],
        op_types_to_quantize=recipe.get("ops", ["MatMul", "Gather"]),
        extra_options={"MatMulConstBOnly": True},
    )
    os.replace(tmp, out)


def op_counts(path: Path) -> dict[str, int]:
    import onnx

    counts: dict[str, int] = {}
    for n in onnx.load(str(path), load_external_data=False).graph.node:
        counts[n.op_type] = counts.get(n.op_type, 0) + 1
    return counts


def embed(path: Path, tokenizer_json: Path) -> "object":
    """Mean-pooled, L2-normalised embeddings of SENTENCES (truncated at 256 word pieces) from one file."""
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_json))
    tok.enable_truncation(max_length=256)
    tok.enable_padding(pad_id=tok.token_to_id("[PAD]"), pad_token="[PAD]")
    enc = tok.encode_batch(SENTENCES)
    ids = np.array([e.ids for e in enc], dtype=np.int64)
    mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    hidden = sess.run(["last_hidden_state"], feeds)[0]
    m = mask[..., None].astype(np.float32)
    pooled = (hidden * m).sum(1) / m.sum(1)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def write_fused(onnx_dir: Path, reference, tokenizer_json: Path) -> None:
    """Writes onnx/model_fused.onnx from onnx/model.onnx and checks that its embeddings are model.onnx's."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from fuse_attention import FuseError, fuse

    out = onnx_dir / FUSED
    try:
        layers = fuse(onnx_dir / "model.onnx", out)
    except FuseError as e:
        raise QuantizeError(f"{FUSED}: {e}") from e
    cosines = [float(c) for c in (embed(out, tokenizer_json) * reference).sum(1)]
    ops = op_counts(out)
    log(
        f"{FUSED}: {layers} attention blocks fused, {sum(ops.values())} nodes; cosine to model.onnx "
        + " ".join(f"{c:.7f}" for c in cosines)
    )
    if not min(cosines) > FUSED_MIN_COSINE:
        raise QuantizeError(f"{FUSED}: min cosine to model.onnx {min(cosines):.7f} <= {FUSED_MIN_COSINE}")


def check(path: Path, reference, tokenizer_json: Path) -> list[float]:
    import onnx

    onnx.checker.check_model(str(path))
    ops = op_counts(path)
    if not ops.get("MatMulInteger"):
        raise QuantizeError(f"{path.name} has no MatMulInteger node: not a dynamic int8 model")
    cosines = [float(c) for c in (embed(path, tokenizer_json) * reference).sum(1)]
    log(
        f"{path.name}: {path.stat().st_size / 1e6:.1f} MB, {ops['MatMulInteger']} MatMulInteger, "
        f"{ops.get('MatMul', 0)} MatMul left fp32; cosine to model.onnx " + " ".join(f"{c:.5f}" for c in cosines)
    )
    if not min(cosines) > MIN_COSINE:
        raise QuantizeError(f"{path.name}: min cosine to model.onnx {min(cosines):.5f} <= {MIN_COSINE}")
    return cosines


def write_quantized(onnx_dir: Path) -> dict:
    """Writes RECIPES' files and MANIFEST into onnx_dir (holding model.onnx); returns the manifest."""
    fp32 = onnx_dir / "model.onnx"
    if not fp32.is_file():
        raise QuantizeError(f"no {fp32}")
    tokenizer_json = onnx_dir.parent / "tokenizer.json"
    reference = embed(fp32, tokenizer_json)
    manifest = {
        "recipe_version": RECIPE_VERSION,
        "tool": "scripts/quantize_minilm.py: onnxruntime.quantization.quantize_dynamic",
        "versions": versions(),
        "source": {"file": "model.onnx", "sha256": sha256_file(fp32)},
        "files": {},
    }
    write_fused(onnx_dir, reference, tokenizer_json)
    manifest["files"][FUSED] = {"tool": "scripts/fuse_attention.py", "sha256": sha256_file(onnx_dir / FUSED)}
    done: dict[str, str] = {}
    for name, recipe in RECIPES.items():
        out = onnx_dir / name
        key = json.dumps(recipe, sort_keys=True)
        if key in done:  # same recipe: the same bytes, hard-linked
            if out.exists():
                out.unlink()
            os.link(onnx_dir / done[key], out)
            log(f"{name}: the same recipe as {done[key]}, linked")
        else:
            log(f"{name}: quantize_dynamic {recipe} ...")
            quantize(onnx_dir / recipe.get("source", "model.onnx"), out, recipe)
            check(out, reference, tokenizer_json)
            done[key] = name
        manifest["files"][name] = {**recipe, "sha256": sha256_file(out)}
    tmp = onnx_dir / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(tmp, onnx_dir / MANIFEST)
    return manifest


def up_to_date(model_dir: Path) -> bool:
    """The manifest matches this script's recipes and every file is present with its recorded sha256."""
    onnx_dir = model_dir / "onnx"
    try:
        manifest = json.loads((onnx_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if manifest.get("recipe_version") != RECIPE_VERSION or set(manifest.get("files", {})) != {*RECIPES, FUSED}:
        return False
    if manifest["source"]["sha256"] != sha256_file(onnx_dir / "model.onnx"):
        return False
    return all(
        (onnx_dir / n).is_file() and sha256_file(onnx_dir / n) == f["sha256"] for n, f in manifest["files"].items()
    )


def refresh(model_dir: Path) -> None:
    """Adds the int8 files to an existing model folder: build a hard-linked sibling, then swap it in."""
    if not (model_dir / "onnx" / "model.onnx").is_file():
        raise QuantizeError(f"{model_dir} holds no onnx/model.onnx")
    for p in model_dir.parent.glob(f".{model_dir.name}{PARTIAL_MARK}*"):
        pid = p.name.rsplit("-", 2)[-2] if p.name.count("-") >= 2 else ""
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            log(f"removing leftover of an interrupted run: {p}")
            shutil.rmtree(p, ignore_errors=True)
    build = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}{PARTIAL_MARK}{os.getpid()}-", dir=model_dir.parent))
    old = None
    try:
        os.chmod(build, model_dir.stat().st_mode & 0o7777)
        for src in model_dir.rglob("*"):
            dst = build / src.relative_to(model_dir)
            if src.is_dir():
                dst.mkdir(exist_ok=True)
                os.chmod(dst, src.stat().st_mode & 0o7777)
            elif src.name not in RECIPES and src.name not in (MANIFEST, FUSED):
                os.link(src, dst)  # unchanged files: the same inodes, never written through
        write_quantized(build / "onnx")
        old = model_dir.parent / f".{model_dir.name}{PARTIAL_MARK}{os.getpid()}-old"
        os.rename(model_dir, old)
        os.rename(build, model_dir)
        build = None
    finally:
        if build is not None:
            shutil.rmtree(build, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    log(f"done: {model_dir}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dir", nargs="?", type=Path, help="model folder (…/Xenova/all-MiniLM-L6-v2)")
    parser.add_argument("--build", type=Path, help="onnx folder of a model being built: write the files into it")
    parser.add_argument("--variant", nargs=2, metavar=("NAME", "OUT"), help=f"one of {', '.join(VARIANTS)}")
    parser.add_argument("--check", type=Path, help="exit 0 when this model folder's int8 files are up to date")
    args = parser.parse_args()
    try:
        if args.check is not None:
            return 0 if up_to_date(args.check.expanduser().absolute()) else 1
        if args.build is not None:
            write_quantized(args.build.expanduser().absolute())
        elif args.variant is not None:
            name, out = args.variant
            if name not in VARIANTS or args.model_dir is None:
                raise QuantizeError(f"--variant needs MODEL_DIR and one of {', '.join(VARIANTS)}")
            model_dir = args.model_dir.expanduser().absolute()
            out_path = Path(out).expanduser().absolute()
            out_path.parent.mkdir(parents=True, exist_ok=True)
            quantize(model_dir / "onnx" / "model.onnx", out_path, VARIANTS[name])
            reference = embed(model_dir / "onnx" / "model.onnx", model_dir / "tokenizer.json")
            cosines = [float(c) for c in (embed(out_path, model_dir / "tokenizer.json") * reference).sum(1)]
            log(f"{name}: {out_path} sha256 {sha256_file(out_path)[:12]}…, min cosine to model.onnx {min(cosines):.5f}")
        elif args.model_dir is not None:
            model_dir = args.model_dir.expanduser().absolute()
            if up_to_date(model_dir):
                log(f"{model_dir}: int8 files up to date")
            else:
                refresh(model_dir)
        else:
            parser.error("give MODEL_DIR, --build, --variant or --check")
    except QuantizeError as e:
        print(f"quantize_minilm: ERROR: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # a library failure: say what failed, with the traceback
        import traceback

        traceback.print_exc()
        print(f"quantize_minilm: ERROR: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
