using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

// Slice, Split and Pad with constant parameters, on any element type (Pad: float).
internal static partial class NodeEmitter
{
    private static void EmitSlice(BuildContext ctx, OnnxNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        var read = ctx.Opset >= 10
            ? OpShapes.Slice(ctx, x.Shape, ShapeOps.LongsInput(ctx, node, 1, "Slice starts"), ShapeOps.LongsInput(ctx, node, 2, "Slice ends"),
                OptionalConstLongs(ctx, node, 3, "Slice axes"), OptionalConstLongs(ctx, node, 4, "Slice steps"))
            : OpShapes.Slice(ctx, x.Shape, Dims.Of(node.Ints("starts") ?? []), Dims.Of(node.Ints("ends") ?? []), node.Ints("axes"), null);
        EmitStridedRead(ctx, node.Outputs[0], x, read);
    }

    private static long[]? OptionalConstLongs(BuildContext ctx, OnnxNode node, int index, string what) =>
        ctx.Optional(node, index) is null ? null : ShapeOps.LongsInput(ctx, node, index, what).Constants(what);

    private static void EmitSplit(BuildContext ctx, OnnxNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        var axis = Attrs.NormalizeAxis(node.Int("axis", 0), x.Shape.Length);
        var outputs = node.Outputs.Count;
        var given = ctx.Opset >= 13 ? OptionalConstLongs(ctx, node, 1, "Split sizes") : node.Ints("split");
        var sizes = given is not null ? Dims.Of(given) : EqualSplit(x.Shape[axis].Constant("the length Split divides equally"), node.Int("num_outputs", outputs));
        var parts = OpShapes.Split(x.Shape, axis, sizes);
        for (var i = 0; i < outputs; i++)
        {
            if (node.Outputs[i].Length > 0)
            {
                EmitStridedRead(ctx, node.Outputs[i], x, parts[i]);
            }
        }
    }

    /// <summary>num_outputs parts of ⌈size / parts⌉, the last smaller when it does not divide.</summary>
    private static Dim[] EqualSplit(long size, long parts)
    {
        var chunk = (size + parts - 1) / parts;
        return Enumerable.Range(0, (int)parts).Select(i => (Dim)Math.Clamp(size - i * chunk, 0, chunk)).ToArray();
    }

    private static readonly Dictionary<string, int> PadModes = new() { ["constant"] = 0, ["reflect"] = 1, ["edge"] = 2 };

    private static void EmitPad(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        var rank = x.Shape.Length;
        var mode = PadModes.TryGetValue(node.Str("mode", "constant"), out var m) ? m : throw new UnsupportedException($"Pad mode {node.Str("mode", "")}");
        var pads = ctx.Opset >= 11 ? ShapeOps.LongsInput(ctx, node, 1, "the pads").Constants("the pads") : node.Ints("pads") ?? throw new UnsupportedException("Pad without pads");
        var value = ctx.Opset >= 11 ? ctx.Optional(node, 2)?.Const?.AsFloats() is [var v] ? v : ctx.Optional(node, 2) is null ? 0f
                : throw new UnsupportedException("the Pad value must be a constant scalar")
            : node.Float("value", 0f);
        var axes = (OptionalConstLongs(ctx, node, 3, "Pad axes") ?? Enumerable.Range(0, rank).Select(i => (long)i)).Select(a => Attrs.NormalizeAxis(a, rank)).ToArray();
        var (begins, ends) = (new long[rank], new long[rank]);
        for (var i = 0; i < axes.Length; i++)
        {
            (begins[axes[i]], ends[axes[i]]) = (pads[i], pads[i + axes.Length]);
        }

        if (rank > Kernels.MaxRank || rank == 0)
        {
            throw new UnsupportedException($"Pad of rank {rank}");
        }

        var y = Out(ctx, node.Outputs[0], OpShapes.Pad(x.Shape, begins, ends));
        ctx.Emit(StepKind.Pad, [ctx.Op(x), ctx.Op(y)], [mode, rank, .. Pad6(x.Shape), .. Pad6(y.Shape), .. Pad6(Dims.Of(begins))], [value]);
    }
}
