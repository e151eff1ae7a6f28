using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class NodeEmitter
{
    private static void EmitUnary(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        var (op, alpha, beta) = node.OpType switch
        {
            "Relu" => (0, 0f, 0f),
            "Sigmoid" => (1, 0f, 0f),
            "Tanh" => (2, 0f, 0f),
            "LeakyRelu" => (3, node.Float("alpha", 0.01f), 0f),
            "HardSigmoid" => (4, node.Float("alpha", 0.2f), node.Float("beta", 0.5f)),
            "Clip" => (5, ClipBound(ctx, node, 1, "min", float.NegativeInfinity), ClipBound(ctx, node, 2, "max", float.PositiveInfinity)),
            "Exp" => (6, 0f, 0f),
            "Neg" => (7, 0f, 0f),
            "Abs" => (8, 0f, 0f),
            "Sqrt" => (9, 0f, 0f),
            "Elu" => (11, node.Float("alpha", 1f), 0f),
            "Softplus" => (12, 0f, 0f),
            "Log" => (13, 0f, 0f),
            "Reciprocal" => (14, 0f, 0f),
            "Floor" => (15, 0f, 0f),
            "Ceil" => (16, 0f, 0f),
            _ => throw new UnsupportedException($"unary {node.OpType}"),
        };
        var y = Out(ctx, node.Outputs[0], x.Shape);
        ctx.Emit(StepKind.Unary, [ctx.Op(x), ctx.Op(y)], [op, x.Count], [alpha, beta]);
    }

    private static float ClipBound(BuildContext ctx, OnnxNode node, int input, string attribute, float fallback) =>
        ConstantClipBound(ctx, node, input, attribute, fallback) ?? throw new UnsupportedException($"Clip {attribute} must be a float32 constant scalar");

    /// <summary>
    /// A Clip bound: the attribute before opset 11, else the input (<paramref name="fallback"/> when
    /// absent), also while its Constant node is not emitted yet (a fusion looks ahead); null when the
    /// input is not a float32 constant scalar.
    /// </summary>
    private static float? ConstantClipBound(BuildContext ctx, OnnxNode node, int input, string attribute, float fallback) =>
        ctx.Opset < 11 ? node.Float(attribute, fallback)
        : input >= node.Inputs.Count || node.Inputs[input].Length == 0 ? fallback
        : FloatConstant(ctx, node.Inputs[input]) is { Count: 1 } c ? c.Values[0] : null;

    private static readonly Dictionary<string, int> BinaryOps = new() { ["Add"] = 0, ["Sub"] = 1, ["Mul"] = 2, ["Div"] = 3, ["Max"] = 4, ["Min"] = 5, ["Pow"] = 6, ["Sum"] = 0 };

    private static void EmitBinary(BuildContext ctx, OnnxNode node)
    {
        var inputs = node.Inputs.Select(i => Float(ctx, i)).ToArray();
        if (inputs.Length == 1)
        {
            var single = Out(ctx, node.Outputs[0], inputs[0].Shape);
            ctx.Emit(StepKind.Copy, [ctx.Op(inputs[0]), ctx.Op(single)], [single.Count], []);
            return;
        }

        if (inputs.Length > 2)
        {
            throw new UnsupportedException($"{node.OpType} with more than two inputs");
        }

        var shape = ShapeOps.Broadcast(inputs[0].Shape, inputs[1].Shape);
        GuardEqualSizes(ctx, inputs[0].Shape, inputs[1].Shape);
        var y = Out(ctx, node.Outputs[0], shape);
        EmitBroadcastBinary(ctx, BinaryOps[node.OpType], inputs[0], inputs[1], y);
    }

    /// <summary>
    /// Operands whose sizes agree in this build but are different expressions (an upsampled FPN level,
    /// 2·⌊h/32⌋, added to the level above, ⌊h/16⌋): the program holds only where they agree, a guard.
    /// </summary>
    private static void GuardEqualSizes(BuildContext ctx, Dim[] a, Dim[] b)
    {
        for (var i = 1; i <= Math.Min(a.Length, b.Length); i++)
        {
            var (da, db) = (a[^i], b[^i]);
            if (da != 1 && db != 1 && !da.Size.Equals(db.Size))
            {
                ctx.Decide(da, db, ShapeRelation.Equal);
            }
        }
    }

    private static void EmitBroadcastBinary(BuildContext ctx, int op, Val a, Val b, Val y)
    {
        var (dims, strides) = ShapeOps.Coalesce(y.Shape, ShapeOps.BroadcastStrides(a.Shape, y.Shape), ShapeOps.BroadcastStrides(b.Shape, y.Shape));
        if (dims.Length > Kernels.MaxRank)
        {
            throw new UnsupportedException($"broadcast over {dims.Length} dimensions (at most {Kernels.MaxRank})");
        }

        ctx.Emit(StepKind.Binary, [ctx.Op(a), ctx.Op(b), ctx.Op(y)], [op, dims.Length, .. Pad6(dims), .. Pad6(strides[0]), .. Pad6(strides[1])], []);
    }

    private static Dim[] Pad6(Dim[] values) => values.Concat(Enumerable.Repeat((Dim)0, Kernels.MaxRank - values.Length)).ToArray();

    private static void EmitTranspose(BuildContext ctx, OnnxNode node)
    {
        if (IsHeadSplitReadInPlace(ctx, node))
        {
            return; // the MatMul reading it reads the heads in place (NodeEmitter.Attention)
        }

        var x = ctx.Get(node.Inputs[0]);
        var perm = node.Ints("perm")?.Select(p => (int)p).ToArray() ?? Enumerable.Range(0, x.Shape.Length).Reverse().ToArray();
        if (x.Type != TensorElementType.Float)
        {
            // Integer tensors (pads computed by exporters, index tables) transpose as a strided read:
            // folded when constant, else a byte copy.
            var strides = OpShapes.Strides(x.Shape);
            EmitStridedRead(ctx, node.Outputs[0], x, new OpShapes.StridedRead(perm.Select(p => x.Shape[p]).ToArray(), 0, perm.Select(p => strides[p]).ToArray()));
            return;
        }

        var y = Out(ctx, node.Outputs[0], perm.Select(p => x.Shape[p]).ToArray());
        EmitTransposeInto(ctx, ctx.Op(x), x.Shape, perm, ctx.Op(y));
    }

    private static void EmitTransposeInto(BuildContext ctx, RawOperand x, Dim[] shape, int[] perm, RawOperand y)
    {
        var inStrides = new Dim[shape.Length];
        Dim stride = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            inStrides[i] = stride;
            stride *= shape[i];
        }

        var outDims = perm.Select(p => shape[p]).ToArray();
        var outStrides = new Dim[outDims.Length];
        stride = 1;
        for (var i = outDims.Length - 1; i >= 0; i--)
        {
            outStrides[i] = stride;
            stride *= outDims[i];
        }

        var (dims, strides) = ShapeOps.Coalesce(outDims, perm.Select(p => inStrides[p]).ToArray(), outStrides);
        if (dims.Length > Kernels.MaxRank)
        {
            throw new UnsupportedException($"transpose over {dims.Length} dimensions (at most {Kernels.MaxRank})");
        }

        ctx.Emit(StepKind.Transpose, [x, y], [dims.Length, .. Pad6(dims), .. Pad6(strides[0])], []);
    }

    private static void EmitConcat(BuildContext ctx, OnnxNode node)
    {
        var inputs = node.Inputs.Select(i => Float(ctx, i)).ToArray();
        var rank = inputs[0].Shape.Length;
        var axis = Attrs.NormalizeAxis(node.Int("axis", 0), rank);
        var shape = (Dim[])inputs[0].Shape.Clone();
        shape[axis] = inputs.Skip(1).Aggregate(inputs[0].Shape[axis], (sum, v) => sum + v.Shape[axis]);
        var y = Out(ctx, node.Outputs[0], shape);
        var outer = shape.Product(0, axis);
        var dstStride = shape.Product(axis);
        Dim offset = 0;
        var yOp = ctx.Op(y);
        foreach (var v in inputs)
        {
            var block = v.Shape.Product(axis);
            if (block > 0)
            {
                ctx.Emit(StepKind.CopyBlocks, [ctx.Op(v), yOp with { ByteOffset = yOp.ByteOffset + offset * 4, Length = y.Count - offset }],
                    [outer, block, block, dstStride], []);
            }

            offset += block;
        }
    }

    private static void EmitSoftmax(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        var rank = x.Shape.Length;
        var axis = Attrs.NormalizeAxis(node.Int("axis", ctx.Opset >= 13 ? -1 : 1), rank);
        var (outer, length, inner) = ctx.Opset >= 13
            ? (x.Shape.Product(0, axis), x.Shape[axis], x.Shape.Product(axis + 1))
            : (x.Shape.Product(0, axis), x.Shape.Product(axis), (Dim)1);
        var y = Out(ctx, node.Outputs[0], x.Shape);
        ctx.Emit(StepKind.Softmax, [ctx.Op(x), ctx.Op(y)], [outer, length, inner, node.OpType == "LogSoftmax" ? 1 : 0], []);
    }

    private static void EmitBatchNorm(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        if (node.Outputs.Count(o => o.Length > 0) > 1 || node.Int("training_mode", 0) != 0)
        {
            throw new UnsupportedException("BatchNormalization in training mode");
        }

        var parts = Enumerable.Range(1, 4).Select(i => ctx.Optional(node, i)?.Const?.Floats ?? throw new UnsupportedException("BatchNormalization parameters must be float32 constants")).ToArray();
        var epsilon = node.Float("epsilon", 1e-5f);
        var channels = (int)(x.Shape.Length > 1 ? x.Shape[1] : 1).Constant("BatchNormalization's channel count");
        var scale = new float[channels];
        var shift = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            scale[c] = parts[0][c] / MathF.Sqrt(parts[3][c] + epsilon);
            shift[c] = parts[1][c] - parts[2][c] * scale[c];
        }

        var paramShape = new long[Math.Max(1, x.Shape.Length - 1)];
        Array.Fill(paramShape, 1L);
        paramShape[0] = channels;
        var y = Out(ctx, node.Outputs[0], x.Shape);
        var scaleVal = new Val(node.Outputs[0] + ":bn-scale", TensorElementType.Float, Dims.Of(paramShape)) { Const = new ConstData(TensorElementType.Float, paramShape, scale, null, null) };
        var shiftVal = new Val(node.Outputs[0] + ":bn-shift", TensorElementType.Float, Dims.Of(paramShape)) { Const = new ConstData(TensorElementType.Float, paramShape, shift, null, null) };
        EmitBroadcastBinary(ctx, 2, x, scaleVal, y);
        EmitBroadcastBinary(ctx, 0, y, shiftVal, y);
    }
}
