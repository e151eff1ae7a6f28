using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

/// <summary>
/// A QuantizeLinear whose input is an elementwise float function of one uint8 tensor: every value
/// between them (the float ops and the Q → DQ pairs the static INT8 pass writes after each op) is
/// read only inside, and each op's other operands are scalar constants or values of the same
/// function. Then the Q's bytes are a 256-entry table of the source's bytes, and the whole subgraph
/// runs as one <see cref="Kernels.LookupU8"/>. The PaddleOCR classifier's hard-swish
/// (x · clip(x + 3, 0, 6) / 6 with a Q → DQ after the Add, the Clip and the Mul) was nine steps on
/// the activations (three Dequantize, three Binary, three Quantize) between two QConvs; its hard
/// sigmoid after the squeeze-excite QConv was three. Unlike <see cref="QdqLookupFusion"/>'s chains
/// the ops need not be non-decreasing (no pool moves across the table) and a value may feed several
/// ops (x twice in hard-swish). The table is computed with the kernels' own float arithmetic
/// (separate multiply and add, quantize by divide and round-half-even), so it gives the bytes the
/// unfused steps give.
/// </summary>
internal static class QdqFunctionLookup
{
    /// <summary>Nested ops between a Q and its source, at most (deeper graphs keep their steps).</summary>
    private const int MaxDepth = 24;

    /// <summary>The expression of the Q's input in terms of the source byte's dequantized value.</summary>
    private abstract record Expr;

    private sealed record Source(OnnxNode Dq, float Scale, int Zero) : Expr;

    private sealed record Constant(float Value) : Expr;

    /// <summary>A float op and its operands; <paramref name="Apply"/> is the kernel's arithmetic on them.</summary>
    private sealed record Op(OnnxNode Node, IReadOnlyList<Expr> Operands, Func<float[], float> Apply) : Expr;

    /// <summary>A QuantizeLinear → DequantizeLinear pair inside the function (a rounding step of it).</summary>
    private sealed record FakeQuant(OnnxNode Q, OnnxNode Dq, Quantizer Quantizer, float DqScale, int DqZero, Expr Operand) : Expr;


    /// <summary>Float ops the function may hold, as the float kernels compute them from the node's attributes; null when the node does not fit.</summary>
    private static readonly Dictionary<string, Func<BuildContext, OnnxNode, Func<float[], float>?>> Ops = new(StringComparer.Ordinal)
    {
        ["Add"] = (_, _) => a => a[0] + a[1],
        ["Sub"] = (_, _) => a => a[0] - a[1],
        ["Mul"] = (_, _) => a => a[0] * a[1],
        ["Div"] = (_, _) => a => a[0] / a[1],
        ["Max"] = (_, n) => n.Inputs.Count == 2 ? a => MathF.Max(a[0], a[1]) : null,
        ["Min"] = (_, n) => n.Inputs.Count == 2 ? a => MathF.Min(a[0], a[1]) : null,
        ["Relu"] = (_, _) => a => MathF.Max(a[0], 0f),
        ["LeakyRelu"] = (_, n) => n.Float("alpha", 0.01f) is var alpha ? a => a[0] >= 0 ? a[0] : a[0] * alpha : null,
        ["HardSigmoid"] = (_, n) => (n.Float("alpha", 0.2f), n.Float("beta", 0.5f)) is var (alpha, beta)
            ? a => MathF.Min(MathF.Max((a[0] * alpha) + beta, 0f), 1f) : null,
        ["Clip"] = (ctx, n) => ctx.Opset < 11
            ? (n.Float("min", float.NegativeInfinity), n.Float("max", float.PositiveInfinity)) is var (lo, hi) ? a => MathF.Min(MathF.Max(a[0], lo), hi) : null
            : a => MathF.Min(MathF.Max(a[0], a.Length > 1 ? a[1] : float.NegativeInfinity), a.Length > 2 ? a[2] : float.PositiveInfinity),
    };

    /// <summary>Plans a table for every free QuantizeLinear that fits (after the fused groups and the lookup chains took theirs).</summary>
    public static void Plan(OnnxGraph graph, BuildContext ctx, HashSet<string> outputs)
    {
        var taken = ctx.Fused.Values.Select(g => g.OutputQ).Concat(ctx.PassThrough.Values.Select(p => (OnnxNode?)p.Q)).OfType<OnnxNode>().ToHashSet();
        // Last first: the Q ending a hard-swish takes the whole function, the Q → DQ pairs inside it included
        // (in graph order its first Q would take the Add alone, and the Mul would then read two sources).
        foreach (var q in graph.Nodes.Where(n => n.IsDefaultDomain && n.OpType == "QuantizeLinear").Reverse().ToList())
        {
            if (ctx.Lookups.ContainsKey(q) || ctx.Absorbed.Contains(q) || taken.Contains(q) || Quantizer.Of(graph, q) is not { } output
                || Build(graph, ctx, q.Inputs[0], taken, MaxDepth, new Dictionary<string, Expr?>(StringComparer.Ordinal)) is not { } function)
            {
                continue;
            }

            var inside = new HashSet<OnnxNode>();
            var sources = new HashSet<Source>();
            Collect(function, inside, sources);
            if (sources.Count != 1 || !inside.Any(n => n.OpType is not ("QuantizeLinear" or "DequantizeLinear"))
                || inside.Any(n => ctx.Absorbed.Contains(n) || n.Outputs.Any(o => outputs.Contains(o) || graph.FindConsumers(o).Any(c => c != q && !inside.Contains(c)))))
            {
                continue;
            }

            var source = sources.Single();
            var table = new byte[256];
            for (var b = 0; b < 256; b++)
            {
                table[b] = output.Byte(Evaluate(function, ((float)b - source.Zero) * source.Scale, new Dictionary<Expr, float>(ReferenceEqualityComparer.Instance)));
            }

            ctx.Lookups[q] = new QdqLookup(source.Dq, [], q, table, output.Signed);
            ctx.Absorbed.UnionWith(inside);
            if (graph.FindConsumers(source.Dq.Outputs[0]).All(inside.Contains) && !outputs.Contains(source.Dq.Outputs[0]))
            {
                ctx.Absorbed.Add(source.Dq);
            }
        }
    }

    /// <summary>The function that computes <paramref name="value"/>, or null when it is not one of a single uint8 source.</summary>
    /// <remarks><paramref name="built"/> holds the values already built, so a value several ops read is one shared expression.</remarks>
    private static Expr? Build(OnnxGraph graph, BuildContext ctx, string value, HashSet<OnnxNode> taken, int depth, Dictionary<string, Expr?> built)
    {
        if (!built.TryGetValue(value, out var expr))
        {
            built[value] = expr = BuildNew(graph, ctx, value, taken, depth, built);
        }

        return expr;
    }

    private static Expr? BuildNew(OnnxGraph graph, BuildContext ctx, string value, HashSet<OnnxNode> taken, int depth, Dictionary<string, Expr?> built)
    {
        if (graph.FindConstant(value) is { } constant)
        {
            // A scalar of rank 0 or 1 broadcasts without changing the other operand's shape.
            return constant is { ElementType: TensorElementType.Float, ElementCount: 1, Dims.Count: <= 1 } ? new Constant(constant.ToFloatArray()[0]) : null;
        }

        if (depth == 0 || graph.FindProducer(value) is not { IsDefaultDomain: true } node || node.Outputs.Count(o => o.Length > 0) != 1)
        {
            return null;
        }

        if (node.OpType == "DequantizeLinear")
        {
            if (node.FindAttribute("block_size") is not null || QdqFusion.ScalarFloat(graph, node, 1) is not (> 0 and var scale)
                || QdqFusion.Zero(graph, node) is not { } zero)
            {
                return null;
            }

            if (graph.FindConstant(node.Inputs[0]) is { } quantized)
            {
                // A quantized scalar (the +3 of a hard-swish), dequantized as the compiler folds constants.
                int? stored = quantized is not { ElementCount: 1, Dims.Count: <= 1 } ? null : quantized.ElementType switch
                {
                    TensorElementType.UInt8 => quantized.ToUInt8Array()[0],
                    TensorElementType.Int8 => quantized.ToInt8Array()[0],
                    _ => null,
                };
                return stored is { } v ? new Constant((v - (float)zero.Value) * scale) : null;
            }

            // A free Q → DQ pair is a rounding step inside the function; any other byte tensor is its source.
            if (graph.FindProducer(node.Inputs[0]) is { OpType: "QuantizeLinear", IsDefaultDomain: true } q && !taken.Contains(q)
                && !ctx.Lookups.ContainsKey(q) && !ctx.Absorbed.Contains(q) && Quantizer.Of(graph, q) is { } quantizer
                && Build(graph, ctx, q.Inputs[0], taken, depth - 1, built) is { } operand)
            {
                return new FakeQuant(q, node, quantizer, scale, zero.Value, operand);
            }

            return zero.Type == TensorElementType.UInt8 ? new Source(node, scale, zero.Value) : null;
        }

        if (!Ops.TryGetValue(node.OpType, out var op) || op(ctx, node) is not { } apply)
        {
            return null;
        }

        var operands = new List<Expr>();
        foreach (var input in node.Inputs)
        {
            if (input.Length == 0 || Build(graph, ctx, input, taken, depth - 1, built) is not { } operand)
            {
                return null; // an omitted optional input (Clip's min) would shift the operands
            }

            operands.Add(operand);
        }

        return new Op(node, operands, apply);
    }

    private static void Collect(Expr expr, HashSet<OnnxNode> inside, HashSet<Source> sources)
    {
        switch (expr)
        {
            case Source source:
                sources.Add(source);
                break;
            case Op op:
                inside.Add(op.Node);
                foreach (var operand in op.Operands)
                {
                    Collect(operand, inside, sources);
                }

                break;
            case FakeQuant pair:
                inside.Add(pair.Q);
                inside.Add(pair.Dq);
                Collect(pair.Operand, inside, sources);
                break;
        }
    }

    /// <summary>The function at one dequantized source value, with the kernels' float arithmetic; <paramref name="done"/> holds the shared expressions' values.</summary>
    private static float Evaluate(Expr expr, float x, Dictionary<Expr, float> done)
    {
        if (done.TryGetValue(expr, out var known))
        {
            return known;
        }

        var value = expr switch
        {
            Source => x,
            Constant c => c.Value,
            Op op => op.Apply(op.Operands.Select(o => Evaluate(o, x, done)).ToArray()),
            FakeQuant pair => (pair.Quantizer.Apply(Evaluate(pair.Operand, x, done)) - pair.DqZero) * pair.DqScale,
            _ => throw new InvalidOperationException(expr.GetType().Name),
        };
        done[expr] = value;
        return value;
    }
}
