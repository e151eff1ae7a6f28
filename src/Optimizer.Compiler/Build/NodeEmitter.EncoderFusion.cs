using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

// Transformer encoders exported at opsets before LayerNormalization/Gelu (BERT from PyTorch) spell
// each bias, GELU and LayerNorm as chains of elementwise nodes: one pass over the activations per
// node. These recognize the chains at their first node and do them in one step (or in the GEMM's
// epilogue); the chain's inner values are read by nothing else, so none of them is lost.
internal static partial class NodeEmitter
{
    /// <summary>What a MatMul's epilogue absorbs: a scale, a per-column bias, a GELU after it, and the value the result takes.</summary>
    private sealed record MatMulEpilogue(float Alpha, RawOperand Bias, bool Gelu, string Output);

    /// <summary>
    /// The nodes after a MatMul its GEMM can do: <c>· c</c> or <c>/ c</c> by a constant scalar
    /// (attention scores), then <c>+ bias</c> by a constant row of <paramref name="n"/> floats
    /// (projections), then an exact GELU chain.
    /// </summary>
    private static MatMulEpilogue MatMulEpilogueOf(BuildContext ctx, OnnxNode matMul, Dim n)
    {
        var output = matMul.Outputs[0];
        var alpha = 1f;
        if (SoleConsumer(ctx, output) is { OpType: "Mul" or "Div" } scale && ConstScalarOperand(ctx, scale, output) is { } c
            && (scale.OpType == "Mul" || scale.Inputs[0] == output) && c != 0)
        {
            alpha = scale.OpType == "Mul" ? c : 1f / c;
            ctx.Absorbed.Add(scale);
            output = scale.Outputs[0];
        }

        RawOperand bias = BuildContext.Empty;
        if (n.IsConstant && SoleConsumer(ctx, output) is { OpType: "Add" } add && ConstRow(ctx, add, output, n.Value) is { } row)
        {
            bias = ctx.WeightOp($"matmul-bias:{add.Outputs[0]}", () => row);
            ctx.Absorbed.Add(add);
            output = add.Outputs[0];
        }

        if (GeluChain(ctx, output) is { } gelu)
        {
            ctx.Absorbed.UnionWith(gelu.Nodes);
            return new MatMulEpilogue(alpha, bias, true, gelu.Output);
        }

        return new MatMulEpilogue(alpha, bias, false, output);
    }

    /// <summary>
    /// <c>x · (1 + erf(x / √2)) · 0.5</c> as PyTorch exports it (Div, Erf, Add 1, Mul x, Mul 0.5;
    /// either operand order): its nodes and the value it ends in, or null.
    /// </summary>
    private static (OnnxNode[] Nodes, string Output)? GeluChain(BuildContext ctx, string x)
    {
        if (ctx.GraphOutputNames.Contains(x) || ctx.ConsumersOf(x) is not { Count: 2 } readers
            || readers.FirstOrDefault(r => r.OpType == "Div") is not { } div || div.Inputs[0] != x
            || ConstScalarOperand(ctx, div, x) is not { } root || MathF.Abs(root - MathF.Sqrt(2f)) > 1e-4f
            || SoleConsumer(ctx, div.Outputs[0]) is not { OpType: "Erf" } erf
            || SoleConsumer(ctx, erf.Outputs[0]) is not { OpType: "Add" } plusOne || ConstScalarOperand(ctx, plusOne, erf.Outputs[0]) != 1f
            || SoleConsumer(ctx, plusOne.Outputs[0]) is not { OpType: "Mul" } timesX || !readers.Contains(timesX) || OtherInput(timesX, plusOne.Outputs[0]) != x
            || SoleConsumer(ctx, timesX.Outputs[0]) is not { OpType: "Mul" } half || ConstScalarOperand(ctx, half, timesX.Outputs[0]) != 0.5f)
        {
            return null;
        }

        return ([div, erf, plusOne, timesX, half], half.Outputs[0]);
    }

    /// <summary>
    /// LayerNorm over the last axis as exported before opset 17, starting at its first ReduceMean:
    /// mean, x − mean, Pow 2, ReduceMean, + ε, Sqrt, Div, · γ, + β. Emits one LayerNorm step and
    /// returns true, or returns false (nothing absorbed) when the chain differs.
    /// </summary>
    private static bool TryEmitLayerNormChain(BuildContext ctx, OnnxNode mean)
    {
        var x = Float(ctx, mean.Inputs[0]);
        if (!LastAxisOnly(mean, x.Shape.Length) || x.Shape[^1] is not { IsConstant: true } colsDim
            || SoleConsumer(ctx, mean.Outputs[0]) is not { OpType: "Sub" } centre || centre.Inputs[0] != x.Name || centre.Inputs[1] != mean.Outputs[0]
            || ctx.GraphOutputNames.Contains(centre.Outputs[0]) || ctx.ConsumersOf(centre.Outputs[0]) is not { Count: 2 } centred
            || centred.FirstOrDefault(r => r.OpType == "Pow") is not { } square || square.Inputs[0] != centre.Outputs[0] || ConstScalarOperand(ctx, square, centre.Outputs[0]) != 2f
            || SoleConsumer(ctx, square.Outputs[0]) is not { OpType: "ReduceMean" } variance || !LastAxisOnly(variance, x.Shape.Length)
            || SoleConsumer(ctx, variance.Outputs[0]) is not { OpType: "Add" } plusEpsilon || ConstScalarOperand(ctx, plusEpsilon, variance.Outputs[0]) is not { } epsilon
            || SoleConsumer(ctx, plusEpsilon.Outputs[0]) is not { OpType: "Sqrt" } root
            || SoleConsumer(ctx, root.Outputs[0]) is not { OpType: "Div" } divide || !centred.Contains(divide)
            || divide.Inputs[0] != centre.Outputs[0] || divide.Inputs[1] != root.Outputs[0]
            || SoleConsumer(ctx, divide.Outputs[0]) is not { OpType: "Mul" } timesGamma || ConstRow(ctx, timesGamma, divide.Outputs[0], colsDim.Value) is not { } gamma
            || SoleConsumer(ctx, timesGamma.Outputs[0]) is not { OpType: "Add" } plusBeta || ConstRow(ctx, plusBeta, timesGamma.Outputs[0], colsDim.Value) is not { } beta)
        {
            return false;
        }

        ctx.Absorbed.UnionWith([centre, square, variance, plusEpsilon, root, divide, timesGamma, plusBeta]);
        var y = Out(ctx, plusBeta.Outputs[0], x.Shape);
        var scale = ctx.WeightOp($"layernorm-chain:{plusBeta.Outputs[0]}:1", () => gamma);
        var bias = ctx.WeightOp($"layernorm-chain:{plusBeta.Outputs[0]}:2", () => beta);
        ctx.Emit(StepKind.LayerNorm, [ctx.Op(x), scale, bias, ctx.Op(y), BuildContext.Empty, BuildContext.Empty],
            [x.Shape.Product(0, x.Shape.Length - 1), colsDim], [epsilon]);
        return true;
    }

    /// <summary>Whether a ReduceMean (axes as an attribute, kept dims) reduces the last axis only.</summary>
    private static bool LastAxisOnly(OnnxNode reduce, int rank) =>
        reduce.Inputs.Count == 1 && reduce.Int("keepdims", 1) != 0 && reduce.Ints("axes") is [var axis] && Attrs.NormalizeAxis(axis, rank) == rank - 1;

    /// <summary>The one node reading <paramref name="value"/> when nothing else (a graph output included) does.</summary>
    private static OnnxNode? SoleConsumer(BuildContext ctx, string value) =>
        !ctx.GraphOutputNames.Contains(value) && ctx.ConsumersOf(value) is [{ IsDefaultDomain: true } only] ? only : null;

    /// <summary>The input of a binary node that is not <paramref name="value"/>.</summary>
    private static string? OtherInput(OnnxNode node, string value) =>
        node.Inputs.Count != 2 ? null : node.Inputs[0] == value ? node.Inputs[1] : node.Inputs[1] == value ? node.Inputs[0] : null;

    /// <summary>The other operand of a binary node when it is one constant float.</summary>
    private static float? ConstScalarOperand(BuildContext ctx, OnnxNode node, string value) =>
        OtherInput(node, value) is { } other && FloatConstant(ctx, other) is { } c && c.Count == 1 ? c.Values[0] : null;

    /// <summary>The other operand of a binary node when it is a constant row of <paramref name="n"/> floats (shape [n], [1, n], ...).</summary>
    private static float[]? ConstRow(BuildContext ctx, OnnxNode node, string value, long n) =>
        OtherInput(node, value) is { } other && FloatConstant(ctx, other) is { } c && c.Count == n && c.Shape is [.., var last] && last == n ? c.Values : null;

    /// <summary>
    /// A float constant's shape and values: an initializer or a value already built, or a Constant
    /// node not emitted yet (in topological order it may come after the chain's first node).
    /// </summary>
    private static (long[] Shape, float[] Values, long Count)? FloatConstant(BuildContext ctx, string name)
    {
        var producer = ctx.Has(name) ? null : ctx.Graph?.Nodes.FirstOrDefault(n => n.OpType == "Constant" && n.IsDefaultDomain && n.Outputs[0] == name && n.Attributes.Count > 0);
        var data = ctx.Has(name) ? ctx.Get(name).Const : producer is null ? null : ConstantOrNull(producer);
        if (data is not { Type: TensorElementType.Float } c)
        {
            return null;
        }

        var values = c.AsFloats();
        return (c.Shape, values, values.Length);
    }

    private static ConstData? ConstantOrNull(OnnxNode constant)
    {
        try
        {
            return ConstantOf(constant);
        }
        catch (UnsupportedException)
        {
            return null; // its own emission reports it
        }
    }
}
