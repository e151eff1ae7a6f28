using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Passes.Quantization.Operators;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

/// <summary>A QDQ group run as one integer kernel: DQ(u8 activation) and DQ(int8 weight) into Conv/Gemm/MatMul, optionally into a QuantizeLinear.</summary>
internal sealed record QdqGroup(OnnxNode Node, OnnxNode InputDq, float InputScale, byte InputZero, sbyte[] Weights, float[] WeightScales,
    int[]? Bias, float[]? FloatBias, OnnxNode? OutputQ, float OutputScale, int OutputZero, bool OutputSigned, int K, int N, bool TransB, long[] WeightDims,
    StepKind Kernel, QdqPool? Pool = null);

/// <summary>
/// A 2×2/2 or 1×2/1×2 MaxPool on a fused convolution's uint8 bytes (DequantizeLinear → MaxPool → QuantizeLinear, or the
/// first pool of a lookup chain), run by the convolution; <paramref name="Output"/> names the pooled bytes, <paramref name="Flag"/>
/// is the pool's <see cref="Kernels.QConv"/> flag.
/// </summary>
internal sealed record QdqPool(OnnxNode Node, string Output, int Flag);

/// <summary>
/// An op a QDQ group can run as: the weight facts the quantizer wrote it by (linked from
/// Optimizer.Passes, so the per-channel axis is the one it quantized along), the integer kernel,
/// and what else that kernel needs of the node and its weight shape.
/// </summary>
internal sealed record FusedOp(WeightedOp Weight, Func<OnnxNode, IReadOnlyList<long>, StepKind?> KernelFor);

/// <summary>
/// Recognises the QDQ form our static INT8 pass writes (DequantizeLinear → Conv/Gemm/MatMul →
/// QuantizeLinear) and runs each group as <see cref="Kernels.QGemm"/> / <see cref="Kernels.QConv"/>:
/// u8 activations × s8 weights → s32, requantized with ONNX Runtime's formula. Groups that do not
/// fit (int8 activations, weights that could saturate the AVX2 pair sums, groups other than depthwise, …) stay as
/// Dequantize → float kernel → Quantize, which is exact QDQ semantics.
/// </summary>
internal static partial class QdqFusion
{
    private static readonly Dictionary<string, FusedOp> FusedOps = new(StringComparer.Ordinal)
    {
        ["Conv"] = new(WeightedOp.Conv, ConvKernel), // 2-D: no groups, or depthwise
        ["Gemm"] = new(WeightedOp.Gemm, (_, _) => StepKind.QGemm),
        ["MatMul"] = new(WeightedOp.MatMul, (_, _) => StepKind.QGemm),
    };

    /// <summary>Ops whose bytes pass unchanged from a DequantizeLinear to a QuantizeLinear of the same scale and zero point.</summary>
    private static readonly HashSet<string> PassThroughOps = new(StringComparer.Ordinal) { "MaxPool", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Identity" };

    public static void Plan(OnnxGraph graph, BuildContext ctx)
    {
        var outputs = graph.Outputs.Select(o => o.Name).ToHashSet();
        foreach (var node in graph.Nodes.Where(n => n.IsDefaultDomain && FusedOps.ContainsKey(n.OpType)))
        {
            if (TryGroup(graph, node, FusedOps[node.OpType], outputs) is { } group)
            {
                ctx.Fused[node] = group;
            }
        }

        foreach (var node in graph.Nodes.Where(n => n.IsDefaultDomain && PassThroughOps.Contains(n.OpType)))
        {
            if (TryPassThrough(graph, node, outputs) is { } pass)
            {
                ctx.PassThrough[node] = pass;
            }
        }

        QdqLookupFusion.Plan(graph, ctx, outputs);
        QdqFunctionLookup.Plan(graph, ctx, outputs);

        // A DequantizeLinear read only by fused groups, and each group's QuantizeLinear, do no work of their own.
        var groups = ctx.Fused.Select(f => (Node: f.Key, Dq: f.Value.InputDq, Q: f.Value.OutputQ))
            .Concat(ctx.PassThrough.Select(p => (Node: p.Key, p.Value.Dq, Q: (OnnxNode?)p.Value.Q))).ToList();
        foreach (var (_, dq, q) in groups)
        {
            var consumers = graph.FindConsumers(dq.Outputs[0]);
            if (consumers.All(c => groups.Any(g => g.Node == c && g.Dq == dq)) && !outputs.Contains(dq.Outputs[0]))
            {
                ctx.Absorbed.Add(dq);
            }

            if (q is not null)
            {
                ctx.Absorbed.Add(q);
            }
        }

        FusePools(graph, ctx, outputs);
        PlanElementwise(graph, ctx, outputs);
    }

    /// <summary>
    /// A fused convolution whose uint8 output only feeds a pass-through MaxPool, or a lookup chain whose first op
    /// is pooling, writes the pooled bytes itself (<see cref="PoolFlags"/>): the unpooled output never leaves the kernel.
    /// </summary>
    private static void FusePools(OnnxGraph graph, BuildContext ctx, HashSet<string> outputs)
    {
        foreach (var (node, group) in ctx.Fused.ToList())
        {
            if (group is not { Kernel: StepKind.QConv, OutputQ: { } q, OutputSigned: false } || outputs.Contains(q.Outputs[0])
                || graph.FindConsumers(q.Outputs[0]) is not [{ OpType: "DequantizeLinear" } dq] || !ctx.Absorbed.Contains(dq))
            {
                continue;
            }

            if (graph.FindConsumers(dq.Outputs[0]) is [{ OpType: "MaxPool" } pool]
                && ctx.PassThrough.TryGetValue(pool, out var pass) && pass.Dq == dq && PoolFlag(pool) is not 0 and var flag)
            {
                ctx.Fused[node] = group with { Pool = new QdqPool(pool, pass.Q.Outputs[0], flag) };
                ctx.PassThrough.Remove(pool);
                ctx.Absorbed.Add(pool);
            }
            else if (ctx.Lookups.Values.FirstOrDefault(l => l.Dq == dq) is { Pools: [var first, ..] } lookup && PoolFlag(first) is not 0 and var firstFlag)
            {
                // The chain's ops are non-decreasing, so its first pool moves ahead of the table, into the
                // convolution: the table then reads the pooled bytes under the convolution's output name.
                ctx.Fused[node] = group with { Pool = new QdqPool(first, q.Outputs[0], firstFlag) };
                ctx.Lookups[lookup.Q] = lookup with { Pools = lookup.Pools.Skip(1).ToList() };
            }
        }
    }

    /// <summary>The MaxPool windows (kernel = strides) a fused convolution pools itself, with their <see cref="Kernels.QConv"/> flag.</summary>
    private static readonly (long[] Window, int Flag)[] PoolFlags = [([2, 2], Kernels.QConvPooled), ([1, 2], Kernels.QConvPooledPairs)];

    /// <summary>The <see cref="Kernels.QConv"/> flag of an unpadded, undilated pool of one of <see cref="PoolFlags"/>' windows; 0 for any other.</summary>
    private static int PoolFlag(OnnxNode pool) =>
        pool.Ints("kernel_shape") is { } kernel && pool.Ints("strides") is { } strides && kernel.SequenceEqual(strides)
        && (pool.Ints("pads") ?? [0, 0, 0, 0]).All(p => p == 0) && (pool.Ints("dilations") ?? [1, 1]).All(d => d == 1)
            ? PoolFlags.FirstOrDefault(p => p.Window.SequenceEqual(kernel)).Flag
            : 0;

    private static QdqGroup? TryGroup(OnnxGraph graph, OnnxNode node, FusedOp op, HashSet<string> outputs)
    {
        var inputDq = Producer(graph, node.Inputs[0], "DequantizeLinear");
        var weightDq = node.Inputs.Count > WeightedOp.WeightInput ? Producer(graph, node.Inputs[WeightedOp.WeightInput], "DequantizeLinear") : null;
        if (inputDq is null || weightDq is null || graph.FindConstant(inputDq.Inputs[0]) is not null)
        {
            return null;
        }

        // Activation: per-tensor uint8.
        if (ScalarFloat(graph, inputDq, 1) is not { } inputScale || Zero(graph, inputDq) is not { Type: TensorElementType.UInt8 } inputZero)
        {
            return null;
        }

        // Weights: constant int8, zero point 0, per tensor or per output channel.
        if (graph.FindConstant(weightDq.Inputs[0]) is not { ElementType: TensorElementType.Int8 } wTensor
            || graph.FindConstant(weightDq.Inputs[1])?.ToFloatArray() is not { } wScale
            || Zero(graph, weightDq) is { Value: not 0 } || (weightDq.Inputs.Count > 2 && weightDq.Inputs[2].Length > 0 && graph.FindConstant(weightDq.Inputs[2]) is { } wz && wz.ToRawBytes().Any(b => b != 0)))
        {
            return null;
        }

        var w = wTensor.ToInt8Array();
        var dims = wTensor.Dims;
        if (dims.Count < op.Weight.MinRank || dims.Count > op.Weight.MaxRank || op.Weight.WhyNoIntegerForm(node) is not null || op.KernelFor(node, dims) is not { } kernel)
        {
            return null;
        }

        var layout = op.Weight.Layout(node, dims);
        var (k, n, transB, channelAxis) = ((int)layout.K, (int)layout.N, layout.TransB, layout.ChannelAxis);

        if (wScale.Length != 1 && (wScale.Length != n || weightDq.Int("axis", 1) is var axis && (axis < 0 ? axis + dims.Count : axis) != channelAxis))
        {
            return null;
        }

        // The depthwise kernel's int16 pair sums hold any int8 weights.
        if (kernel != StepKind.QConvDepthwise && !Kernels.Int8PairsFit(w, k, n, transB ? 1 : 0))
        {
            return null;
        }

        var scales = wScale.Length == 1 ? Enumerable.Repeat(wScale[0], n).ToArray() : wScale;
        int[]? bias = null;
        float[]? floatBias = null;
        if (op.Weight.Bias(node) is { } biasInput)
        {
            if (Producer(graph, biasInput, "DequantizeLinear") is { } biasDq && graph.FindConstant(biasDq.Inputs[0]) is { ElementType: TensorElementType.Int32 } b
                && b.ElementCount == n && Zero(graph, biasDq) is null or { Value: 0 })
            {
                bias = b.ToInt32Array();
                var biasScale = graph.FindConstant(biasDq.Inputs[1])?.ToFloatArray();
                if (biasScale is null || Enumerable.Range(0, n).Any(i => biasScale[biasScale.Length == 1 ? 0 : i] != inputScale * scales[i]))
                {
                    bias = null;
                    floatBias = Dequantized(b.ToInt32Array(), biasScale);
                }
            }
            else if (graph.FindConstant(biasInput) is { ElementType: TensorElementType.Float } fb && fb.ElementCount == n)
            {
                floatBias = fb.ToFloatArray();
            }
            else
            {
                return null;
            }

            if (floatBias is not null)
            {
                // A float bias is rounded onto the accumulator's grid (scale = input scale × weight scale).
                bias = floatBias.Select((v, i) => (int)MathF.Round(v / (inputScale * scales[i]))).ToArray();
            }
        }

        var consumers = graph.FindConsumers(node.Outputs[0]);
        OnnxNode? q = null;
        float outputScale = 0;
        var outputZero = 0;
        var signed = false;
        if (consumers is [{ OpType: "QuantizeLinear" } only] && !outputs.Contains(node.Outputs[0])
            && ScalarFloat(graph, only, 1) is { } ys && Zero(graph, only) is { } yz && yz.Type is TensorElementType.UInt8 or TensorElementType.Int8)
        {
            (q, outputScale, outputZero, signed) = (only, ys, yz.Value, yz.Type == TensorElementType.Int8);
        }

        return new QdqGroup(node, inputDq, inputScale, (byte)Zero(graph, inputDq)!.Value.Value, w, scales, bias, floatBias, q, outputScale, outputZero, signed, k, n, transB, dims.ToArray(), kernel);
    }

    /// <summary>DequantizeLinear → MaxPool/reshape → QuantizeLinear with one scale and zero point (uint8): the bytes pass through.</summary>
    private static (OnnxNode Dq, OnnxNode Q)? TryPassThrough(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (node.Outputs.Count(o => o.Length > 0) != 1 || outputs.Contains(node.Outputs[0])
            || Producer(graph, node.Inputs[0], "DequantizeLinear") is not { } dq || graph.FindConstant(dq.Inputs[0]) is not null
            || graph.FindConsumers(node.Outputs[0]) is not [{ OpType: "QuantizeLinear" } q]
            || node.OpType == "MaxPool" && !PoolsOnBytes(node))
        {
            return null;
        }

        return ScalarFloat(graph, dq, 1) is { } s1 && ScalarFloat(graph, q, 1) is { } s2 && s1 == s2
               && Zero(graph, dq) is { Type: TensorElementType.UInt8 } z1 && Zero(graph, q) is { } z2 && z1 == z2
            ? (dq, q)
            : null;
    }

    /// <summary>Whether a MaxPool runs as <see cref="Kernels.MaxPoolU8"/> (explicit pads, floor sizes, one output).</summary>
    internal static bool PoolsOnBytes(OnnxNode node) =>
        node.Int("ceil_mode", 0) == 0 && node.Int("storage_order", 0) == 0 && node.Str("auto_pad", "NOTSET") == "NOTSET";

    public static void Emit(BuildContext ctx, QdqGroup g)
    {
        var x = ctx.Get(g.InputDq.Inputs[0]);
        if (x.Type != TensorElementType.UInt8 || x.IsConst)
        {
            throw new UnsupportedException("the fused group's input is not a uint8 runtime value");
        }

        var key = g.Node.Outputs[0];
        var colSums = new int[g.N];
        for (var kk = 0; kk < g.K; kk++)
        {
            for (var col = 0; col < g.N; col++)
            {
                colSums[col] += g.TransB ? g.Weights[col * g.K + kk] : g.Weights[kk * g.N + col];
            }
        }

        var bias = Enumerable.Range(0, g.N).Select(i => (g.Bias?[i] ?? 0) - g.InputZero * colSums[i]).ToArray();
        var scale = Enumerable.Range(0, g.N).Select(i => g.OutputQ is null ? g.InputScale * g.WeightScales[i] : g.InputScale * g.WeightScales[i] / g.OutputScale).ToArray();
        var outputKind = g.OutputQ is null ? 2 : g.OutputSigned ? 1 : 0;
        var outputType = g.OutputQ is null ? TensorElementType.Float : g.OutputSigned ? TensorElementType.Int8 : TensorElementType.UInt8;
        if (g.Kernel == StepKind.QConvDepthwise)
        {
            EmitDepthwise(ctx, g, x, bias, scale, outputKind, outputType);
            return;
        }

        var packedLength = Kernels.PackedInt8BLength(g.K, g.N);
        var packed = ctx.WeightBytesOp($"qpacked:{key}", () =>
        {
            var bytes = new byte[packedLength];
            Kernels.PackInt8B(g.Weights, bytes, g.K, g.N, g.TransB ? 1 : 0);
            return bytes;
        }, packedLength);
        var biasOp = ctx.WeightBytesOp($"qbias:{key}", () => bias.SelectMany(BitConverter.GetBytes).ToArray(), g.N);
        var scaleOp = ctx.WeightOp($"qscale:{key}", () => scale);
        var outputName = g.OutputQ?.Outputs[0] ?? key;
        var elementSize = BuildContext.ElementSize(outputType);

        if (g.Kernel == StepKind.QConv)
        {
            var kernel = g.Node.Ints("kernel_shape") ?? g.WeightDims[2..];
            if (x.Shape.Length != 4 || kernel.Length != 2 || x.Shape[1] != g.WeightDims[1])
            {
                throw new UnsupportedException("quantized Conv needs a 2-D kernel matching the weights");
            }

            var window = NodeEmitter.Geometry(g.Node, x.Shape, kernel);
            Dim[] convShape = [x.Shape[0], g.N, window.OH, window.OW];
            if (g.Pool is null && NodeEmitter.CoversWholeInput(window))
            {
                // A dense conv (one output pixel, as a squeeze-excite block's on its pooled plane): each image's bytes are one row of
                // a QGemm on the same packed weights (the same sums and requantization), not a 16-pixel tile holding one pixel.
                var dense = ctx.NewValue(outputName, outputType, convShape);
                ctx.Emit(StepKind.QGemm, [ctx.Op(x), packed, biasOp, scaleOp, ctx.Op(dense) with { Length = dense.Count * elementSize }],
                    [x.Shape[0], g.N, g.K, g.K, outputKind, g.OutputZero, 0], []);
                return;
            }

            var pooled = g.Pool is { } pool ? NodeEmitter.Geometry(pool.Node, convShape, pool.Node.Ints("kernel_shape")!) : null;
            var y = pooled is null
                ? ctx.NewValue(outputName, outputType, convShape)
                : ctx.NewValue(g.Pool!.Output, TensorElementType.UInt8, [x.Shape[0], g.N, pooled.OH, pooled.OW]);
            var scratch = ctx.ScratchBytes(x.Shape[0] * KernelSizes.QConvScratchLength(x.Shape[1], window.KH, window.KW, window.OH, window.OW));
            var yOp = ctx.Op(y);
            var (tapMajor, pixelTables) = BatchedOperands(ctx, key, g, bias, scale, window, x.Shape[1], outputKind);
            ctx.Emit(StepKind.QConv, [ctx.Op(x), packed, biasOp, scaleOp, yOp with { Length = y.Count * elementSize }, scratch, tapMajor, pixelTables],
                [x.Shape[0], x.Shape[1], window.H, window.W, g.N, window.KH, window.KW, window.OH, window.OW, window.PadTop, window.PadLeft,
                    window.StrideH, window.StrideW, window.DilH, window.DilW, g.InputZero, outputKind, g.OutputZero, g.Pool?.Flag ?? 0], []);
            return;
        }

        if (x.Shape.Length < 1 || x.Shape[^1] != g.K || g.Node.OpType == "Gemm" && x.Shape.Length != 2)
        {
            throw new UnsupportedException("quantized Gemm/MatMul input does not match the weights");
        }

        var m = x.Shape.Product(0, x.Shape.Length - 1);
        var outShape = x.Shape[..^1].Append(g.N).ToArray();
        var yv = ctx.NewValue(outputName, outputType, outShape);
        var yo = ctx.Op(yv);
        ctx.Emit(StepKind.QGemm, [ctx.Op(x), packed, biasOp, scaleOp, yo with { Length = yv.Count * elementSize }], [m, g.N, g.K, g.K, outputKind, g.OutputZero, 0], []);
    }

    private static float[] Dequantized(int[] values, float[]? scale) =>
        values.Select((v, i) => v * (scale is null ? 1f : scale[scale.Length == 1 ? 0 : i])).ToArray();

    internal static OnnxNode? Producer(OnnxGraph graph, string value, string opType) =>
        graph.FindProducer(value) is { } p && p.OpType == opType && p.IsDefaultDomain && p.FindAttribute("block_size") is null ? p : null;

    internal static float? ScalarFloat(OnnxGraph graph, OnnxNode node, int index) =>
        node.Inputs.Count > index && graph.FindConstant(node.Inputs[index]) is { ElementType: TensorElementType.Float, ElementCount: 1 } t ? t.ToFloatArray()[0] : null;

    /// <summary>The scalar zero point (type and value; uint8 0 when absent), or null when it is not a constant scalar.</summary>
    internal static (TensorElementType Type, int Value)? Zero(OnnxGraph graph, OnnxNode node)
    {
        if (node.Inputs.Count < 3 || node.Inputs[2].Length == 0)
        {
            return (TensorElementType.UInt8, 0);
        }

        return graph.FindConstant(node.Inputs[2]) switch
        {
            { ElementType: TensorElementType.UInt8, ElementCount: 1 } t => (TensorElementType.UInt8, t.ToUInt8Array()[0]),
            { ElementType: TensorElementType.Int8, ElementCount: 1 } t => (TensorElementType.Int8, t.ToInt8Array()[0]),
            { ElementType: TensorElementType.Int32, ElementCount: 1 } t => (TensorElementType.Int32, t.ToInt32Array()[0]),
            _ => null,
        };
    }
}
