#!/usr/bin/env python3
"""Writes long-chain ONNX models (hand-encoded protobuf, no onnx package needed).

usage: make_chain.py KIND N OUT.onnx
  mixed    N nodes of Relu/Add/Mul/Identity/Cast/Neg over x[1,16] (Add/Mul read a shared constant)
  fold     N constant Adds (c_i = c_{i-1} + one) feeding one Add with the input
  identity N Identity nodes in a row
  dead     N/2 live Relu nodes plus N/2 dead Neg nodes hanging off them
"""
import struct, sys

def varint(v):
    out = bytearray()
    v &= (1 << 64) - 1
    while True:
        b = v & 0x7F; v >>= 7
        if v: out.append(b | 0x80)
        else: out.append(b); return bytes(out)

def key(field, wt): return varint((field << 3) | wt)
def ln(field, payload): return key(field, 2) + varint(len(payload)) + payload
def s(field, text): return ln(field, text.encode())
def i(field, v): return key(field, 0) + varint(v)

def value_info(name, dims):
    shape = b"".join(ln(1, i(1, d)) for d in dims)
    tensor = i(1, 1) + ln(2, shape)
    return s(1, name) + ln(2, ln(1, tensor))

def tensor(name, dims, values):
    raw = struct.pack("<%df" % len(values), *values)
    return b"".join(i(1, d) for d in dims) + i(2, 1) + s(8, name) + ln(9, raw)

def node(op, inputs, outputs, name, attrs=b""):
    return b"".join(s(1, x) for x in inputs) + b"".join(s(2, x) for x in outputs) + s(3, name) + s(4, op) + attrs

def attr_int(name, v): return ln(5, s(1, name) + i(3, v) + i(20, 2))

def build(kind, n):
    W = 16
    nodes, inits = [], [tensor("k", [1, W], [0.5] * W), tensor("one", [1, W], [1.0] * W)]
    prev = "x"
    if kind == "mixed":
        ops = ["Relu", "Add", "Mul", "Identity", "Cast", "Neg"]
        for j in range(n):
            op = ops[j % len(ops)]
            out = "v%d" % j if j < n - 1 else "y"
            ins = [prev, "k"] if op in ("Add", "Mul") else [prev]
            attrs = attr_int("to", 1) if op == "Cast" else b""
            nodes.append(node(op, ins, [out], "n%d" % j, attrs)); prev = out
    elif kind == "fold":
        c = "one"
        for j in range(n - 1):
            nodes.append(node("Add", [c, "one"], ["c%d" % j], "c%d" % j)); c = "c%d" % j
        nodes.append(node("Add", ["x", c], ["y"], "last"))
    elif kind == "identity":
        for j in range(n):
            out = "v%d" % j if j < n - 1 else "y"
            nodes.append(node("Identity", [prev], [out], "n%d" % j)); prev = out
    elif kind == "dead":
        half = n // 2
        for j in range(half):
            out = "v%d" % j if j < half - 1 else "y"
            nodes.append(node("Relu", [prev], [out], "n%d" % j))
            nodes.append(node("Neg", [prev], ["d%d" % j], "d%d" % j)); prev = out
    else:
        raise SystemExit("unknown kind " + kind)
    graph = b"".join(ln(1, x) for x in nodes) + s(2, "chain") + b"".join(ln(5, t) for t in inits)
    graph += ln(11, value_info("x", [1, W])) + ln(12, value_info("y", [1, W]))
    return i(1, 8) + s(2, "make_chain") + ln(7, graph) + ln(8, i(2, 17))

if __name__ == "__main__":
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(out, "wb") as f: f.write(build(kind, n))
