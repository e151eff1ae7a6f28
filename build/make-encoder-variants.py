#!/usr/bin/env python3
"""Writes BERT-family encoder variants built from arctic_embed_xs's own weights, in other export styles.

Issue 19 checks the prune -> distill -> DynamicInt8 declaration "on another encoder of the family"
(all-MiniLM-L6-v2, bge-small, e5-small, gte-small: 384 hidden, 12 heads, FFN 1536), whose exports
differ from arctic's in how they spell the same math. Each variant below takes the first N of
arctic's layers (so it embeds real sentences well) and writes them in one combination of styles:

  opset      11..17
  layernorm  "decomposed" (ReduceMean/Sub/Pow/Sqrt/Div, PyTorch < 2 exports) or "op" (LayerNormalization, opset 17)
  gelu       "erf" (x*0.5*(1+erf(x/sqrt2))) or "tanh" (the tanh approximation; not arctic's math)
  scale      "div" (scores / sqrt d), "mul" (scores * 1/sqrt d) or "qk" (Q and K^T each * d^-1/4, the SDPA export)
  mask       "sub_mul" ((1 - mask) * min) or "where" (Where(bool(1 - Expand(mask)), min, 0), transformers >= 4.36)
  reshape    "concat" (Concat of Shape -> Gather -> Unsqueeze and constants) or "const" ([0, 0, 12, 32] initializers)
  inputs     3 (with token_type_ids) or 2 (token type 0 folded into a constant row); int64 or int32
  extra      None, "pooler_output" (tanh(dense(CLS))) or "sentence_embedding" (mask mean-pooled, L2-normalized)

Only python3 + onnx + numpy (Debian's python3-onnx); each model passes onnx.checker with shape
inference. The tests run them in ONNX Runtime ("bert6" keeps arctic's math and must match its
embeddings to ~1e-5).

usage: make-encoder-variants.py ARCTIC_ONNX OUTPUT_FOLDER [NAME ...]   (all variants when no NAME)
"""
import os
import re
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HIDDEN, HEADS, HEAD_SIZE, FFN = 384, 12, 32, 1536
FLOAT_MIN = np.float32(np.finfo(np.float32).min)

# One row per variant: the export styles above. Layer counts: 6 keeps arctic's depth, 4 is a smaller family member.
VARIANTS = {
    # arctic's math in another spelling: opset 14, constant shapes, Mul scale, Where mask, int32 ids, an extra sentence_embedding.
    "bert6": dict(layers=6, opset=14, layernorm="decomposed", gelu="erf", scale="mul", mask="where", reshape="const",
                  inputs=3, int32=True, extra="sentence_embedding"),
    # an all-MiniLM-style torch 2 export: 4 layers, 2 inputs, opset 17 LayerNormalization, SDPA scaling, pooler_output.
    "sdpa4": dict(layers=4, opset=17, layernorm="op", gelu="erf", scale="qk", mask="where", reshape="const",
                  inputs=2, int32=False, extra="pooler_output"),
    # a bge/e5-style opset 11 export with the tanh Gelu and a Mul scale, shapes as Concat of Shape.
    "tanh6": dict(layers=6, opset=11, layernorm="decomposed", gelu="tanh", scale="mul", mask="sub_mul", reshape="concat",
                  inputs=3, int32=False, extra=None),
}


class Builder:
    """Collects nodes and initializers; names values after the module path, as exports do."""

    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def scalar(self, value, dtype=np.float32):
        self.count += 1
        return self.const(f"const_{self.count}", np.array(value, dtype=dtype))

    def op(self, op_type, inputs, name, domain="", **attrs):
        out = f"{name}_output_0"
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=name, domain=domain, **attrs))
        return out


def node_path(module):
    """encoder.layer.0.attention.self.query -> /encoder/layer.0/attention/self/query, as PyTorch names nodes."""
    return "/" + re.sub(r"layer/(\d+)", r"layer.\1", module.replace(".", "/"))


class ArcticWeights:
    """arctic's initializers by module path; its MatMul weights are found through the MatMul node names."""

    def __init__(self, path):
        model = onnx.load(path)
        self.named = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
        for node in model.graph.node:
            if node.op_type == "MatMul" and node.input[1] in self.named:
                # /encoder/layer.0/attention/self/query/MatMul -> encoder.layer.0.attention.self.query.weight
                self.named[node.name.strip("/").replace("/MatMul", "").replace("/", ".") + ".weight"] = self.named[node.input[1]]

    def __getitem__(self, name):
        return self.named[name]


def layer_norm(b, x, prefix, w, style):
    scale, bias = b.const(prefix + ".weight", w[prefix + ".weight"]), b.const(prefix + ".bias", w[prefix + ".bias"])
    name = node_path(prefix)
    if style == "op":
        return b.op("LayerNormalization", [x, scale, bias], name + "/LayerNormalization", axis=-1, epsilon=1e-12)
    mean = b.op("ReduceMean", [x], name + "/ReduceMean", axes=[-1])
    centred = b.op("Sub", [x, mean], name + "/Sub")
    square = b.op("Pow", [centred, b.scalar(2.0)], name + "/Pow")
    variance = b.op("ReduceMean", [square], name + "/ReduceMean_1", axes=[-1])
    deviation = b.op("Sqrt", [b.op("Add", [variance, b.scalar(1e-12)], name + "/Add")], name + "/Sqrt")
    normed = b.op("Div", [centred, deviation], name + "/Div")
    return b.op("Add", [b.op("Mul", [normed, scale], name + "/Mul"), bias], name + "/Add_1")


def linear(b, x, prefix, w):
    name = node_path(prefix)
    weight, bias = b.const(prefix + ".weight", w[prefix + ".weight"]), b.const(prefix + ".bias", w[prefix + ".bias"])
    return b.op("Add", [bias, b.op("MatMul", [x, weight], name + "/MatMul")], name + "/Add")


def gelu(b, x, name, style):
    if style == "erf":
        erf = b.op("Erf", [b.op("Div", [x, b.scalar(1.4142135)], name + "/Div")], name + "/Erf")
        return b.op("Mul", [b.op("Mul", [x, b.op("Add", [erf, b.scalar(1.0)], name + "/Add")], name + "/Mul"), b.scalar(0.5)], name + "/Mul_1")
    cube = b.op("Pow", [x, b.scalar(3.0)], name + "/Pow")
    inner = b.op("Add", [x, b.op("Mul", [cube, b.scalar(0.044715)], name + "/Mul")], name + "/Add")
    tanh = b.op("Tanh", [b.op("Mul", [inner, b.scalar(np.sqrt(2.0 / np.pi))], name + "/Mul_1")], name + "/Tanh")
    half = b.op("Mul", [x, b.scalar(0.5)], name + "/Mul_2")
    return b.op("Mul", [half, b.op("Add", [tanh, b.scalar(1.0)], name + "/Add_1")], name + "/Mul_3")


def length(b, x, axis, name, opset):
    """Shape -> Gather(axis) -> Unsqueeze: one run-time length, as PyTorch exports x.size(axis)."""
    gathered = b.op("Gather", [b.op("Shape", [x], name + "/Shape"), b.scalar(axis, np.int64)], name + "/Gather", axis=0)
    return unsqueeze(b, gathered, [0], name + "/Unsqueeze", opset)


def unsqueeze(b, x, axes, name, opset):
    if opset >= 13:  # axes became an input in opset 13
        return b.op("Unsqueeze", [x, b.scalar(axes, np.int64)], name)
    return b.op("Unsqueeze", [x], name, axes=axes)


def target_shape(b, x, tail, name, style, opset):
    """[batch, sequence] + tail: constant zeros (copy the dimension) or a Concat of run-time lengths."""
    if style == "const":
        return b.scalar([0, 0] + tail, np.int64)
    pieces = [length(b, x, axis, f"{name}/{axis}", opset) for axis in (0, 1)]
    return b.op("Concat", pieces + [b.scalar([t], np.int64) for t in tail], name + "/Concat", axis=0)


def attention(b, x, mask, i, w, v):
    prefix = f"encoder.layer.{i}.attention"
    name = f"/encoder/layer.{i}/attention/self"
    split = lambda p: b.op("Reshape", [p, target_shape(b, p, [HEADS, HEAD_SIZE], f"{name}/{p.split('/')[-2]}_split", v["reshape"], v["opset"])],
                           f"{name}/{p.split('/')[-2]}/Reshape")
    q, k, val = (linear(b, x, f"{prefix}.self.{p}", w) for p in ("query", "key", "value"))
    heads = lambda t, n: b.op("Transpose", [t], f"{name}/{n}/Transpose", perm=[0, 2, 1, 3])
    query, value = heads(split(q), "query"), heads(split(val), "value")
    if v["scale"] == "qk":
        # SDPA: Q and K^T each scaled by d^-1/4 before the MatMul (K goes [b,s,H,d] -> [b,H,s,d] -> [b,H,d,s]).
        quarter = np.float32(HEAD_SIZE ** -0.25)
        key_t = b.op("Transpose", [heads(split(k), "key")], f"{name}/key/Transpose_1", perm=[0, 1, 3, 2])
        scores = b.op("MatMul", [b.op("Mul", [query, b.scalar(quarter)], f"{name}/Mul"), b.op("Mul", [key_t, b.scalar(quarter)], f"{name}/Mul_1")], f"{name}/MatMul")
    else:
        key_t = b.op("Transpose", [split(k)], f"{name}/key/Transpose", perm=[0, 2, 3, 1])
        scores = b.op("MatMul", [query, key_t], f"{name}/MatMul")
        scores = (b.op("Div", [scores, b.scalar(np.sqrt(HEAD_SIZE))], f"{name}/Div") if v["scale"] == "div"
                  else b.op("Mul", [scores, b.scalar(np.float32(1 / np.sqrt(HEAD_SIZE)))], f"{name}/Mul_2"))
    probabilities = b.op("Softmax", [b.op("Add", [scores, mask], f"{name}/Add")], f"{name}/Softmax", axis=-1)
    context = b.op("Transpose", [b.op("MatMul", [probabilities, value], f"{name}/MatMul_1")], f"{name}/Transpose_2", perm=[0, 2, 1, 3])
    merged = b.op("Reshape", [context, target_shape(b, context, [HIDDEN], f"{name}/merge", v["reshape"], v["opset"])], f"{name}/Reshape_3")
    out = linear(b, merged, f"{prefix}.output.dense", w)
    return layer_norm(b, b.op("Add", [out, x], f"/encoder/layer.{i}/attention/output/Add"), f"{prefix}.output.LayerNorm", w, v["layernorm"])


def feed_forward(b, x, i, w, v):
    up = linear(b, x, f"encoder.layer.{i}.intermediate.dense", w)
    down = linear(b, gelu(b, up, f"/encoder/layer.{i}/intermediate/intermediate_act_fn", v["gelu"]), f"encoder.layer.{i}.output.dense", w)
    return layer_norm(b, b.op("Add", [down, x], f"/encoder/layer.{i}/output/Add"), f"encoder.layer.{i}.output.LayerNorm", w, v["layernorm"])


def extended_mask(b, mask, ids, v):
    """The additive [b, 1, 1|s, s] mask: 0 where attended, the float minimum on padding."""
    opset = v["opset"]
    expanded = unsqueeze(b, unsqueeze(b, mask, [1], "/Unsqueeze", opset), [2], "/Unsqueeze_1", opset)
    if v["mask"] == "sub_mul":
        inverted = b.op("Sub", [b.scalar(1.0), b.op("Cast", [expanded], "/Cast", to=TensorProto.FLOAT)], "/Sub")
        return b.op("Mul", [inverted, b.scalar(FLOAT_MIN)], "/Mul")
    batch, sequence = length(b, ids, 0, "/mask/batch", opset), length(b, ids, 1, "/mask/sequence", opset)
    shape = b.op("Concat", [batch, b.scalar([1], np.int64), sequence, sequence], "/mask/Concat", axis=0)
    widened = b.op("Cast", [b.op("Expand", [expanded, shape], "/Expand")], "/Cast", to=TensorProto.FLOAT)
    inverted = b.op("Sub", [b.scalar(1.0), widened], "/Sub")
    return b.op("Where", [b.op("Cast", [inverted], "/Cast_1", to=TensorProto.BOOL), b.scalar(FLOAT_MIN), inverted], "/Where")


def embeddings(b, ids, types, w, v):
    words = b.op("Gather", [b.const("embeddings.word_embeddings.weight", w["embeddings.word_embeddings.weight"]), ids], "/embeddings/word_embeddings/Gather")
    if types is None:
        kinds = b.const("embeddings.token_type_embeddings.row0", w["embeddings.token_type_embeddings.weight"][0])
    else:
        kinds = b.op("Gather", [b.const("embeddings.token_type_embeddings.weight", w["embeddings.token_type_embeddings.weight"]), types], "/embeddings/token_type_embeddings/Gather")
    # position ids 0..s-1: a Slice of the constant [1, 512] table by the sequence length, as BERT exports do.
    positions = b.const("embeddings.position_ids", np.arange(512, dtype=np.int64)[None, :])
    sequence = length(b, ids, 1, "/embeddings/sequence", v["opset"])
    sliced = b.op("Slice", [positions, b.scalar([0], np.int64), sequence, b.scalar([1], np.int64)], "/embeddings/Slice")
    place = b.op("Gather", [b.const("embeddings.position_embeddings.weight", w["embeddings.position_embeddings.weight"]), sliced], "/embeddings/position_embeddings/Gather")
    summed = b.op("Add", [b.op("Add", [words, kinds], "/embeddings/Add"), place], "/embeddings/Add_1")
    return layer_norm(b, summed, "embeddings.LayerNorm", w, v["layernorm"])


def extra_output(b, state, mask, v, rng):
    if v["extra"] == "pooler_output":
        # BERT's pooler: tanh(dense(first token)). arctic has none; a small seeded dense layer stands in.
        first = b.op("Gather", [state, b.scalar(0, np.int64)], "/pooler/Gather", axis=1)
        dense = b.op("Gemm", [first, b.const("pooler.dense.weight", (rng.standard_normal((HIDDEN, HIDDEN)) * 0.05).astype(np.float32)),
                              b.const("pooler.dense.bias", np.zeros(HIDDEN, np.float32))], "/pooler/dense/Gemm")
        return b.op("Tanh", [dense], "/pooler/activation/Tanh")
    # sentence-transformers: mean over the attention mask, then L2 normalization.
    weights = unsqueeze(b, b.op("Cast", [mask], "/pooling/Cast", to=TensorProto.FLOAT), [2], "/pooling/Unsqueeze", v["opset"])
    summed = b.op("ReduceSum", [b.op("Mul", [state, weights], "/pooling/Mul")], "/pooling/ReduceSum", axes=[1], keepdims=0) if v["opset"] < 13 else \
        b.op("ReduceSum", [b.op("Mul", [state, weights], "/pooling/Mul"), b.scalar([1], np.int64)], "/pooling/ReduceSum", keepdims=0)
    count = b.op("Clip", [b.op("ReduceSum", [weights, b.scalar([1], np.int64)], "/pooling/ReduceSum_1", keepdims=0), b.scalar(1e-9)], "/pooling/Clip") if v["opset"] >= 13 else \
        b.op("Clip", [b.op("ReduceSum", [weights], "/pooling/ReduceSum_1", axes=[1], keepdims=0), b.scalar(1e-9)], "/pooling/Clip")
    mean = b.op("Div", [summed, count], "/pooling/Div")
    norm = b.op("Sqrt", [b.op("ReduceSum", [b.op("Mul", [mean, mean], "/normalize/Mul")] + ([b.scalar([1], np.int64)] if v["opset"] >= 13 else []),
                              "/normalize/ReduceSum", keepdims=1, **({} if v["opset"] >= 13 else {"axes": [1]}))], "/normalize/Sqrt")
    return b.op("Div", [mean, norm], "/normalize/Div")


def build(name, v, w):
    b = Builder()
    id_type = TensorProto.INT32 if v["int32"] else TensorProto.INT64
    dims = ["batch_size", "sequence_length"]
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if v["inputs"] == 3 else [])
    inputs = [helper.make_tensor_value_info(n, id_type, dims) for n in names]
    state = embeddings(b, "input_ids", "token_type_ids" if v["inputs"] == 3 else None, w, v)
    mask = extended_mask(b, "attention_mask", "input_ids", v)
    for i in range(v["layers"]):
        state = feed_forward(b, attention(b, state, mask, i, w, v), i, w, v)
    state = b.op("Identity", [state], "/last_hidden_state")
    b.nodes[-1].output[0] = "last_hidden_state"
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [HIDDEN])]
    if v["extra"]:
        extra = extra_output(b, "last_hidden_state", "attention_mask", v, np.random.default_rng(19))
        b.nodes[-1].output[0] = v["extra"]
        outputs.append(helper.make_tensor_value_info(v["extra"], TensorProto.FLOAT, ["batch_size", HIDDEN]))
    graph = helper.make_graph(b.nodes, name, inputs, outputs, b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", v["opset"])], producer_name="make-encoder-variants")
    model.ir_version = 8 if v["opset"] >= 15 else 7
    onnx.checker.check_model(model, full_check=True)
    return model


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    source, folder, wanted = argv[1], argv[2], argv[3:] or list(VARIANTS)
    weights = ArcticWeights(source)
    os.makedirs(folder, exist_ok=True)
    for name in wanted:
        model = build(name, VARIANTS[name], weights)
        path = os.path.join(folder, f"{name}.onnx")
        onnx.save(model, path)
        print(f"{path}: {VARIANTS[name]}")


if __name__ == "__main__":
    main(sys.argv)
