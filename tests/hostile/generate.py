#!/usr/bin/python3
"""Writes the hostile corpus: tests/hostile/models/* and tests/hostile/cases.json.

Run with Debian's python3-onnx (and the numpy it depends on):  /usr/bin/python3 tests/hostile/generate.py
The output is deterministic: running it twice gives the same bytes (check with `git diff`).

Each case is one attack (or one benign control) run through the real CLI (`onnx-opt`) by
tests/Optimizer.Hostile.Tests. Files that git cannot hold (FIFOs, hard links, sparse files of
gigabytes, folders named like models) are described in the case's "setup" and made by the harness
at run time. Where `onnx` would refuse to build a case, the bytes are written by hand (see `pb`).
"""

import json
import os
import struct

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "models")
OPSET = 13
IR = 8

CASES = []
FILES = {}


# --------------------------------------------------------------------------- raw protobuf


class pb:
    """Hand-written protobuf bytes, for cases the onnx package would refuse to serialize."""

    @staticmethod
    def varint(n):
        n &= (1 << 64) - 1
        out = bytearray()
        while True:
            b = n & 0x7F
            n >>= 7
            if n:
                out.append(b | 0x80)
            else:
                out.append(b)
                return bytes(out)

    @staticmethod
    def key(field, wire):
        return pb.varint((field << 3) | wire)

    @staticmethod
    def vi(field, n):
        return pb.key(field, 0) + pb.varint(n)

    @staticmethod
    def ld(field, payload):
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        return pb.key(field, 2) + pb.varint(len(payload)) + payload


def opset_bytes(version=OPSET, domain=""):
    return pb.ld(8, (pb.ld(1, domain) if domain else b"") + pb.vi(2, version))


# --------------------------------------------------------------------------- case registry


def write(name, data):
    if name in FILES:
        raise SystemExit(f"file {name} written twice")
    FILES[name] = data


def model_bytes(model):
    return model.SerializeToString(deterministic=True)


def case(name, category, description, files, args, expect, setup=None, generated_code=False):
    """Registers a case. expect: "succeeds", or a list of acceptable OPT codes (exit 1)."""
    if any(c["name"] == name for c in CASES):
        raise SystemExit(f"case {name} twice")
    entry = {
        "name": name,
        "category": category,
        "description": description,
        "files": files,
        "setup": setup or [],
        "args": args,
    }
    if expect == "succeeds":
        entry["expect"] = {"outcome": "succeeds", "exitCode": 0}
    else:
        entry["expect"] = {"outcome": "fails", "exitCode": 1, "codes": sorted(expect)}
    if generated_code:
        entry["checkGeneratedCode"] = True
    CASES.append(entry)


def optimize(name, passes=(), model=None):
    args = ["optimize", model or f"{name}.onnx", "-o", f"out/{name}.onnx"]
    for p in passes:
        args += ["--pass", p]
    return args


def model_case(name, category, description, model, expect, passes=(), extra_files=(), setup=None, generated_code=False, raw=None):
    data = raw if raw is not None else model_bytes(model)
    write(f"{name}.onnx", data)
    case(name, category, description, [f"{name}.onnx", *extra_files], optimize(name, passes), expect, setup, generated_code)


# --------------------------------------------------------------------------- model builders


def make(nodes, inputs, outputs, initializers=(), opset=OPSET, ir=IR, domains=(), doc="", graph_doc="", metadata=None, producer="optimizer-hostile-corpus", value_info=()):
    graph = helper.make_graph(list(nodes), "g", list(inputs), list(outputs), list(initializers), value_info=list(value_info))
    if graph_doc:
        graph.doc_string = graph_doc
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    m = helper.make_model(graph, opset_imports=opsets, producer_name=producer)
    if doc:
        m.doc_string = doc
    m.ir_version = ir
    if metadata:
        for k, v in metadata:
            p = m.metadata_props.add()
            p.key = k
            p.value = v
    return m


def vi(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def init(name, values, dims, elem=TensorProto.FLOAT):
    return helper.make_tensor(name, elem, dims, values)


def gemm_model(x="x", y="y", batch="batch", node="fc", w="w", b="b", out_batch=None, **kw):
    """x[batch,4] → Gemm(w[4,3], b[3]) → y[batch,3]: small, runnable, compilable."""
    weights = [float((i * 7) % 5 - 2) / 4 for i in range(12)]
    return make(
        [helper.make_node("Gemm", [x, w, b], [y], name=node)],
        [vi(x, [batch, 4])],
        [vi(y, [out_batch or batch, 3])],
        [init(w, weights, [4, 3]), init(b, [0.5, -0.25, 0.0], [3])],
        **kw,
    )


def matmul_model():
    """x[n,4] → MatMul(w[4,8]) → Relu → y[n,8]: StaticInt8 quantizes the MatMul."""
    weights = [float((i * 5) % 9 - 4) / 8 for i in range(32)]
    return make(
        [helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"), helper.make_node("Relu", ["h"], ["y"], name="relu")],
        [vi("x", ["n", 4])],
        [vi("y", ["n", 8])],
        [init("w", weights, [4, 8])],
    )


def relu_model(shape=(1, 4)):
    return make([helper.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", list(shape))], [vi("y", list(shape))])


def external(tensor, location, offset=None, length=None):
    """Marks tensor as external data at location (offset/length as strings, even hostile ones)."""
    tensor.ClearField("raw_data")
    tensor.ClearField("float_data")
    tensor.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", offset), ("length", length)):
        if v is not None:
            e = tensor.external_data.add()
            e.key = k
            e.value = str(v)
    return tensor


def external_model(name, tensors):
    """x[n] + Σ tensors: each initializer is added to x so none is dead code."""
    nodes, prev = [], "x"
    for i, t in enumerate(tensors):
        out = "y" if i == len(tensors) - 1 else f"s{i}"
        nodes.append(helper.make_node("Add", [prev, t.name], [out], name=f"add{i}"))
        prev = out
    n = tensors[0].dims[0]
    return make(nodes, [vi("x", [n])], [vi("y", [n])], tensors)


def ext_tensor(name, count):
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.append(count)
    return t


def npy(array):
    """.npy bytes, version 1.0, written by hand so the bytes never depend on numpy's version."""
    array = np.ascontiguousarray(array)
    descr = {np.dtype("<f4"): "<f4", np.dtype("<f8"): "<f8", np.dtype("<i8"): "<i8"}[array.dtype]
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, tuple(int(d) for d in array.shape))
    return npy_raw(header, array.tobytes())


def npy_raw(header, body, major=1):
    pad = 64 - (10 + len(header) + 1) % 64
    text = (header + " " * (pad % 64) + "\n").encode("latin1")
    return b"\x93NUMPY" + bytes([major, 0]) + struct.pack("<H", len(text)) + text + body


# --------------------------------------------------------------------------- categories

LINE_TERMINATORS = {"lf": "\n", "cr": "\r", "crlf": "\r\n", "nel": "\u0085", "ls": "\u2028", "ps": "\u2029"}
# Compiled as a member of the generated class if a name escapes its comment or literal: it would run before Main.
PAYLOAD = '[global::System.Runtime.CompilerServices.ModuleInitializer] internal static void Pwned() => global::System.Environment.SetEnvironmentVariable("OPTIMIZER_HOSTILE_PWNED", "1");'


def injected(lt):
    return f"v{lt}{PAYLOAD}{lt}//"


def injection():
    cat = "injection"
    for key, lt in LINE_TERMINATORS.items():
        model_case(f"inject_output_{key}", cat, f"output name with {key!r} line terminator and a [ModuleInitializer] after it",
                   gemm_model(y=injected(lt)), "succeeds", generated_code=True)
        model_case(f"inject_input_{key}", cat, f"input name with {key!r} line terminator and a [ModuleInitializer] after it",
                   gemm_model(x=injected(lt)), "succeeds", generated_code=True)
        model_case(f"inject_dim_{key}", cat, f"symbolic dimension name with {key!r} line terminator and code after it",
                   gemm_model(batch=injected(lt)), "succeeds", generated_code=True)
        model_case(f"inject_node_{key}", cat, f"node name (reaches compiled-schedule comments) with {key!r} line terminator and code after it",
                   gemm_model(node=injected(lt)), "succeeds", generated_code=True)
    others = {
        "comment_close": "v */ " + PAYLOAD + " /*",
        "quote": 'v"; ' + PAYLOAD + ' static string S = "',
        "quote_verbatim": 'v""; ' + PAYLOAD + ' //',
        "raw_string": 'v"""; ' + PAYLOAD + ' //',
        "backslash": "v\\",
        "backslash_quote": 'v\\"; ' + PAYLOAD + " //",
        "unicode_escape": "v\\u000A" + PAYLOAD,
        "hash_error": "v\n#error PWNED\n",
        "hash_define": "v\r\n#define PWNED\r\n#if PWNED\r\n" + PAYLOAD + "\r\n#endif\r\n",
        "hash_line": "v\u2028#line 1 \"evil.cs\"\u2028",
        "braces": "v } } namespace Evil { class Pwned { " + PAYLOAD + " } } namespace X { class Y {",
        "xml_doc": "v</summary><summary>" + PAYLOAD,
        "nul": "v\u0000" + PAYLOAD,
        "bidi": "v\u202e" + PAYLOAD + "\u202c",
        "keyword": "class",
        "interpolation": "{System.Environment.Exit(3)}",
    }
    for key, name in others.items():
        # ONNX Runtime's C API ends names at NUL, so it cannot fetch such an output: the model is refused, not built.
        expect = ["OPT1069"] if "\u0000" in name else "succeeds"
        model_case(f"inject_output_{key}", cat, f"output name with {key.replace('_', ' ')} characters",
                   gemm_model(y=name), expect, generated_code=expect == "succeeds")
    for key in ("comment_close", "quote", "hash_error", "backslash_quote"):
        model_case(f"inject_dim_{key}", cat, f"symbolic dimension name with {key.replace('_', ' ')} characters",
                   gemm_model(batch=others[key]), "succeeds", generated_code=True)
        model_case(f"inject_node_{key}", cat, f"node name with {key.replace('_', ' ')} characters",
                   gemm_model(node=others[key]), "succeeds", generated_code=True)
    for key in ("lf", "ls", "ps", "nel"):
        lt = LINE_TERMINATORS[key]
        model_case(f"inject_docs_{key}", cat, f"model and graph doc strings with {key!r} line terminators and code",
                   gemm_model(doc=injected(lt), graph_doc=injected(lt)), "succeeds", generated_code=True)
        model_case(f"inject_metadata_{key}", cat, f"metadata_props key and value and producer name with {key!r} line terminators and code",
                   gemm_model(metadata=[(injected(lt), injected(lt)), ("author", others["quote"])], producer=injected(lt)), "succeeds", generated_code=True)
        model_case(f"inject_initializer_{key}", cat, f"initializer names with {key!r} line terminators and code",
                   gemm_model(w=injected(lt), b=injected(lt) + "b"), "succeeds", generated_code=True)
    for key, name in {"onnx_scope": "onnx::Flatten_0", "digits": "39", "dotted": "x.1", "spaces": "input image"}.items():
        model_case(f"control_name_{key}", "control", f"benign but unusual name {name!r}: builds and its class compiles",
                   gemm_model(x=name), "succeeds", generated_code=True)


def special_files():
    cat = "files"
    write("files_plain.onnx", model_bytes(relu_model()))
    base = "files_plain.onnx"
    file_codes = ["OPT1117"]
    case("files_model_fifo", cat, "the model is a FIFO in the project (open() would block forever)", [],
         optimize("files_model_fifo"), file_codes, setup=[{"kind": "fifo", "path": "files_model_fifo.onnx"}])
    case("files_model_dev_zero", cat, "the model is /dev/zero (endless)", [], optimize("files_model_dev_zero", model="/dev/zero"), file_codes)
    case("files_model_dev_urandom", cat, "the model is /dev/urandom (endless, random)", [], optimize("files_model_dev_urandom", model="/dev/urandom"), file_codes)
    case("files_model_dev_null", cat, "the model is /dev/null (a device, empty)", [], optimize("files_model_dev_null", model="/dev/null"), file_codes)
    case("files_model_proc_environ", cat, "the model is /proc/self/environ (secrets of the process)", [],
         optimize("files_model_proc_environ", model="/proc/self/environ"), file_codes)
    case("files_model_symlink_dev_zero", cat, "the model is a symlink to /dev/zero", [], optimize("files_model_symlink_dev_zero"), file_codes,
         setup=[{"kind": "symlink", "path": "files_model_symlink_dev_zero.onnx", "target": "/dev/zero"}])
    case("files_model_symlink_proc", cat, "the model is a symlink to /proc/self/environ", [], optimize("files_model_symlink_proc"), file_codes,
         setup=[{"kind": "symlink", "path": "files_model_symlink_proc.onnx", "target": "/proc/self/environ"}])
    case("files_model_hardlink", cat, "the model is a hard link to a file outside the project", [base], optimize("files_model_hardlink"), file_codes,
         setup=[{"kind": "hardlink", "path": "files_model_hardlink.onnx", "target": "outside:" + base}])
    case("files_model_directory", cat, "the model path is a folder", [], optimize("files_model_directory"), ["OPT1117", "OPT1100"],
         setup=[{"kind": "directory", "path": "files_model_directory.onnx"}])
    case("files_model_missing", cat, "the model does not exist", [], optimize("files_model_missing"), ["OPT1100"])
    case("files_model_symlink_regular", "control", "the model is a symlink to a regular model outside the project: allowed", [base],
         optimize("files_model_symlink_regular"), "succeeds", setup=[{"kind": "symlink", "path": "files_model_symlink_regular.onnx", "target": "outside:" + base}])
    case("control_model_outside_folder", "control", "a regular model outside the working folder: allowed", [base],
         optimize("control_model_outside_folder", model="../outside/" + base), "succeeds", setup=[{"kind": "copy", "path": "outside:" + base, "target": base}])

    # External data that is not a regular file inside the model's folder.
    def ext_case(name, location, expect, setup=(), count=4, description=""):
        t = external(ext_tensor("c", count), location, 0, count * 4)
        write(f"{name}.onnx", model_bytes(external_model(name, [t])))
        case(name, cat, description, [f"{name}.onnx"], optimize(name), expect, setup=list(setup))

    ext_case("files_external_fifo", "files_external_fifo.bin", file_codes, [{"kind": "fifo", "path": "files_external_fifo.bin"}],
             description="external data location is a FIFO in the model folder")
    ext_case("files_external_hardlink", "files_external_hardlink.bin", file_codes,
             [{"kind": "bytes", "path": "outside:secret.bin", "size": 16}, {"kind": "hardlink", "path": "files_external_hardlink.bin", "target": "outside:secret.bin"}],
             description="external data location is a hard link to a file outside the model folder")
    ext_case("files_external_symlink", "files_external_symlink.bin", ["OPT1113", "OPT1117"],
             [{"kind": "bytes", "path": "outside:secret2.bin", "size": 16}, {"kind": "symlink", "path": "files_external_symlink.bin", "target": "outside:secret2.bin"}],
             description="external data location is a symlink to a file outside the model folder")
    ext_case("files_external_symlink_dev_zero", "files_external_dz.bin", ["OPT1113", "OPT1117"],
             [{"kind": "symlink", "path": "files_external_dz.bin", "target": "/dev/zero"}],
             description="external data location is a symlink to /dev/zero")
    ext_case("files_external_directory", "files_external_dir.bin", ["OPT1117", "OPT1114"],
             [{"kind": "directory", "path": "files_external_dir.bin"}], description="external data location is a folder")
    ext_case("files_external_dev_zero", "/dev/zero", ["OPT1111", "OPT1112", "OPT1117"], description="external data location is the absolute path /dev/zero")
    ext_case("files_external_proc", "/proc/self/environ", ["OPT1111", "OPT1112", "OPT1117"], description="external data location is /proc/self/environ")
    ext_case("files_external_etc_passwd", "/etc/passwd", ["OPT1111", "OPT1112"], description="external data location is the absolute path /etc/passwd")
    ext_case("files_external_dotdot", "../../../../../../etc/passwd", ["OPT1111", "OPT1112"], description="external data location climbs out with ..")
    ext_case("files_external_missing", "files_external_missing.bin", ["OPT1114"], description="external data file does not exist")
    ext_case("files_external_empty_location", "", ["OPT1111", "OPT1114"], description="external data location is empty")

    # Calibration data that is not a regular file.
    write("files_calib.onnx", model_bytes(matmul_model()))
    data_codes = ["OPT1081"]

    def calib_case(name, calibration, expect, setup=(), description=""):
        case(name, cat, description, ["files_calib.onnx"],
             optimize(name, [f"Quantize:Mode=StaticInt8,Calibration={calibration}"], model="files_calib.onnx"), expect, setup=list(setup))

    calib_case("files_calibration_dev_zero", "/dev/zero", data_codes, description="calibration data is /dev/zero (endless)")
    calib_case("files_calibration_proc", "/proc/self/environ", data_codes, description="calibration data is /proc/self/environ")
    calib_case("files_calibration_fifo", "calib.npy", data_codes, [{"kind": "fifo", "path": "calib.npy"}], description="calibration data is a FIFO")
    calib_case("files_calibration_hardlink", "calib.npy", data_codes,
               [{"kind": "bytes", "path": "outside:calib_secret.npy", "size": 16}, {"kind": "hardlink", "path": "calib.npy", "target": "outside:calib_secret.npy"}],
               description="calibration data is a hard link to a file outside the project")
    calib_case("files_calibration_symlink_dev_zero", "calib.f32", data_codes, [{"kind": "symlink", "path": "calib.f32", "target": "/dev/zero"}],
               description="calibration data is a symlink to /dev/zero")
    calib_case("files_calibration_directory", "calib.npy", ["OPT1081", "OPT1055", "OPT1251"], [{"kind": "directory", "path": "calib.npy"}], description="calibration data is a folder")
    calib_case("files_calibration_missing", "nothere.npy", ["OPT1055"], description="calibration data does not exist")
    calib_case("files_calibration_sparse_huge", "huge.f32", ["OPT1081"], [{"kind": "sparse", "path": "huge.f32", "size": 20 << 30}],
               description="calibration data is a sparse 20 GiB raw float32 file (over any data-size cap)")
    case("files_validation_dev_zero", cat, "validation data of the accuracy budget is /dev/zero", ["files_calib.onnx"],
         optimize("files_validation_dev_zero", ["Quantize:Mode=DynamicInt8", "AccuracyBudget:MaxDrop=0.5,Validation=/dev/zero"], model="files_calib.onnx"),
         ["OPT1081"])


def amplification():
    cat = "amplification"
    gib = 1 << 30

    def amp(name, tensors, expect, data=None, setup=(), description="", command=None):
        write(f"{name}.onnx", model_bytes(external_model(name, tensors)))
        files = [f"{name}.onnx"]
        if data is not None:
            write(f"{name}.bin", data)
            files.append(f"{name}.bin")
        case(name, cat, description, files, command or optimize(name), expect, setup=list(setup))

    small = bytes(range(64))
    amp("amplify_repeated_small", [external(ext_tensor("a", 16), "amplify_repeated_small.bin", 0, 64), external(ext_tensor("b", 16), "amplify_repeated_small.bin", 0, 64)],
        ["OPT1118"], small, description="two tensors name the same 64-byte region")
    amp("amplify_overlapping_small", [external(ext_tensor("a", 8), "amplify_overlapping_small.bin", 0, 32), external(ext_tensor("b", 8), "amplify_overlapping_small.bin", 16, 32)],
        ["OPT1118"], small, description="two tensors name overlapping regions")
    amp("amplify_repeated_sparse_1g", [external(ext_tensor(f"t{i}", gib // 4), "amplify_sparse.bin", 0, gib) for i in range(2)],
        ["OPT1118"], setup=[{"kind": "sparse", "path": "amplify_sparse.bin", "size": gib}],
        description="a 1 GiB region of a sparse file named twice (the issue's 8.4 GB / 53 s inspect)")
    amp("amplify_repeated_sparse_64x", [external(ext_tensor(f"t{i}", gib // 4), "amplify_sparse64.bin", 0, gib) for i in range(64)],
        ["OPT1118", "OPT1116"], setup=[{"kind": "sparse", "path": "amplify_sparse64.bin", "size": gib}],
        description="one 1 GiB sparse region named 64 times (64 GiB demanded from 1 GiB on disk)")
    write("amplify_inspect.onnx", model_bytes(external_model("amplify_inspect", [external(ext_tensor(f"t{i}", gib // 4), "amplify_inspect.bin", 0, gib) for i in range(2)])))
    case("amplify_inspect_repeated_sparse", cat, "inspect (not optimize) a model naming one 1 GiB sparse region twice", ["amplify_inspect.onnx"],
         ["inspect", "amplify_inspect.onnx"], ["OPT1118"], setup=[{"kind": "sparse", "path": "amplify_inspect.bin", "size": gib}])
    amp("amplify_many_small_repeats", [external(ext_tensor(f"t{i}", 16), "amplify_many_small_repeats.bin", 0, 64) for i in range(1000)],
        ["OPT1118"], small, description="1000 tensors name the same 64 bytes")
    amp("amplify_offset_past_end", [external(ext_tensor("a", 16), "amplify_offset_past_end.bin", 4096, 64)], ["OPT1115"], small,
        description="offset beyond the end of the file")
    amp("amplify_length_past_end", [external(ext_tensor("a", 1024), "amplify_length_past_end.bin", 0, 4096)], ["OPT1115"], small,
        description="offset+length beyond the end of the file")
    amp("amplify_huge_length", [external(ext_tensor("a", 16), "amplify_huge_length.bin", 0, 1 << 62)], ["OPT1115", "OPT1116"], small,
        description="length 2^62")
    amp("amplify_length_overflow", [external(ext_tensor("a", 16), "amplify_length_overflow.bin", (1 << 63) - 8, 64)], ["OPT1115", "OPT1116"], small,
        description="offset+length overflows a signed 64-bit integer")
    amp("amplify_negative_offset", [external(ext_tensor("a", 16), "amplify_negative_offset.bin", -64, 64)], ["OPT1115", "OPT1111"], small,
        description="negative offset")
    amp("amplify_offset_not_a_number", [external(ext_tensor("a", 16), "amplify_offset_not_a_number.bin", "0x10", 64)], ["OPT1115", "OPT1111"], small,
        description="offset is not a decimal number")
    amp("amplify_length_mismatch", [external(ext_tensor("a", 1 << 28), "amplify_length_mismatch.bin", 0, 64)], ["OPT1115", "OPT1130"], small,
        description="64 bytes on disk for a tensor of 2^28 floats")
    amp("amplify_dims_overflow", [external(TensorProto(name="a", data_type=TensorProto.FLOAT, dims=[1 << 31, 1 << 31, 1 << 31]), "amplify_dims_overflow.bin", 0, 64)],
        ["OPT1115", "OPT1130", "OPT1123"], small, description="tensor dims whose product overflows 64 bits")
    amp("amplify_sparse_over_cap", [external(ext_tensor("a", 5 << 30), "amplify_sparse_big.bin", 0, 20 << 30)], ["OPT1116", "OPT1115"],
        setup=[{"kind": "sparse", "path": "amplify_sparse_big.bin", "size": 20 << 30}],
        description="one 20 GiB tensor read from a sparse file (over the external-data cap)")


def ort_crash():
    cat = "ort_crash"
    codes = ["OPT1080", "OPT1062", "OPT1068", "OPT1069"]
    quantize = ["Quantize:Mode=DynamicInt8"]

    def runtime_divisor(name, op, elem, numerator, divisor_offset, description, np_type, expect=None):
        # x (float) → Cast → Mul 0 → Add divisor_offset: the divisor is known only at run time, so
        # nothing folds it before ONNX Runtime executes the integer division.
        nodes = [
            helper.make_node("Cast", ["x"], ["xi"], to=elem, name="cast_in"),
            helper.make_node("Mul", ["xi", "zero"], ["z"], name="times_zero"),
            helper.make_node("Add", ["z", "offset"], ["d"], name="divisor"),
            helper.make_node(op, ["n", "d"], ["q"], name="divide"),
            helper.make_node("Cast", ["q"], ["y"], to=TensorProto.FLOAT, name="cast_out"),
        ]
        inits = [init("zero", [0], [1], elem), init("offset", [divisor_offset], [1], elem), init("n", [numerator], [1], elem)]
        model_case(name, cat, description, make(nodes, [vi("x", [1])], [vi("y", [1])], inits), expect or codes, passes=quantize)

    i64min, i32min = -(1 << 63), -(1 << 31)
    runtime_divisor("crash_div_int64_min_by_minus_one", "Div", TensorProto.INT64, i64min, -1, "Div(int64 min, -1) at run time: SIGFPE in ONNX Runtime (the issue's exit 136)", None)
    runtime_divisor("crash_div_int32_min_by_minus_one", "Div", TensorProto.INT32, i32min, -1, "Div(int32 min, -1) at run time", None)
    runtime_divisor("crash_div_int64_by_zero", "Div", TensorProto.INT64, 7, 0, "Div(7, 0) in int64 at run time", None)
    runtime_divisor("crash_div_int32_by_zero", "Div", TensorProto.INT32, 7, 0, "Div(7, 0) in int32 at run time", None)
    # ONNX Runtime 1.32 computes this Mod (1.31.1 died of SIGFPE): the model runs, so it optimizes like any other.
    runtime_divisor("crash_mod_int64_min_by_minus_one", "Mod", TensorProto.INT64, i64min, -1,
                    "Mod(int64 min, -1) at run time: runs in ONNX Runtime 1.32 (SIGFPE in 1.31.1)", None, expect="succeeds")
    runtime_divisor("crash_mod_int32_by_zero", "Mod", TensorProto.INT32, 7, 0, "Mod(7, 0) in int32 at run time", None)

    def constant_division(name, op, elem, numerator, divisor, description):
        nodes = [
            helper.make_node(op, ["n", "d"], ["q"], name="divide"),
            helper.make_node("Cast", ["q"], ["qf"], to=TensorProto.FLOAT, name="cast"),
            helper.make_node("Add", ["x", "qf"], ["y"], name="add"),
        ]
        inits = [init("n", [numerator], [1], elem), init("d", [divisor], [1], elem)]
        model_case(name, cat, description, make(nodes, [vi("x", [1])], [vi("y", [1])], inits), codes + ["OPT1123"])

    constant_division("crash_div_const_int64_min_by_minus_one", "Div", TensorProto.INT64, i64min, -1,
                      "Div(int64 min, -1) of two initializers: constant folding (ours or ONNX Runtime's) divides at build time")
    constant_division("crash_div_const_int64_by_zero", "Div", TensorProto.INT64, 7, 0, "Div(7, 0) of two int64 initializers")


def unrunnable():
    cat = "unrunnable"
    codes = ["OPT1068", "OPT1069", "OPT1123"]

    def bad(name, description, model, extra=()):
        model_case(name, cat, description, model, codes + list(extra))

    def one(op, inputs, outputs, ins, outs, inits=(), **attrs):
        return make([helper.make_node(op, ins, outs, name="n", **attrs)], inputs, outputs, inits)

    bad("unrunnable_opset_9999", "default-domain opset 9999", make([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [1, 4])], [vi("y", [1, 4])], opset=9999))
    bad("unrunnable_ir_version_9999", "ir_version 9999", make([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [1, 4])], [vi("y", [1, 4])], ir=9999))
    bad("unrunnable_unknown_op", "an op no opset defines", one("FrobnicateTensor", [vi("x", [1, 4])], [vi("y", [1, 4])], ["x"], ["y"]))
    m = make([helper.make_node("Relu", ["x"], ["y"], domain="com.evil.ops")], [vi("x", [1, 4])], [vi("y", [1, 4])], domains=["com.evil.ops"])
    bad("unrunnable_unknown_domain", "a node in a domain ONNX Runtime does not know", m)
    m = make([helper.make_node("Relu", ["x"], ["y"], domain="com.undeclared")], [vi("x", [1, 4])], [vi("y", [1, 4])])
    bad("unrunnable_undeclared_domain", "a node in a domain with no opset import", m)
    bad("unrunnable_input_type_9999", "graph input of element type 9999", one("Identity", [vi("x", [1, 4], 9999)], [vi("y", [1, 4], 9999)], ["x"], ["y"]), ["OPT1130"])
    t = init("w", [1.0] * 4, [1, 4])
    t.data_type = 9999
    bad("unrunnable_initializer_type_9999", "initializer of data_type 9999", one("Add", [vi("x", [1, 4])], [vi("y", [1, 4])], ["x", "w"], ["y"], [t]), ["OPT1130"])
    bad("unrunnable_cast_to_9999", "Cast to=9999", one("Cast", [vi("x", [1, 4])], [vi("y", [1, 4])], ["x"], ["y"], to=9999))
    bad("unrunnable_cast_missing_to", "Cast without its required attribute", one("Cast", [vi("x", [1, 4])], [vi("y", [1, 4])], ["x"], ["y"]))
    conv_w = init("w", [0.1] * 9, [1, 1, 3, 3])
    bad("unrunnable_conv_stride_0", "Conv with strides [0, 0]",
        one("Conv", [vi("x", [1, 1, 8, 8])], [vi("y", [1, 1, 6, 6])], ["x", "w"], ["y"], [conv_w], kernel_shape=[3, 3], strides=[0, 0]))
    bad("unrunnable_conv_negative_stride", "Conv with strides [-1, -1]",
        one("Conv", [vi("x", [1, 1, 8, 8])], [vi("y", [1, 1, 6, 6])], ["x", "w"], ["y"], [conv_w], kernel_shape=[3, 3], strides=[-1, -1]))
    bad("unrunnable_conv_kernel_larger_than_input", "Conv 3x3 over a 2x2 input, no padding",
        one("Conv", [vi("x", [1, 1, 2, 2])], [vi("y", [1, 1, 1, 1])], ["x", "w"], ["y"], [conv_w], kernel_shape=[3, 3]))
    bad("unrunnable_conv_group_0", "Conv with group 0",
        one("Conv", [vi("x", [1, 1, 8, 8])], [vi("y", [1, 1, 6, 6])], ["x", "w"], ["y"], [conv_w], kernel_shape=[3, 3], group=0))
    bad("unrunnable_conv_channel_mismatch", "Conv weights for 3 input channels over a 1-channel input",
        one("Conv", [vi("x", [1, 1, 8, 8])], [vi("y", [1, 1, 6, 6])], ["x", "w3"], ["y"], [init("w3", [0.1] * 27, [1, 3, 3, 3])], kernel_shape=[3, 3]))
    bad("unrunnable_matmul_mismatch", "MatMul [2,3] × [4,5]",
        one("MatMul", [vi("x", [2, 3])], [vi("y", [2, 5])], ["x", "w"], ["y"], [init("w", [0.5] * 20, [4, 5])]))
    bad("unrunnable_gemm_mismatch", "Gemm [2,3] × [4,5]",
        one("Gemm", [vi("x", [2, 3])], [vi("y", [2, 5])], ["x", "w"], ["y"], [init("w", [0.5] * 20, [4, 5])]))
    bad("unrunnable_add_broadcast_mismatch", "Add of [3] and [4]",
        one("Add", [vi("x", [3])], [vi("y", [4])], ["x", "w"], ["y"], [init("w", [1.0] * 4, [4])]))
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [1 << 20, 1 << 20])
    bad("unrunnable_constant_of_shape_2p40", "ConstantOfShape [2^20, 2^20]: 2^40 elements",
        make([helper.make_node("ConstantOfShape", ["shape"], ["c"], name="big"), helper.make_node("Add", ["x", "c"], ["y"], name="add")],
             [vi("x", [1])], [vi("y", [1 << 20, 1 << 20])], [shape]))
    bad("unrunnable_expand_2p40", "Expand to [2^20, 2^20]: 2^40 elements",
        make([helper.make_node("Expand", ["x", "shape"], ["y"], name="expand")], [vi("x", [1])], [vi("y", [1 << 20, 1 << 20])], [shape]))
    bad("unrunnable_tile_2p40", "Tile [1,1] by [2^20, 2^20]",
        make([helper.make_node("Tile", ["x", "shape"], ["y"], name="tile")], [vi("x", [1, 1])], [vi("y", [1 << 20, 1 << 20])], [shape]))
    bad("unrunnable_transpose_perm_repeated", "Transpose perm [0, 0]", one("Transpose", [vi("x", [2, 3])], [vi("y", [2, 2])], ["x"], ["y"], perm=[0, 0]))
    bad("unrunnable_transpose_perm_out_of_range", "Transpose perm [5, 0]", one("Transpose", [vi("x", [2, 3])], [vi("y", [3, 2])], ["x"], ["y"], perm=[5, 0]))
    bad("unrunnable_transpose_perm_short", "Transpose perm [0] on a rank-2 input", one("Transpose", [vi("x", [2, 3])], [vi("y", [2, 3])], ["x"], ["y"], perm=[0]))
    bad("unrunnable_softmax_axis", "Softmax axis 10 on a rank-2 input", one("Softmax", [vi("x", [2, 3])], [vi("y", [2, 3])], ["x"], ["y"], axis=10))
    bad("unrunnable_concat_axis", "Concat axis 5 on rank-2 inputs", one("Concat", [vi("x", [2, 3])], [vi("y", [4, 3])], ["x", "x"], ["y"], axis=5))
    bad("unrunnable_gather_axis", "Gather axis -9",
        one("Gather", [vi("x", [2, 3])], [vi("y", [1, 3])], ["x", "i"], ["y"], [helper.make_tensor("i", TensorProto.INT64, [1], [0])], axis=-9))
    bad("unrunnable_flatten_axis", "Flatten axis 7 on a rank-2 input", one("Flatten", [vi("x", [2, 3])], [vi("y", [2, 3])], ["x"], ["y"], axis=7))
    bad("unrunnable_reshape_two_minus_one", "Reshape to [-1, -1]",
        one("Reshape", [vi("x", [2, 3])], [vi("y", [6])], ["x", "s"], ["y"], [helper.make_tensor("s", TensorProto.INT64, [2], [-1, -1])]))
    bad("unrunnable_reshape_wrong_count", "Reshape 6 elements to [4, 4]",
        one("Reshape", [vi("x", [2, 3])], [vi("y", [4, 4])], ["x", "s"], ["y"], [helper.make_tensor("s", TensorProto.INT64, [2], [4, 4])]))
    bad("unrunnable_squeeze_non_one", "Squeeze an axis of size 3",
        one("Squeeze", [vi("x", [2, 3])], [vi("y", [2])], ["x", "a"], ["y"], [helper.make_tensor("a", TensorProto.INT64, [1], [1])]))
    bad("unrunnable_slice_step_zero", "Slice with step 0",
        one("Slice", [vi("x", [4])], [vi("y", [2])], ["x", "s", "e", "a", "st"], ["y"],
            [helper.make_tensor(n, TensorProto.INT64, [1], [v]) for n, v in (("s", 0), ("e", 4), ("a", 0), ("st", 0))]))
    bad("unrunnable_relu_on_string", "Relu on a string tensor", one("Relu", [vi("x", [2], TensorProto.STRING)], [vi("y", [2], TensorProto.STRING)], ["x"], ["y"]))
    bad("unrunnable_add_one_input", "Add with one input", one("Add", [vi("x", [2])], [vi("y", [2])], ["x"], ["y"]))
    bad("unrunnable_relu_three_outputs", "Relu with three outputs", make([helper.make_node("Relu", ["x"], ["y", "y2", "y3"], name="n")], [vi("x", [2])], [vi("y", [2])]))
    bad("unrunnable_attribute_wrong_type", "Transpose perm given as floats",
        make([helper.make_node("Transpose", ["x"], ["y"], name="n", perm=[1.0, 0.0])], [vi("x", [2, 3])], [vi("y", [3, 2])]))
    bad("unrunnable_reduce_axis", "ReduceSum axes [9]",
        one("ReduceSum", [vi("x", [2, 3])], [vi("y", [1, 1])], ["x", "a"], ["y"], [helper.make_tensor("a", TensorProto.INT64, [1], [9])]))
    bad("unrunnable_input_type_mismatch", "Add of float and int64", one("Add", [vi("x", [2])], [vi("y", [2])], ["x", "i"], ["y"], [helper.make_tensor("i", TensorProto.INT64, [2], [1, 2])]))
    bad("unrunnable_if_without_branches", "If with no then/else branches",
        make([helper.make_node("If", ["c"], ["y"], name="n")], [vi("c", [], TensorProto.BOOL)], [vi("y", [1])]))


def bad_data():
    cat = "bad_data"
    write("data_model.onnx", model_bytes(matmul_model()))
    rng = np.random.RandomState(10)
    good = rng.uniform(-1, 1, (16, 4)).astype("<f4")

    def data_case(name, file, contents, expect, description, option="Calibration", extra_passes=()):
        write(file, contents)
        if option == "Calibration":
            passes = [f"Quantize:Mode=StaticInt8,Calibration={file}", *extra_passes]
        else:
            passes = ["Quantize:Mode=DynamicInt8", f"AccuracyBudget:MaxDrop=0.5,Validation={file}"]
        case(name, cat, description, ["data_model.onnx", file], optimize(name, passes, model="data_model.onnx"), expect)

    nan_codes = ["OPT1059"]

    def with_values(index_values, base=good):
        a = base.copy()
        flat = a.reshape(-1)
        for i, v in index_values:
            flat[i] = v
        return a

    data_case("data_all_nan", "data_all_nan.npy", npy(np.full((16, 4), np.nan, "<f4")), nan_codes, "calibration data all NaN")
    data_case("data_one_nan", "data_one_nan.npy", npy(with_values([(37, np.nan)])), nan_codes, "one NaN at flat index 37 among valid samples")
    data_case("data_pos_inf", "data_pos_inf.npy", npy(with_values([(5, np.inf)])), nan_codes, "one +Inf")
    data_case("data_neg_inf", "data_neg_inf.npy", npy(with_values([(63, -np.inf)])), nan_codes, "one -Inf (the last value)")
    data_case("data_all_inf", "data_all_inf.npy", npy(np.full((16, 4), np.inf, "<f4")), nan_codes, "calibration data all +Inf")
    data_case("data_denormal_only", "data_denormal_only.npy", npy(np.full((16, 4), 1e-40, "<f4")), nan_codes, "calibration data only denormals")
    data_case("data_denormal_mixed_sign", "data_denormal_mixed.npy", npy((np.where(np.arange(64) % 2 == 0, 1, -1) * 1e-42).astype("<f4").reshape(16, 4)), nan_codes,
              "calibration data only ± denormals")
    data_case("data_negative_nan_payload", "data_nan_payload.npy", npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (16, 4), }", good.tobytes()[:-4] + b"\x01\x00\xc0\xff"),
              nan_codes, "a negative NaN with a payload as the last value")
    data_case("data_raw_f32_nan", "data_raw_nan.f32", with_values([(0, np.nan)]).tobytes(), nan_codes, "raw float32 calibration with NaN first")
    data_case("data_validation_nan", "data_validation_nan.npy", npy(with_values([(9, np.nan)])), nan_codes, "accuracy-budget validation data with a NaN", option="Validation")
    data_case("data_validation_inf", "data_validation_inf.npy", npy(np.full((16, 4), -np.inf, "<f4")), nan_codes, "accuracy-budget validation data all -Inf", option="Validation")
    # Malformed .npy headers (existing codes).
    data_case("data_npy_shape_2p40", "data_npy_shape.npy", npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 4), }", good.tobytes()),
              ["OPT1251"], ".npy whose header claims 2^40 rows over 256 bytes of data")
    data_case("data_npy_shape_overflow", "data_npy_overflow.npy", npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }", good.tobytes()),
              ["OPT1251"], ".npy whose shape product overflows 64 bits")
    data_case("data_npy_negative_shape", "data_npy_negative.npy", npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (-16, 4), }", good.tobytes()),
              ["OPT1251"], ".npy with a negative dimension")
    data_case("data_npy_truncated", "data_npy_truncated.npy", npy(good)[:100], ["OPT1251"], ".npy cut off inside its data")
    data_case("data_npy_header_past_end", "data_npy_header.npy", b"\x93NUMPY\x01\x00\xff\xff{'descr'", ["OPT1251"], ".npy whose header length runs past the end")
    data_case("data_npy_v2_huge_header", "data_npy_v2.npy", b"\x93NUMPY\x02\x00\xff\xff\xff\x7f{'descr'", ["OPT1251"], ".npy v2 with a 2 GiB header length")
    data_case("data_npy_float64", "data_npy_f64.npy", npy(good.astype("<f8")), ["OPT1252"], ".npy of float64 (not accepted)")
    data_case("data_npy_fortran", "data_npy_fortran.npy", npy_raw("{'descr': '<f4', 'fortran_order': True, 'shape': (16, 4), }", good.tobytes()), ["OPT1252"], ".npy in Fortran order")
    data_case("data_npy_wrong_width", "data_npy_width.npy", npy(rng.uniform(-1, 1, (16, 5)).astype("<f4")), ["OPT1253", "OPT1083"], "samples of 5 values for an input of 4")
    data_case("data_zero_samples", "data_zero.npy", npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", b""), ["OPT1251", "OPT1253", "OPT1059", "OPT1083"], ".npy with no samples")
    data_case("control_data_good", "data_good.npy", npy(good), "succeeds", "benign control: 16 valid samples")


def shape_inference():
    cat = "shape_inference"
    strict = ["OPT1123"]
    loose = ["OPT1123", "OPT1069"]

    def si(name, description, model, expect=strict):
        model_case(name, cat, description, model, expect)

    conv_w = init("w", [0.1] * 9, [1, 1, 3, 3])
    si("shape_conv_strides_short", "Conv strides [1] with kernel_shape [3, 3] (IndexOutOfRange in ConvPoolRules.Spatial)",
       make([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3], strides=[1])], [vi("x", [1, 1, 8, 8])], [vi("y", None)], [conv_w]))
    si("shape_maxpool_strides_short", "MaxPool strides [1] with kernel_shape [2, 2]",
       make([helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2, 2], strides=[1])], [vi("x", [1, 1, 8, 8])], [vi("y", None)]))
    si("shape_averagepool_strides_short", "AveragePool strides [] with kernel_shape [2, 2]",
       make([helper.make_node("AveragePool", ["x"], ["y"], name="pool", kernel_shape=[2, 2], strides=[2])], [vi("x", [1, 1, 8, 8])], [vi("y", None)]))
    si("shape_maxpool_stride_zero_ceil", "MaxPool strides [2, 0] with ceil_mode 1 (DivideByZero in ConvPoolRules)",
       make([helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2, 2], strides=[2, 0], ceil_mode=1)], [vi("x", [1, 1, 8, 8])], [vi("y", None)]))
    si("shape_maxpool_stride_zero", "MaxPool strides [0, 0]",
       make([helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2, 2], strides=[0, 0])], [vi("x", [1, 1, 8, 8])], [vi("y", None)]), loose)
    si("shape_conv_pads_short", "Conv pads [1] for a 2-D kernel",
       make([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3], pads=[1])], [vi("x", [1, 1, 8, 8])], [vi("y", None)], [conv_w]))
    si("shape_conv_dilations_short", "Conv dilations [1] for a 2-D kernel",
       make([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3], dilations=[1])], [vi("x", [1, 1, 8, 8])], [vi("y", None)], [conv_w]))
    si("shape_conv_kernel_zero", "Conv kernel_shape [0, 0]",
       make([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[0, 0])], [vi("x", [1, 1, 8, 8])], [vi("y", None)], [conv_w]), loose)
    si("shape_conv_huge_dilation", "Conv dilations [2^62, 2^62] (kernel extent overflows)",
       make([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3], dilations=[1 << 62, 1 << 62])], [vi("x", [1, 1, 8, 8])], [vi("y", None)], [conv_w]), loose)
    si("shape_conv_huge_pads", "Conv pads of 2^62 (padded size overflows)",
       make([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3], pads=[1 << 62] * 4)], [vi("x", [1, 1, 8, 8])], [vi("y", None)], [conv_w]), loose)
    big = 1 << 62
    si("shape_concat_2p62", "Concat of two dims of 2^62 (Overflow in ShapeOpRules)",
       make([helper.make_node("Concat", ["a", "b"], ["y"], name="concat", axis=0)], [vi("a", [big]), vi("b", [big])], [vi("y", None)]))
    si("shape_concat_many_2p62", "Concat of four dims of 2^62",
       make([helper.make_node("Concat", ["a", "a", "a", "a"], ["y"], name="concat", axis=0)], [vi("a", [big])], [vi("y", None)]))
    si("shape_unsqueeze_axes_repeated", "Unsqueeze axes [0, 0] (IndexOutOfRange)",
       make([helper.make_node("Unsqueeze", ["x", "axes"], ["y"], name="unsqueeze")], [vi("x", [2, 3])], [vi("y", None)], [helper.make_tensor("axes", TensorProto.INT64, [2], [0, 0])]))
    si("shape_unsqueeze_axes_out_of_range", "Unsqueeze axes [10] on rank 2",
       make([helper.make_node("Unsqueeze", ["x", "axes"], ["y"], name="unsqueeze")], [vi("x", [2, 3])], [vi("y", None)], [helper.make_tensor("axes", TensorProto.INT64, [1], [10])]), loose)
    si("shape_reshape_product_overflow", "Reshape to [2^62, 2^62, 0, -1]",
       make([helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape")], [vi("x", [2, 3])], [vi("y", None)], [helper.make_tensor("s", TensorProto.INT64, [4], [big, big, 0, -1])]), loose)
    si("shape_input_dims_overflow", "an input of [2^62, 2^62, 2^62] through Relu and Flatten (element count overflows)",
       make([helper.make_node("Flatten", ["x"], ["f"], name="flatten", axis=0), helper.make_node("Relu", ["f"], ["y"], name="relu")], [vi("x", [big, big, big])], [vi("y", None)]), loose)
    # ONNX Runtime reads a negative dimension as unknown; so does the loader (the manifest must not demand -5).
    model_case("shape_negative_input_dim", cat, "an input dimension of -5 (read as unknown, as ONNX Runtime does)",
               make([helper.make_node("Relu", ["x"], ["y"], name="relu")], [vi("x", [-5, 4])], [vi("y", None)]), "succeeds")
    si("shape_split_sizes_mismatch", "Split sizes [5, 5] of an axis of 4",
       make([helper.make_node("Split", ["x", "s"], ["a", "b"], name="split", axis=0)], [vi("x", [4])], [vi("a", None), vi("b", None)], [helper.make_tensor("s", TensorProto.INT64, [2], [5, 5])]), loose)
    # Empty graphs.
    si("shape_empty_graph", "a graph with no nodes, inputs or outputs", make([], [], []), ["OPT1124"])
    si("shape_graph_inputs_only", "a graph with an input but no nodes and no outputs", make([], [vi("x", [1])], []), ["OPT1124"])
    raw = pb.vi(1, IR) + opset_bytes() + pb.ld(7, b"")
    model_case("shape_graph_zero_length", cat, "graph field present with length 0", None, ["OPT1124", "OPT1105"], raw=raw)
    raw = pb.vi(1, IR) + opset_bytes() + pb.key(7, 2) + pb.varint(1 << 62)
    model_case("shape_graph_length_2p62", cat, "graph field whose length is 2^62 (read as an empty graph and optimized with exit 0)", None, ["OPT1102"], raw=raw)


def malformed():
    cat = "malformed"
    codes = ["OPT1102"]
    valid = model_bytes(relu_model())

    # Bytes that happen to parse as unknown protobuf fields leave a model without a graph (OPT1105).
    parses_as_fields = ["OPT1102", "OPT1105"]

    def raw(name, data, description, expect=codes):
        model_case(name, cat, description, None, expect, raw=data)

    raw("malformed_empty_file", b"", "a zero-byte file", ["OPT1102", "OPT1105"])
    raw("malformed_text", b"hello, this is not a model\n", "plain text", parses_as_fields)
    raw("malformed_json", b'{"graph": {"node": []}}', "JSON", parses_as_fields)
    raw("malformed_zip", b"PK\x03\x04" + bytes(60), "a zip header", parses_as_fields)
    raw("malformed_gzip", b"\x1f\x8b\x08\x00" + bytes(40), "a gzip header", parses_as_fields)
    raw("malformed_truncated_half", valid[: len(valid) // 2], "a valid model cut in half")
    raw("malformed_truncated_last_byte", valid[:-1], "a valid model without its last byte")
    raw("malformed_overlong_varint", pb.key(1, 0) + b"\xff" * 11, "an 11-byte varint")
    raw("malformed_length_past_end", pb.key(7, 2) + pb.varint(1000) + b"\x0a\x00", "graph length past the end of the file")
    raw("malformed_field_zero", pb.key(0, 0) + b"\x00" + valid, "field number 0")
    raw("malformed_end_group", valid + pb.key(7, 4), "an unmatched end-group tag")
    raw("malformed_wrong_wire_type_graph", pb.vi(1, IR) + opset_bytes() + pb.vi(7, 5), "graph given as a varint", ["OPT1102", "OPT1105"])
    graph = pb.ld(1, pb.ld(1, "x") + pb.ld(2, "y") + pb.ld(4, "Relu")) + pb.ld(11, pb.ld(1, b"\xff\xfe\xc0")) + pb.ld(12, pb.ld(1, "y"))
    raw("malformed_invalid_utf8_name", pb.vi(1, IR) + opset_bytes() + pb.ld(7, graph), "an input name that is not UTF-8")
    raw("malformed_negative_length", pb.key(7, 2) + pb.varint((1 << 64) - 1), "a length of 2^64-1 (-1 as a signed value)")
    dims = pb.key(7, 2) + pb.varint(3) + b"\x80\x80\x80"  # packed dims with a truncated varint
    tensor = pb.ld(1, dims) + pb.vi(2, 1) + pb.ld(8, "w")
    graph = pb.ld(1, pb.ld(1, "x") + pb.ld(1, "w") + pb.ld(2, "y") + pb.ld(4, "Add")) + pb.ld(5, tensor) + pb.ld(11, pb.ld(1, "x")) + pb.ld(12, pb.ld(1, "y"))
    raw("malformed_packed_dims_truncated", pb.vi(1, IR) + opset_bytes() + pb.ld(7, graph), "initializer dims packed with a truncated varint")
    t = init("w", [1.0] * 4, [4])
    t.ClearField("float_data")
    t.raw_data = b"\x00" * 7
    raw("malformed_raw_data_short", model_bytes(make([helper.make_node("Add", ["x", "w"], ["y"])], [vi("x", [4])], [vi("y", [4])], [t])),
        "initializer of 4 floats with 7 bytes of raw_data", ["OPT1130"])
    t = init("w", [1.0, 2.0], [2])
    t.dims[0] = 4
    raw("malformed_float_data_short", model_bytes(make([helper.make_node("Add", ["x", "w"], ["y"])], [vi("x", [4])], [vi("y", [4])], [t])),
        "initializer of 4 floats with 2 values in float_data", ["OPT1130"])


def nesting():
    cat = "nesting"

    def nested_if(depth):
        leaf = helper.make_graph([helper.make_node("Identity", ["x"], ["y0"])], "leaf", [], [vi("y0", [1])])
        g = leaf
        for d in range(depth):
            # Only the then-branch nests: nesting both would double the model at every level.
            node = helper.make_node("If", ["c"], [f"y{d + 1}"], then_branch=g, else_branch=leaf, name=f"if{d}")
            g = helper.make_graph([node], f"level{d}", [], [vi(f"y{d + 1}", [1])])
        return g

    for depth in (20, 64):
        inner = nested_if(depth)
        model = make(list(inner.node), [vi("c", [], TensorProto.BOOL), vi("x", [1])], [vi(f"y{depth}", [1])])
        model_case(f"nesting_if_depth_{depth}", cat, f"If subgraphs nested {depth} deep", model, ["OPT1104", "OPT1103"])

    def deep_type(depth):
        t = pb.ld(1, pb.vi(1, 1))  # tensor_type float
        for _ in range(depth):
            t = pb.ld(4, pb.ld(1, t))  # sequence_type.elem_type
        return t

    for depth in (200, 5000):
        graph = pb.ld(1, pb.ld(1, "x") + pb.ld(2, "y") + pb.ld(4, "Identity")) + pb.ld(11, pb.ld(1, "x") + pb.ld(2, deep_type(depth))) + pb.ld(12, pb.ld(1, "y"))
        model_case(f"nesting_sequence_type_{depth}", cat, f"a sequence type nested {depth} deep", None, ["OPT1103"], raw=pb.vi(1, IR) + opset_bytes() + pb.ld(7, graph))

    def deep_attribute(depth):
        g = pb.ld(2, "leaf")
        for _ in range(depth):
            g = pb.ld(1, pb.ld(4, "If") + pb.ld(5, pb.ld(1, "then_branch") + pb.vi(20, 5) + pb.ld(6, g)))
        return g

    model_case("nesting_graph_attribute_3000", cat, "graph attributes nested 3000 deep (protobuf recursion)", None, ["OPT1103", "OPT1104"],
               raw=pb.vi(1, IR) + opset_bytes() + pb.ld(7, deep_attribute(3000)))
    t = pb.ld(5, pb.ld(1, "t") + pb.vi(20, 4) + pb.ld(5, pb.vi(2, 1) + pb.ld(8, "v")))
    for _ in range(500):
        t = pb.ld(5, pb.ld(1, "t") + pb.vi(20, 5) + pb.ld(6, pb.ld(1, pb.ld(4, "Constant") + t)))
    model_case("nesting_constant_in_graph_500", cat, "Constant nodes inside graph attributes 500 deep", None, ["OPT1103", "OPT1104"],
               raw=pb.vi(1, IR) + opset_bytes() + pb.ld(7, pb.ld(1, pb.ld(4, "If") + t)))


def cycles_and_dangling():
    def c(name, category, description, model, codes):
        model_case(name, category, description, model, codes)

    relu = lambda i, o, n: helper.make_node("Relu", [i], [o], name=n)
    add = lambda a, b, o, n: helper.make_node("Add", [a, b], [o], name=n)
    c("cycle_self_loop", "cycles", "a node that consumes its own output", make([add("x", "y", "y", "loop")], [vi("x", [1])], [vi("y", [1])]), ["OPT1120"])
    c("cycle_two_nodes", "cycles", "a → b → a", make([add("x", "b", "a", "n1"), relu("a", "b", "n2"), relu("b", "y", "n3")], [vi("x", [1])], [vi("y", [1])]), ["OPT1120"])
    c("cycle_three_nodes", "cycles", "a → b → c → a", make([add("x", "c", "a", "n1"), relu("a", "b", "n2"), relu("b", "c", "n3"), relu("c", "y", "n4")], [vi("x", [1])], [vi("y", [1])]), ["OPT1120"])
    c("cycle_unreachable", "cycles", "a cycle no output depends on", make([relu("x", "y", "n0"), add("x", "q", "p", "n1"), relu("p", "q", "n2")], [vi("x", [1])], [vi("y", [1])]), ["OPT1120"])
    body = helper.make_graph([add("x", "t2", "t1", "b1"), relu("t1", "t2", "b2"), relu("t2", "z", "b3")], "body", [], [vi("z", [1])])
    c("cycle_in_subgraph", "cycles", "a cycle inside an If branch",
      make([helper.make_node("If", ["cond"], ["y"], then_branch=body, else_branch=body, name="if")], [vi("cond", [], TensorProto.BOOL), vi("x", [1])], [vi("y", [1])]), ["OPT1120"])
    c("dangling_node_input", "dangling", "a node reads a name nothing defines", make([add("x", "ghost", "y", "n")], [vi("x", [1])], [vi("y", [1])]), ["OPT1121"])
    c("dangling_graph_output", "dangling", "a graph output no node produces", make([relu("x", "y", "n")], [vi("x", [1])], [vi("y", [1]), vi("ghost", [1])]), ["OPT1121"])
    inner = helper.make_graph([add("x", "ghost", "z", "b1")], "body", [], [vi("z", [1])])
    c("dangling_in_subgraph", "dangling", "an If branch reads an outer name nothing defines",
      make([helper.make_node("If", ["cond"], ["y"], then_branch=inner, else_branch=inner, name="if")], [vi("cond", [], TensorProto.BOOL), vi("x", [1])], [vi("y", [1])]), ["OPT1121"])
    c("dangling_duplicate_output", "dangling", "two nodes produce the same name", make([relu("x", "y", "n1"), relu("x", "y", "n2")], [vi("x", [1])], [vi("y", [1])]), ["OPT1122"])
    c("dangling_duplicate_initializer", "dangling", "two initializers with the same name",
      make([add("x", "w", "y", "n")], [vi("x", [1])], [vi("y", [1])], [init("w", [1.0], [1]), init("w", [2.0], [1])]), ["OPT1122"])
    c("dangling_duplicate_input", "dangling", "two graph inputs with the same name", make([relu("x", "y", "n")], [vi("x", [1]), vi("x", [1])], [vi("y", [1])]), ["OPT1122"])
    c("dangling_empty_input_name_required", "dangling", "Add whose second input is the empty name (absent, but required)",
      make([add("x", "", "y", "n")], [vi("x", [1])], [vi("y", [1])]), ["OPT1121", "OPT1068", "OPT1069", "OPT1123"])


def controls():
    model_case("control_relu", "control", "benign control: Relu", relu_model(), "succeeds")
    model_case("control_gemm_quantized", "control", "benign control: Gemm with DynamicInt8", gemm_model(), "succeeds", passes=["Quantize:Mode=DynamicInt8"], generated_code=True)
    t = external(ext_tensor("c", 16), "control_external.bin", 0, 64)
    write("control_external.onnx", model_bytes(external_model("control_external", [t])))
    write("control_external.bin", struct.pack("<16f", *[float(i) / 4 for i in range(16)]))
    case("control_external", "control", "benign control: one external-data tensor in a regular file", ["control_external.onnx", "control_external.bin"],
         optimize("control_external"), "succeeds")


def fuzz_seeds():
    """Seed inputs of the in-process fuzzers (tests/hostile/fuzz/<target>/seeds); crashes they find go beside them."""
    conv = make(
        [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["r"], name="relu"),
         helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
         helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
         helper.make_node("MatMul", ["f", "m"], ["mm"], name="mm"),
         helper.make_node("Add", ["mm", "bias"], ["y"], name="add")],
        [vi("x", ["n", 1, 8, 8])], [vi("y", ["n", 4])],
        [init("w", [0.1 * (i % 7 - 3) for i in range(18)], [2, 1, 3, 3]), init("b", [0.1, -0.1], [2]),
         init("m", [0.05 * (i % 5 - 2) for i in range(128)], [32, 4]), init("bias", [0.0, 0.1, 0.2, 0.3], [4])])
    folding = make(
        [helper.make_node("Shape", ["x"], ["s"], name="shape"),
         helper.make_node("Constant", [], ["k"], name="k", value=helper.make_tensor("kv", TensorProto.INT64, [1], [-1])),
         helper.make_node("Concat", ["k", "k"], ["s2"], name="concat", axis=0),
         helper.make_node("Reshape", ["x", "s2"], ["r"], name="reshape"),
         helper.make_node("Transpose", ["r"], ["t"], name="transpose", perm=[1, 0]),
         helper.make_node("Identity", ["t"], ["y"], name="identity")],
        [vi("x", [2, 6])], [vi("y", None)])
    seeds = {
        "pipeline/seeds/relu.onnx": model_bytes(relu_model()),
        "pipeline/seeds/gemm.onnx": model_bytes(gemm_model()),
        "pipeline/seeds/matmul.onnx": model_bytes(matmul_model()),
        "pipeline/seeds/conv.onnx": model_bytes(conv),
        "pipeline/seeds/folding.onnx": model_bytes(folding),
        "npy/seeds/v1_2d.npy": npy(np.arange(12, dtype="<f4").reshape(3, 4) / 4),
        "npy/seeds/v1_1d.npy": npy(np.arange(5, dtype="<f4")),
        "npy/seeds/v1_4d.npy": npy(np.ones((2, 1, 2, 2), dtype="<f4")),
        "npy/seeds/v2.npy": b"\x93NUMPY\x02\x00" + struct.pack("<I", 118) + b"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }".ljust(117) + b"\n" + np.ones(4, "<f4").tobytes(),
        "npy/seeds/v3.npy": b"\x93NUMPY\x03\x00" + struct.pack("<I", 118) + b"{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }".ljust(117) + b"\n" + np.ones(4, "<f4").tobytes(),
    }
    for name, data in seeds.items():
        path = os.path.join(HERE, "fuzz", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def main():
    fuzz_seeds()
    injection()
    special_files()
    amplification()
    ort_crash()
    unrunnable()
    bad_data()
    shape_inference()
    malformed()
    nesting()
    cycles_and_dangling()
    controls()

    os.makedirs(MODELS, exist_ok=True)
    for old in os.listdir(MODELS):
        if old not in FILES:
            os.remove(os.path.join(MODELS, old))
    for name, data in sorted(FILES.items()):
        with open(os.path.join(MODELS, name), "wb") as f:
            f.write(data)
    for c in CASES:
        missing = [f for f in c["files"] if f not in FILES]
        if missing:
            raise SystemExit(f"{c['name']}: files not generated: {missing}")
    doc = {
        "comment": "Generated by tests/hostile/generate.py; do not edit. Run by tests/Optimizer.Hostile.Tests.",
        "neverAccepted": ["OPT1099"],
        "cases": CASES,
    }
    with open(os.path.join(HERE, "cases.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, indent=1, ensure_ascii=True, sort_keys=False)
        f.write("\n")
    counts = {}
    for c in CASES:
        counts[c["category"]] = counts.get(c["category"], 0) + 1
    print(f"{len(CASES)} cases, {len(FILES)} files: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
