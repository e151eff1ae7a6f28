#!/usr/bin/python3
"""Writes the large models of issue 18 (fp32, weights as external data with page-aligned offsets).

  make-large-models.py <folder>            both models
  make-large-models.py <folder> --small    the same shapes scaled down 64x per side (a quick stand-in)

(a) large_three.onnx (+ large_three.onnx.data): x[batch, 16384] -> three MatMuls by 1 GiB weights [16384, 16384].
(b) large_single.onnx (+ large_single.onnx.data): x[batch, 40960] -> one MatMul by a 2.5 GiB weight [40960, 16384].

Weights are N(0, 1/rows) so activations stay near unit scale; written a block of rows at a time
(memory stays a few MB) from a fixed seed, so the files are the same on every run.
Needs /usr/bin/python3 with onnx and numpy.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

ALIGN = 4096
BLOCK_ROWS = 256


def write_weight(data, rng, rows, cols):
    """Appends one [rows, cols] float32 weight at the next aligned offset; returns (offset, length)."""
    offset = (data.tell() + ALIGN - 1) // ALIGN * ALIGN
    data.write(b"\0" * (offset - data.tell()))
    scale = np.float32(1.0 / np.sqrt(rows))
    for start in range(0, rows, BLOCK_ROWS):
        block = rng.standard_normal((min(BLOCK_ROWS, rows - start), cols), dtype=np.float32) * scale
        data.write(block.astype("<f4").tobytes())
    return offset, rows * cols * 4


def external_tensor(name, dims, location, offset, length):
    tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=dims)
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return tensor


def write_model(folder, name, shapes):
    """A chain x -> MatMul(W0) -> MatMul(W1) ..., one weight per (rows, cols) in shapes."""
    path = os.path.join(folder, name + ".onnx")
    location = name + ".onnx.data"
    rng = np.random.default_rng(18)
    initializers, nodes = [], []
    value = "x"
    with open(os.path.join(folder, location), "wb") as data:
        for i, (rows, cols) in enumerate(shapes):
            offset, length = write_weight(data, rng, rows, cols)
            initializers.append(external_tensor(f"W{i}", [rows, cols], location, offset, length))
            output = "y" if i == len(shapes) - 1 else f"h{i}"
            nodes.append(helper.make_node("MatMul", [value, f"W{i}"], [output], name=f"matmul{i}"))
            value = output
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", shapes[0][0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", shapes[-1][1]])],
        initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make-large-models")
    model.ir_version = 8
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    print(f"{path}: {sum(r * c * 4 for r, c in shapes) / 2**30:.2f} GiB of weights in {location}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    side = 64 if "--small" in sys.argv[2:] else 1
    os.makedirs(folder, exist_ok=True)
    write_model(folder, "large_three", [(16384 // side, 16384 // side)] * 3)
    write_model(folder, "large_single", [(40960 // side, 16384 // side)])


if __name__ == "__main__":
    main()
