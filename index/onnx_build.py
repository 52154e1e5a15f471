"""The packaged BERT encoder as an ONNX graph, written from its safetensors weights without torch.

``index.onnx_embed`` exports with this first: on a machine that has never exported, the first
`waymark index` then needs neither torch nor sentence-transformers (about 1 s instead of the
seconds torch takes to import and trace). The graph is the standard BERT encoder of the model's
``config.json``: word + position + token-type embeddings, LayerNorm, and per layer multi-head
self-attention with the additive padding mask, GELU (erf) feed-forward and post-LayerNorms; the
output is ``last_hidden_state`` (pooling and normalization happen in numpy, as for the traced export).

``reference_vector`` computes a sentence's embedding independently, in float64 numpy from the same
weights, so each export is checked against a second implementation before it is used. The tests
check both against sentence-transformers (1e-6). Anything unexpected (another architecture, a
missing weight, a mismatch) raises ``UnsupportedModelError`` and the caller traces with torch instead.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "last_hidden_state"
LOGITS = "logits"  # the output with ``head="classifier"``: a sequence-classification model's score
_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32}


class UnsupportedModelError(RuntimeError):
    """The packaged model is not the plain BERT encoder this builder writes."""


def bert_config(source: Path) -> dict:
    cfg = json.loads((source / "config.json").read_text())
    plain = (
        cfg.get("model_type") == "bert"
        and cfg.get("hidden_act") == "gelu"
        and cfg.get("position_embedding_type", "absolute") == "absolute"
        and cfg["hidden_size"] % cfg["num_attention_heads"] == 0
    )
    if not plain:
        raise UnsupportedModelError(f"{source}/config.json is not a plain BERT encoder")
    return cfg


def load_weights(source: Path) -> dict[str, np.ndarray]:
    """``model.safetensors`` read directly (8-byte header size, JSON header, raw little-endian data)."""
    path = source / "model.safetensors"
    data = path.read_bytes()
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + size])
    body = memoryview(data)[8 + size :]
    weights = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _DTYPES:
            raise UnsupportedModelError(f"{path}: tensor {name} has dtype {info['dtype']}")
        start, end = info["data_offsets"]
        array = np.frombuffer(body[start:end], dtype=np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<"))
        weights[name.removeprefix("bert.")] = array.reshape(info["shape"]).astype(
            array.dtype.newbyteorder("=")
        )
    return weights


def build_graph(
    source: Path,
    out: Path,
    opset: int,
    weights: dict[str, np.ndarray] | None = None,
    head: str = "encoder",
) -> None:
    """Write the encoder of the model in ``source`` to ``out`` (inputs and output as the traced export).

    ``head="classifier"`` writes a ``BertForSequenceClassification`` instead (a cross-encoder): the
    first token through the pooler (dense, tanh) and the classifier, output ``logits`` (batch, labels).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    cfg = bert_config(source)
    w = load_weights(source) if weights is None else weights
    hidden, heads, eps = (
        cfg["hidden_size"],
        cfg["num_attention_heads"],
        float(cfg.get("layer_norm_eps", 1e-12)),
    )
    head_size = hidden // heads
    initializers: list = []
    nodes: list = []

    def const(name: str, value) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def weight(name: str, transpose: bool = False) -> str:
        try:
            value = w[name]
        except KeyError:
            raise UnsupportedModelError(f"{source}/model.safetensors has no {name}") from None
        return const(name, np.ascontiguousarray(value.T if transpose else value, dtype=np.float32))

    def op(kind: str, inputs: list[str], **attrs) -> str:
        out_name = f"{kind}_{len(nodes)}"
        nodes.append(helper.make_node(kind, inputs, [out_name], name=out_name, **attrs))
        return out_name

    def linear(x: str, prefix: str) -> str:
        return op(
            "Add", [op("MatMul", [x, weight(f"{prefix}.weight", transpose=True)]), weight(f"{prefix}.bias")]
        )

    def layer_norm(x: str, prefix: str) -> str:
        return op(
            "LayerNormalization",
            [x, weight(f"{prefix}.weight"), weight(f"{prefix}.bias")],
            axis=-1,
            epsilon=eps,
        )

    one, half, sqrt2 = (
        const("one", np.float32(1)),
        const("half", np.float32(0.5)),
        const("sqrt2", np.float32(2**0.5)),
    )
    length = op("Gather", [op("Shape", ["input_ids"]), const("axis1", np.int64(1))], axis=0)
    positions = op("Range", [const("start", np.int64(0)), length, const("step", np.int64(1))])
    embedded = op(
        "Add",
        [
            op("Add", [op("Gather", [weight("embeddings.word_embeddings.weight"), "input_ids"]),
                       op("Gather", [weight("embeddings.token_type_embeddings.weight"), "token_type_ids"])]),
            op("Gather", [weight("embeddings.position_embeddings.weight"), positions]),
        ],
    )  # fmt: skip
    h = layer_norm(embedded, "embeddings.LayerNorm")
    # Padding gets float32's lowest value added to its attention scores, as in transformers.
    padding = op("Sub", [one, op("Cast", ["attention_mask"], to=TensorProto.FLOAT)])
    lowest = const("lowest", np.float32(np.finfo(np.float32).min))
    mask = op("Mul", [op("Unsqueeze", [padding, const("axes12", np.array([1, 2], np.int64))]), lowest])
    split = const("split", np.array([0, 0, heads, head_size], np.int64))
    merge = const("merge", np.array([0, 0, hidden], np.int64))
    scale = const("scale", np.float32(1 / math.sqrt(head_size)))
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}"

        def by_head(x: str, perm: list[int]) -> str:
            return op("Transpose", [op("Reshape", [x, split])], perm=perm)

        q = by_head(linear(h, f"{p}.attention.self.query"), [0, 2, 1, 3])
        k = by_head(linear(h, f"{p}.attention.self.key"), [0, 2, 3, 1])
        v = by_head(linear(h, f"{p}.attention.self.value"), [0, 2, 1, 3])
        scores = op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), mask])
        context = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        context = op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), merge])
        attended = op("Add", [linear(context, f"{p}.attention.output.dense"), h])
        h1 = layer_norm(attended, f"{p}.attention.output.LayerNorm")
        x = linear(h1, f"{p}.intermediate.dense")
        gelu = op("Mul", [op("Mul", [x, half]), op("Add", [one, op("Erf", [op("Div", [x, sqrt2])])])])
        h = layer_norm(op("Add", [linear(gelu, f"{p}.output.dense"), h1]), f"{p}.output.LayerNorm")
    if head == "classifier":
        first = op("Gather", [h, const("first", np.int64(0))], axis=1)
        pooled = op("Tanh", [linear(first, "pooler.dense")])
        nodes.append(helper.make_node("Identity", [linear(pooled, "classifier")], [LOGITS], name=LOGITS))
        labels = int(w["classifier.bias"].shape[0]) if "classifier.bias" in w else 1
        output = helper.make_tensor_value_info(LOGITS, TensorProto.FLOAT, ["batch", labels])
    else:
        nodes.append(helper.make_node("Identity", [h], [OUTPUT], name=OUTPUT))
        output = helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", "sequence", hidden])
    graph = helper.make_graph(
        nodes,
        "bert_encoder",
        [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"]) for name in INPUTS],
        [output],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="waymark")
    onnx.save(model, str(out))  # onnxruntime validates it on loading


def reference_vector(
    source: Path, ids: list[int], type_ids: list[int], weights: dict[str, np.ndarray] | None = None
) -> list[float]:
    """The normalized mean-pooled embedding of one unpadded token sequence, in float64 numpy."""
    cfg = bert_config(source)
    w = {k: v.astype(np.float64) for k, v in (weights or load_weights(source)).items() if v.dtype.kind == "f"}
    heads, eps = cfg["num_attention_heads"], float(cfg.get("layer_norm_eps", 1e-12))
    erf = np.vectorize(math.erf)

    def layer_norm(x: np.ndarray, prefix: str) -> np.ndarray:
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + eps) * w[f"{prefix}.weight"] + w[f"{prefix}.bias"]

    def linear(x: np.ndarray, prefix: str) -> np.ndarray:
        return x @ w[f"{prefix}.weight"].T + w[f"{prefix}.bias"]

    n = len(ids)
    h = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.token_type_embeddings.weight"][type_ids]
        + w["embeddings.position_embeddings.weight"][:n]
    )
    h = layer_norm(h, "embeddings.LayerNorm")
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        q, k, v = (
            linear(h, f"{p}.attention.self.{name}").reshape(n, heads, -1).transpose(1, 0, 2)
            for name in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1])
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        context = (probs @ v).transpose(1, 0, 2).reshape(n, -1)
        h1 = layer_norm(linear(context, f"{p}.attention.output.dense") + h, f"{p}.attention.output.LayerNorm")
        x = linear(h1, f"{p}.intermediate.dense")
        h = layer_norm(
            linear(0.5 * x * (1 + erf(x / math.sqrt(2))), f"{p}.output.dense") + h1, f"{p}.output.LayerNorm"
        )
    pooled = h.mean(0)
    return [float(x) for x in pooled / np.linalg.norm(pooled)]
