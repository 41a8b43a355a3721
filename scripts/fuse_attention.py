#!/usr/bin/env python3
"""Fuse the self-attention blocks of a BERT ONNX export into onnxruntime's `Attention` operator.

Usage: fuse_attention.py IN.onnx OUT.onnx

IN.onnx is a BertModel exported by torch.onnx.export (TorchScript exporter, transformers' sdpa
attention), as onnx/model.onnx of all-MiniLM-L6-v2 in the transformers.js layout: node names
`/<prefix>/encoder/layer.<i>/attention/self/{query,key,value}/{MatMul,Add}` for the projections
and `.../attention/self/Reshape_4` for the merged heads (the attention context, [batch, sequence,
hidden]). For every layer it writes one `com.microsoft.Attention` node (onnxruntime's contrib
operator, in its CPU execution provider and in onnxruntime-node) in place of the projections, the
head reshapes and transposes, the scaled dot product, the additive mask and the softmax:
  inputs   the layer input, the query/key/value weights concatenated ([hidden, 3 hidden]), the
           biases concatenated ([3 hidden]) and the attention mask as int32 [batch, sequence]
           (onnxruntime's "raw mask": 1 attends, 0 does not)
  output   the context that `Reshape_4` produced, so the rest of the layer is untouched
  scale    Attention's default 1/sqrt(head size), what the export applies (sqrt of it to the query
           and to the key); checked below, as is everything else, by the embeddings it gives.
The mask construction that becomes unused (sdpa's boolean mask, its `Where`/`IsNaN` guards) and
the position-id arithmetic left without consumers are removed. The heads are counted from the
export's own reshape (`[-1, <head size>]` constants) and the hidden size from the weights.

Why: at query length (10 to 30 word pieces) the forward pass of a 6-layer MiniLM is dominated by
per-node overhead of the ~350 small shape and layout nodes, not by arithmetic; one fused node per
layer removes most of them. Quantised with onnxruntime's `quantize_dynamic` (op type `Attention`),
the node becomes `QAttention` (int8 projections with per-column weight scales).

onnxruntime's own transformer optimizer (onnxruntime.transformers.optimizer, `FusionAttention`)
does not match this export's attention: the sdpa mask (`Where` of a boolean mask, `IsNaN` after
the softmax) is not one of its patterns, hence this rewrite.

The caller checks the result (scripts/quantize_minilm.py compares its embeddings with IN.onnx's);
this script checks that the graph is valid ONNX and that every layer was found.
Exit status: 0 on success, 1 on failure (message starting "fuse_attention: ERROR:").
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

MS_DOMAIN = "com.microsoft"


class FuseError(Exception):
    """The graph is not the export this rewrite knows."""


def _initializer(inits: dict, node, what: str):
    from onnx import numpy_helper

    names = [t for t in node.input if t in inits]
    if len(names) != 1:
        raise FuseError(f"{node.name}: expected one constant {what}, found {len(names)}")
    return numpy_helper.to_array(inits[names[0]])


def _head_size(nodes: dict, prefix: str, consts: dict) -> int:
    """The head size from the export's query reshape: Concat(batch, sequence, -1, head size)."""
    concat = nodes.get(prefix + "Concat")
    if concat is None or len(concat.input) != 4 or concat.input[3] not in consts:
        raise FuseError(f"no head-size constant in {prefix}Concat")
    return int(consts[concat.input[3]].reshape(-1)[0])


def fuse(src: Path, dst: Path) -> int:
    """Writes dst, the fused graph of src; returns the number of attention blocks fused."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(src))
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    by_name = {n.name: n for n in graph.node}
    consts = {
        n.output[0]: numpy_helper.to_array(n.attribute[0].t)
        for n in graph.node
        if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value"
    }
    layers = sorted(
        {
            (m.group(1), int(m.group(2)))
            for n in graph.node
            if (m := re.match(r"^(.*)/encoder/layer\.(\d+)/attention/self/", n.name))
        },
        key=lambda p: p[1],
    )
    if not layers:
        raise FuseError(f"{src} has no /encoder/layer.<i>/attention/self/ nodes: not a BERT export")
    if "attention_mask" not in {i.name for i in graph.input}:
        raise FuseError(f"{src} has no attention_mask input")
    mask = "attention_mask_int32"
    fused = [helper.make_node("Cast", ["attention_mask"], [mask], to=TensorProto.INT32, name=mask)]
    for root, i in layers:
        prefix = f"{root}/encoder/layer.{i}/attention/self/"
        layer_input, weights, biases = None, [], []
        for part in ("query", "key", "value"):
            matmul, add = by_name.get(f"{prefix}{part}/MatMul"), by_name.get(f"{prefix}{part}/Add")
            if matmul is None or add is None:
                raise FuseError(f"layer {i}: no {part} projection (MatMul + Add)")
            if layer_input is None:
                layer_input = matmul.input[0]
            if matmul.input[0] != layer_input:
                raise FuseError(f"layer {i}: query, key and value read different inputs")
            weights.append(_initializer(inits, matmul, f"{part} weight"))
            biases.append(_initializer(inits, add, f"{part} bias"))
        context = by_name.get(prefix + "Reshape_4")
        if context is None:
            raise FuseError(f"layer {i}: no merged-heads Reshape_4")
        weight = np.concatenate(weights, axis=1).astype(np.float32)
        bias = np.concatenate(biases).astype(np.float32)
        hidden = weight.shape[0]
        head = _head_size(by_name, prefix, consts)
        if weight.shape != (hidden, 3 * hidden) or hidden % head:
            raise FuseError(f"layer {i}: weights {weight.shape} do not split into heads of {head}")
        w_name, b_name = f"{prefix}qkv/weight", f"{prefix}qkv/bias"
        graph.initializer.extend([numpy_helper.from_array(weight, w_name), numpy_helper.from_array(bias, b_name)])
        out = context.output[0]
        # its type, for shape inference (onnx knows no contrib operator) and for quantize_dynamic
        graph.value_info.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, ["batch", "sequence", hidden]))
        fused.append(
            helper.make_node(
                "Attention",
                [layer_input, w_name, b_name, mask],
                [out],
                name=f"{prefix}Attention",
                domain=MS_DOMAIN,
                num_heads=hidden // head,
            )
        )

    replaced = {o for n in fused for o in n.output}
    nodes = [n for n in graph.node if not set(n.output) & replaced] + fused
    producer = {o: n for n in nodes for o in n.output}
    live, stack = set(), [o.name for o in graph.output]
    while stack:
        node = producer.get(stack.pop())
        if node is not None and id(node) not in live:
            live.add(id(node))
            stack.extend(node.input)
    # topological order of the live nodes
    ready = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
    ordered, pending = [], [n for n in nodes if id(n) in live]
    while pending:
        rest = [n for n in pending if not all(t in ready for t in n.input)]
        if len(rest) == len(pending):
            raise FuseError("the fused graph has a cycle")
        for n in pending:
            if n not in rest:
                ordered.append(n)
                ready.update(n.output)
        pending = rest
    del graph.node[:]
    graph.node.extend(ordered)
    used = {t for n in ordered for t in n.input}
    kept = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    kept_info = [v for v in graph.value_info if v.name in used]
    del graph.value_info[:]
    graph.value_info.extend(kept_info)
    if not any(o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    onnx.checker.check_model(model)
    tmp = dst.with_name(f".{dst.name}.tmp")
    onnx.save(model, str(tmp))
    tmp.replace(dst)
    return len(layers)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 1
    try:
        n = fuse(Path(sys.argv[1]), Path(sys.argv[2]))
    except FuseError as e:
        print(f"fuse_attention: ERROR: {e}", file=sys.stderr)
        return 1
    print(f"fuse_attention: {n} attention blocks fused into {sys.argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
