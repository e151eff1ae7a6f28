using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

// Operators on tensors of any element type (int64 ids, bool masks, float): the typed kernels take
// bytes and the element type (or size) as an argument.
internal static partial class NodeEmitter
{
    private static readonly Dictionary<string, Kernels.CompareOp> CompareOps = new()
    {
        ["Equal"] = Kernels.CompareOp.Equal, ["Less"] = Kernels.CompareOp.Less, ["Greater"] = Kernels.CompareOp.Greater,
        ["LessOrEqual"] = Kernels.CompareOp.LessOrEqual, ["GreaterOrEqual"] = Kernels.CompareOp.GreaterOrEqual,
    };

    private static readonly Dictionary<string, int> LogicalOps = new() { ["And"] = 0, ["Or"] = 1, ["Xor"] = 2, ["Not"] = 3 };

    /// <summary>An operand over a value's bytes (the typed kernels' spans are bytes).</summary>
    private static RawOperand Bytes(BuildContext ctx, Val v) => ctx.Op(v) with { Length = v.Count * ElementTypes.Size(v.Type) };

    /// <summary>The broadcast arguments of a kernel: rank, the output's dims, then each operand's strides (each padded to six).</summary>
    private static Dim[] BroadcastArgs(Dim[] outShape, params Dim[][] shapes)
    {
        var (dims, strides) = ShapeOps.Coalesce(outShape, shapes.Select(s => ShapeOps.BroadcastStrides(s, outShape)).ToArray());
        if (dims.Length > Kernels.MaxRank)
        {
            throw new UnsupportedException($"broadcast over {dims.Length} dimensions (at most {Kernels.MaxRank})");
        }

        return [dims.Length, .. Pad6(dims), .. strides.SelectMany(Pad6)];
    }

    private static void EmitCast(BuildContext ctx, OnnxNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        var to = node.OpType == "CastLike" ? ctx.Get(node.Inputs[1]).Type : (TensorElementType)node.Int("to", 0);
        if (to == x.Type)
        {
            DefineAlias(ctx, node.Outputs[0], x, x.Shape);
            return;
        }

        if (x.Const is { } c)
        {
            // Shape arithmetic (Shape → Cast → Slice → Concat → Reshape) stays constant.
            ctx.Define(new Val(node.Outputs[0], to, Dims.Of(c.Shape)) { Const = CastConstant(c, to) });
            return;
        }

        var y = ctx.NewValue(node.Outputs[0], to, x.Shape);
        ctx.Emit(StepKind.Cast, [Bytes(ctx, x), Bytes(ctx, y)], [(long)ElementTypes.Kernel(x.Type), (long)ElementTypes.Kernel(to), x.Count], []);
    }

    /// <summary>A constant converted at compile time as <see cref="Kernels.Cast"/> converts at run time.</summary>
    private static ConstData CastConstant(ConstData c, TensorElementType to)
    {
        _ = ElementTypes.Kernel(to); // refuses the types the kernels lack (float16, double, …)
        if (to == TensorElementType.Float)
        {
            return new ConstData(to, c.Shape, c.AsFloats(), null, null);
        }

        // Sizes of the symbolic dims stay sizes through int64/int32 casts (they are far from either limit).
        if (c.Longs is { } sizes && to is TensorElementType.Int64 or TensorElementType.Int32 && sizes.Any(d => !d.IsConstant))
        {
            return new ConstData(to, c.Shape, null, sizes, null);
        }

        var longs = to == TensorElementType.Bool ? c.AsFloats().Select(v => v != 0 ? 1L : 0L).ToArray()
            : c.Floats?.Select(v => float.IsNaN(v) ? 0L : (long)v).ToArray() ?? c.IntegerValues("a cast constant");
        return new ConstData(to, c.Shape, null, Dims.Of(to switch
        {
            TensorElementType.Int32 => longs.Select(v => (long)unchecked((int)v)),
            TensorElementType.Int8 => longs.Select(v => (long)unchecked((sbyte)v)),
            TensorElementType.UInt8 => longs.Select(v => (long)unchecked((byte)v)),
            _ => longs,
        }), null);
    }

    /// <summary>Gather at run time: any data type, int64 or int32 indices (int32 converted first), any axis.</summary>
    private static void EmitGather(BuildContext ctx, OnnxNode node)
    {
        var data = ctx.Get(node.Inputs[0]);
        var indices = Int64Indices(ctx, ctx.Get(node.Inputs[1]));
        var axis = Attrs.NormalizeAxis(node.Int("axis", 0), data.Shape.Length);
        var (shape, outer, axisLength, row, count) = OpShapes.Gather(data.Shape, indices.Shape, axis);
        var y = ctx.NewValue(node.Outputs[0], data.Type, shape);
        if (y.Count > 0)
        {
            ctx.Emit(StepKind.Gather, [Bytes(ctx, data), Bytes(ctx, indices), Bytes(ctx, y)], [outer, axisLength, row * ElementTypes.Size(data.Type), count], []);
        }
    }

    private static Val Int64Indices(BuildContext ctx, Val indices)
    {
        if (indices.Type == TensorElementType.Int64)
        {
            return indices;
        }

        if (indices.Type != TensorElementType.Int32)
        {
            throw new UnsupportedException($"indices of type {indices.Type}");
        }

        if (indices.Const is { } c)
        {
            return new Val(indices.Name + ":int64", TensorElementType.Int64, indices.Shape) { Const = new ConstData(TensorElementType.Int64, c.Shape, null, c.Longs, null) };
        }

        var wide = ctx.NewValue(indices.Name + ":int64", TensorElementType.Int64, indices.Shape);
        ctx.Emit(StepKind.Cast, [Bytes(ctx, indices), Bytes(ctx, wide)], [(long)KernelElementType.Int32, (long)KernelElementType.Int64, indices.Count], []);
        return wide;
    }

    private static void EmitCompare(BuildContext ctx, OnnxNode node)
    {
        var (a, b) = (ctx.Get(node.Inputs[0]), ctx.Get(node.Inputs[1]));
        if (a.Type != b.Type)
        {
            throw new UnsupportedException($"{node.OpType} of {a.Type} and {b.Type}");
        }

        var shape = ShapeOps.Broadcast(a.Shape, b.Shape);
        var y = ctx.NewValue(node.Outputs[0], TensorElementType.Bool, shape);
        ctx.Emit(StepKind.Compare, [Bytes(ctx, a), Bytes(ctx, b), Bytes(ctx, y)],
            [(long)CompareOps[node.OpType], (long)ElementTypes.Kernel(a.Type), .. BroadcastArgs(shape, a.Shape, b.Shape)], []);
    }

    private static void EmitLogical(BuildContext ctx, OnnxNode node)
    {
        var inputs = node.Inputs.Select(ctx.Get).ToArray();
        if (inputs.Any(v => v.Type != TensorElementType.Bool))
        {
            throw new UnsupportedException($"{node.OpType} takes bool tensors");
        }

        var (a, b) = (inputs[0], inputs.Length > 1 ? inputs[1] : inputs[0]);
        var shape = ShapeOps.Broadcast(a.Shape, b.Shape);
        var y = ctx.NewValue(node.Outputs[0], TensorElementType.Bool, shape);
        ctx.Emit(StepKind.Logical, [Bytes(ctx, a), Bytes(ctx, b), Bytes(ctx, y)], [LogicalOps[node.OpType], .. BroadcastArgs(shape, a.Shape, b.Shape)], []);
    }

    private static void EmitWhere(BuildContext ctx, OnnxNode node)
    {
        var (condition, a, b) = (ctx.Get(node.Inputs[0]), ctx.Get(node.Inputs[1]), ctx.Get(node.Inputs[2]));
        if (condition.Type != TensorElementType.Bool || a.Type != b.Type)
        {
            throw new UnsupportedException($"Where of {condition.Type}, {a.Type} and {b.Type}");
        }

        var shape = ShapeOps.Broadcast(condition.Shape, ShapeOps.Broadcast(a.Shape, b.Shape));
        var y = ctx.NewValue(node.Outputs[0], a.Type, shape);
        ctx.Emit(StepKind.Where, [Bytes(ctx, condition), Bytes(ctx, a), Bytes(ctx, b), Bytes(ctx, y)],
            [ElementTypes.Size(a.Type), .. BroadcastArgs(shape, condition.Shape, a.Shape, b.Shape)], []);
    }

    private static void EmitExpand(BuildContext ctx, OnnxNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        EmitStridedRead(ctx, node.Outputs[0], x, OpShapes.Expand(x.Shape, ShapeOps.LongsInput(ctx, node, 1, "the Expand shape")));
    }

    private static void EmitTile(BuildContext ctx, OnnxNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        var (shape, view) = OpShapes.Tile(x.Shape, ShapeOps.LongsInput(ctx, node, 1, "the Tile repeats"));
        EmitStridedRead(ctx, node.Outputs[0], x, view, shape);
    }

    /// <summary>A new value <paramref name="name"/> read from x by <paramref name="read"/> (shaped <paramref name="shape"/> when the read is a view of it).</summary>
    private static void EmitStridedRead(BuildContext ctx, string name, Val x, OpShapes.StridedRead read, Dim[]? shape = null)
    {
        if (x.Const is { } c && OpShapes.IsConstant(read) && (shape ?? read.Shape).All(d => d.IsConstant))
        {
            // On a constant (shape arithmetic, position tables) the read happens now: the result stays a constant.
            var picked = OpShapes.Gather(read);
            var folded = new ConstData(c.Type, (shape ?? read.Shape).Constants("a constant's shape"), c.Floats is { } f ? picked.Select(i => f[i]).ToArray() : null,
                c.Longs is { } l ? picked.Select(i => l[i]).ToArray() : null, null);
            ctx.Define(new Val(name, c.Type, Dims.Of(folded.Shape)) { Const = folded });
            return;
        }

        var y = ctx.NewValue(name, x.Type, shape ?? read.Shape);
        if (y.Count == 0)
        {
            return;
        }

        var (dims, strides) = ShapeOps.Coalesce(read.Shape, read.Strides, OpShapes.Strides(read.Shape));
        if (dims.Length > Kernels.MaxRank)
        {
            throw new UnsupportedException($"a strided copy over {dims.Length} dimensions (at most {Kernels.MaxRank})");
        }

        // A read of a constant whose extent depends on the symbolic dims (a position table cut to the
        // sequence length) copies from the weights at run time.
        ctx.Emit(StepKind.CopyStrided, [Bytes(ctx, x), Bytes(ctx, y)], [ElementTypes.Size(x.Type), read.Start, dims.Length, .. Pad6(dims), .. Pad6(strides[0])], []);
    }

    /// <summary>ConstantOfShape: a constant when the shape is, else the value broadcast at run time.</summary>
    private static void EmitConstantOfShape(BuildContext ctx, OnnxNode node)
    {
        var shape = ShapeOps.LongsInput(ctx, node, 0, "the ConstantOfShape shape");
        var value = node.FindAttribute("value")?.Tensor is { } t ? ConstData.FromTensor(t) : new ConstData(TensorElementType.Float, [1], [0f], null, null);
        if (shape.Any(d => !d.IsConstant))
        {
            var scalar = new Val(node.Outputs[0] + ":value", value.Type, [1]) { Const = value with { Shape = [1] } };
            EmitStridedRead(ctx, node.Outputs[0], scalar, OpShapes.Expand([1], shape));
            return;
        }

        var constantShape = shape.Constants("the ConstantOfShape shape");
        var count = constantShape.Product();
        var c = value.Floats is { } f
            ? new ConstData(value.Type, constantShape, Enumerable.Repeat(f[0], (int)count).ToArray(), null, null)
            : new ConstData(value.Type, constantShape, null, Enumerable.Repeat(value.Longs![0], (int)count).ToArray(), null);
        ctx.Define(new Val(node.Outputs[0], c.Type, shape) { Const = c });
    }

    /// <summary>Range on constant start, limit and delta: a constant.</summary>
    private static void EmitRange(BuildContext ctx, OnnxNode node)
    {
        var (start, limit, delta) = (ctx.Get(node.Inputs[0]).Const, ctx.Get(node.Inputs[1]).Const, ctx.Get(node.Inputs[2]).Const);
        if (start is null || limit is null || delta is null)
        {
            throw new UnsupportedException("Range on values computed at run time");
        }

        ConstData c;
        if (start.Floats is { } s)
        {
            var (l, d) = (limit.AsFloats()[0], delta.AsFloats()[0]);
            var n = (long)Math.Max(Math.Ceiling((l - s[0]) / d), 0);
            c = new ConstData(start.Type, [n], Enumerable.Range(0, (int)n).Select(i => s[0] + i * d).ToArray(), null, null);
        }
        else
        {
            var (s0, l, d) = (start.IntegerValues("Range's start")[0], limit.IntegerValues("Range's limit")[0], delta.IntegerValues("Range's delta")[0]);
            var n = (long)Math.Max(Math.Ceiling((double)(l - s0) / d), 0);
            c = new ConstData(start.Type, [n], null, Dims.Of(Enumerable.Range(0, (int)n).Select(i => s0 + i * d)), null);
        }

        ctx.Define(new Val(node.Outputs[0], c.Type, Dims.Of(c.Shape)) { Const = c });
    }

    /// <summary>A new name for the same bytes (or constant) with <paramref name="shape"/>.</summary>
    private static void DefineAlias(BuildContext ctx, string name, Val x, Dim[] shape) =>
        ctx.Define(new Val(name, x.Type, shape) { Storage = x.Storage, Offset = x.Offset, Const = x.Const is null ? null : x.Const with { Shape = shape.Constants("a constant's shape") } });
}
