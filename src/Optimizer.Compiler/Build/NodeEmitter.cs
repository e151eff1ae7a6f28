using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

/// <summary>Turns one node into steps (or aliases, or folded constants) in a <see cref="BuildContext"/>.</summary>
internal static partial class NodeEmitter
{
    /// <summary>The operators the compiler knows (a node may still be refused for its attributes, types or shapes).</summary>
    public static readonly IReadOnlySet<string> SupportedOps = new HashSet<string>(StringComparer.Ordinal)
    {
        "Gemm", "MatMul", "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
        "Relu", "Clip", "Sigmoid", "Tanh", "LeakyRelu", "HardSigmoid", "Elu", "Exp", "Neg", "Abs", "Sqrt", "Softplus", "Log", "Reciprocal", "Floor", "Ceil",
        "Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Sum",
        "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Concat",
        "Softmax", "LogSoftmax", "BatchNormalization", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin",
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "MatMulInteger", MatMulIntegerToFloat,
        "Constant", "Shape", "Size", "Gather", "Cast",
        // issue 14: the ops the real models need
        "Erf", "Gelu", "HardSwish", "PRelu", "LayerNormalization", "CastLike", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
        "Not", "And", "Or", "Xor", "Where", "Expand", "Tile", "Range", "ConstantOfShape", "Slice", "Split", "Pad", "Resize", "ConvTranspose", "If",
        "LSTM", "GRU",
    };

    /// <summary>The one com.microsoft operator the kernels run: dynamic INT8 with per-row activation scales.</summary>
    private const string MatMulIntegerToFloat = "MatMulIntegerToFloat";

    /// <summary>Whether the kernel set has <paramref name="node"/>'s operator (its domain included).</summary>
    public static bool IsSupported(OnnxNode node) =>
        node.IsDefaultDomain ? SupportedOps.Contains(node.OpType) : node is { Domain: "com.microsoft", OpType: MatMulIntegerToFloat };

    public static void Emit(BuildContext ctx, OnnxNode node)
    {
        if (node is { Domain: "com.microsoft", OpType: MatMulIntegerToFloat })
        {
            EmitMatMulIntegerToFloat(ctx, node);
            return;
        }

        if (!node.IsDefaultDomain)
        {
            throw new UnsupportedException($"operator domain '{node.Domain}' is not supported");
        }

        if (node.OpType == "If")
        {
            EmitIf(ctx, node);
            return;
        }

        if (node.Attributes.Any(a => a.RefAttributeName is not null || a.HasSubgraphs))
        {
            throw new UnsupportedException("attribute references and subgraphs are not supported");
        }

        if (ctx.Fused.TryGetValue(node, out var group))
        {
            QdqFusion.Emit(ctx, group);
            return;
        }

        if (ctx.PassThrough.TryGetValue(node, out var pass))
        {
            EmitQuantizedPassThrough(ctx, node, pass.Dq, pass.Q);
            return;
        }

        if (ctx.Lookups.TryGetValue(node, out var lookup))
        {
            QdqLookupFusion.Emit(ctx, lookup);
            return;
        }

        if (ctx.Elementwise.TryGetValue(node, out var elementwise))
        {
            QdqFusion.EmitElementwise(ctx, elementwise);
            return;
        }

        if (node.OpType == "Constant")
        {
            var tensor = node.Attributes.Count > 0 ? ConstantOf(node) : throw new UnsupportedException("Constant without a value");
            ctx.Define(new Val(node.Outputs[0], tensor.Type, Dims.Of(tensor.Shape)) { Const = tensor });
            return;
        }

        // A MatMul reading attention heads in place: its head-split inputs were never emitted.
        if (node.OpType == "MatMul" && TryEmitHeadMatMul(ctx, node))
        {
            return;
        }

        // Nodes on constants only are folded where an evaluator exists (shape arithmetic).
        var inputs = node.Inputs.Where(i => i.Length > 0).Select(ctx.Get).ToArray();
        if (inputs.Length > 0 && inputs.All(v => v.IsConst) && ConstantFolder.TryFold(ctx, node, inputs))
        {
            return;
        }

        // An elementwise chain (affine, activation) no convolution took in: one pass.
        if (TryEmitActivationChain(ctx, node))
        {
            return;
        }

        switch (node.OpType)
        {
            case "Gemm": EmitGemm(ctx, node); break;
            case "MatMul": EmitMatMul(ctx, node); break;
            case "Conv": EmitConv(ctx, node); break;
            case "MaxPool" or "AveragePool": EmitPool(ctx, node); break;
            case "GlobalAveragePool" or "GlobalMaxPool": EmitGlobalPool(ctx, node); break;
            case "Add" or "Sub" or "Mul" or "Div" or "Max" or "Min" or "Pow" or "Sum": EmitBinary(ctx, node); break;
            case "Clip" when HasRuntimeBound(ctx, node): EmitClipRuntimeBounds(ctx, node); break;
            case "Relu" or "Clip" or "Sigmoid" or "Tanh" or "LeakyRelu" or "HardSigmoid" or "Elu" or "Exp" or "Neg" or "Abs" or "Sqrt"
                or "Softplus" or "Log" or "Reciprocal" or "Floor" or "Ceil":
                EmitUnary(ctx, node); break;
            case "Flatten" or "Reshape" or "Squeeze" or "Unsqueeze" or "Identity" or "Dropout": EmitAlias(ctx, node); break;
            case "Transpose": EmitTranspose(ctx, node); break;
            case "Concat": EmitConcat(ctx, node); break;
            case "Softmax" or "LogSoftmax": EmitSoftmax(ctx, node); break;
            case "BatchNormalization": EmitBatchNorm(ctx, node); break;
            case "ReduceMean" or "ReduceSum" or "ReduceMax" or "ReduceMin": EmitReduce(ctx, node); break;
            case "QuantizeLinear": EmitQuantize(ctx, node); break;
            case "DequantizeLinear": EmitDequantize(ctx, node); break;
            case "DynamicQuantizeLinear": EmitDynamicQuantize(ctx, node); break;
            case "MatMulInteger": EmitMatMulInteger(ctx, node); break;
            case "Shape": ConstantFolder.FoldShape(ctx, node); break;
            case "Size": ConstantFolder.FoldSize(ctx, node); break;
            case "Gather": EmitGather(ctx, node); break;
            case "Cast" or "CastLike": EmitCast(ctx, node); break;
            case "Erf" or "Gelu" or "HardSwish": EmitActivation(ctx, node); break;
            case "PRelu": EmitPRelu(ctx, node); break;
            case "LayerNormalization": EmitLayerNorm(ctx, node); break;
            case "Equal" or "Less" or "Greater" or "LessOrEqual" or "GreaterOrEqual": EmitCompare(ctx, node); break;
            case "Not" or "And" or "Or" or "Xor": EmitLogical(ctx, node); break;
            case "Where": EmitWhere(ctx, node); break;
            case "Expand": EmitExpand(ctx, node); break;
            case "Tile": EmitTile(ctx, node); break;
            case "ConstantOfShape": EmitConstantOfShape(ctx, node); break;
            case "Range": EmitRange(ctx, node); break;
            case "Slice": EmitSlice(ctx, node); break;
            case "Split": EmitSplit(ctx, node); break;
            case "Pad": EmitPad(ctx, node); break;
            case "Resize": EmitResize(ctx, node); break;
            case "ConvTranspose": EmitConvTranspose(ctx, node); break;
            case "LSTM": EmitLstm(ctx, node); break;
            case "GRU": EmitGru(ctx, node); break;
            default:
                throw new UnsupportedException($"operator {node.OpType} is not in the kernel set");
        }
    }

    private static ConstData ConstantOf(OnnxNode node)
    {
        var a = node.Attributes[0];
        return a.Name switch
        {
            "value" when a.Tensor is { } t => ConstData.FromTensor(t),
            "value_float" => new ConstData(TensorElementType.Float, [], [a.Float], null, null),
            "value_floats" => new ConstData(TensorElementType.Float, [a.Floats.Count], a.Floats.ToArray(), null, null),
            "value_int" => new ConstData(TensorElementType.Int64, [], null, [a.Int], null),
            "value_ints" => new ConstData(TensorElementType.Int64, [a.Ints.Count], null, Dims.Of(a.Ints), null),
            _ => throw new UnsupportedException($"Constant attribute {a.Name} is not supported"),
        };
    }

    private static Val Float(BuildContext ctx, string name)
    {
        var v = ctx.Get(name);
        return v.Type == TensorElementType.Float ? v : throw new UnsupportedException($"input '{name}' is {v.Type}; the kernels take float32");
    }

    /// <summary>Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout: a new shape over the same bytes.</summary>
    private static void EmitAlias(BuildContext ctx, OnnxNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        if (node.OpType == "Dropout" && node.Outputs.Count > 1 && node.Outputs[1].Length > 0)
        {
            throw new UnsupportedException("Dropout's mask output is not supported");
        }

        if (node.OpType == "Dropout" && ctx.Optional(node, 2) is { } training && training.Const?.Longs is not [{ IsConstant: true, Value: 0 }])
        {
            throw new UnsupportedException("Dropout in training mode is not supported");
        }

        var shape = ShapeOps.AliasShape(ctx, node, x);
        var y = new Val(node.Outputs[0], x.Type, shape) { Storage = x.Storage, Offset = x.Offset, Const = x.Const is null ? null : x.Const with { Shape = shape.Constants("a constant's shape") } };
        ctx.Define(y);
    }

    /// <summary>
    /// A runtime value written by a step: graph outputs go straight to the output region;
    /// <paramref name="name"/> must be the node's output.
    /// </summary>
    private static Val Out(BuildContext ctx, string name, Dim[] shape) => ctx.NewFloat(name, shape);
}
