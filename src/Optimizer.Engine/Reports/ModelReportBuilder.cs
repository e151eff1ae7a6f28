using System.Security.Cryptography;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Schema;

namespace Optimizer.Engine.Reports;

/// <summary>
/// Builds a <see cref="ModelReport"/> from the source and optimized models and the pass reports:
/// hashes, sizes, whole-model and per-layer parameters, FLOPs and weight sparsity, and for each
/// layer whether it runs on integer weights and what the passes said about it. Fidelity, latency
/// and per-layer errors come from verification and are added by the caller.
/// </summary>
public static class ModelReportBuilder
{
    private static readonly string[] LayerOps = ["Conv", "Gemm", "MatMul"];

    /// <summary>The report of one engine run for <paramref name="plan"/>.</summary>
    /// <param name="plan">The plan that ran (name, declared model path, passes with options).</param>
    /// <param name="original">The source model as loaded (the pipeline does not change it).</param>
    /// <param name="sourceBytes">The source model file's bytes (for the hash and size).</param>
    /// <param name="result">What <see cref="PassPipeline.Run(OnnxModel, IReadOnlyList{PassRequest}, Passes.Calibration.PassContext)"/> returned.</param>
    /// <param name="optimizedBytes">The optimized model's bytes as written.</param>
    /// <param name="elapsed">Time spent, or null to keep the report byte-identical across runs.</param>
    public static ModelReport From(OptimizationPlan plan, OnnxModel original, byte[] sourceBytes, PipelineResult result, byte[] optimizedBytes, TimeSpan? elapsed = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return From(plan.Name, plan.ModelPath, plan.Passes.Select(p => new ReportPlanEntry(p.Pass, p.Options)).ToList(),
            original, sourceBytes, result, optimizedBytes, elapsed);
    }

    /// <summary>The report of a pipeline run described without a plan file (tests, the CLI's <c>report</c>).</summary>
    public static ModelReport From(string name, string modelPath, IReadOnlyList<ReportPlanEntry> plan, OnnxModel original, byte[] sourceBytes,
        PipelineResult result, byte[] optimizedBytes, TimeSpan? elapsed = null)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(sourceBytes);
        ArgumentNullException.ThrowIfNull(optimizedBytes);

        var optimized = result.Model;
        var before = new GraphFacts(original);
        var after = new GraphFacts(optimized);
        var rows = original.Graph.Nodes.Where(IsLayer).Select(node => Row(node, before, after, result.Reports, plan)).ToList();

        return new ModelReport(
            name,
            modelPath,
            EngineVersion.Current,
            Convert.ToHexStringLower(SHA256.HashData(sourceBytes)),
            Convert.ToHexStringLower(SHA256.HashData(optimizedBytes)),
            sourceBytes.LongLength,
            optimizedBytes.LongLength,
            elapsed,
            plan,
            result.Reports.Select(r => new ReportPassSummary(r.Pass, r.Summary, r.Changed.Count, r.Skipped.Count)).ToList(),
            before.Totals(),
            after.Totals(),
            rows)
        {
            TrainingEpochs = result.Reports.Where(r => r.Pass.StartsWith(PassSchema.FineTune.Name, StringComparison.Ordinal)).SelectMany(r => r.Changed).Select(c => $"{c.Node}: {c.Detail}").ToList(),
        };
    }

    /// <summary>Whole-model counts of one model: nodes, parameters, FLOPs, weight sparsity, op histogram.</summary>
    public static ModelTotals Totals(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new GraphFacts(model).Totals();
    }

    internal static string NameOf(OnnxNode node) => node.Name.Length > 0 ? node.Name : node.Outputs.FirstOrDefault() ?? node.OpType;

    private static bool IsLayer(OnnxNode node) => node.IsDefaultDomain && LayerOps.Contains(node.OpType);

    private static LayerRow Row(OnnxNode node, GraphFacts before, GraphFacts after, IReadOnlyList<PassReport> reports, IReadOnlyList<ReportPlanEntry> plan)
    {
        var name = NameOf(node);
        var source = before.Layer(node, node.Outputs[0]);
        var target = after.Find(name, node.Outputs.FirstOrDefault()) is { } match ? after.Layer(match, node.Outputs[0]) : null;

        var notes = reports.SelectMany(r => r.Changed.Where(c => c.Node == name).Select(c => $"{r.Pass}: {c.Detail}")
                .Concat(r.Skipped.Where(s => s.Node == name).Select(s => $"{r.Pass} skipped: {s.Reason}")))
            .ToList();
        if (target is null)
            notes.Add("not found in the optimized model (removed or fused)");
        else if (!target.Quantized && !notes.Any(n => n.StartsWith(PassSchema.Quantize.Name, StringComparison.Ordinal)))
            notes.Add(plan.Any(p => p.Pass.Equals(PassSchema.Quantize.Name, StringComparison.OrdinalIgnoreCase))
                ? "not quantized: not a candidate of the Quantize pass"
                : "not quantized: the plan has no Quantize pass");

        return new LayerRow(name, node.OpType, target?.Op, source.Parameters, target?.Parameters, source.Flops, target?.Flops,
            source.Sparsity, target?.Sparsity, target?.Quantized ?? false, target?.WeightType, string.Join("; ", notes));
    }

    /// <summary>A layer's figures in one model.</summary>
    private sealed record LayerFacts(string Op, long Parameters, long? Flops, double? Sparsity, bool Quantized, string? WeightType, long WeightElements, long WeightZeros);

    /// <summary>Shapes, constants and producers of one model, for per-layer figures.</summary>
    private sealed class GraphFacts
    {
        private static readonly string[] ComputeOps = ["Conv", "Gemm", "MatMul", "ConvInteger", "MatMulInteger", "QLinearConv", "QLinearMatMul", "MatMulIntegerToFloat"];
        private readonly OnnxModel _model;
        private readonly Dictionary<string, OnnxTensor> _initializers;
        private readonly Dictionary<string, OnnxNode> _producers;
        private readonly IReadOnlyDictionary<string, ValueTypeInfo> _types;
        private readonly List<LayerFacts> _layers = [];

        public GraphFacts(OnnxModel model)
        {
            _model = model;
            _initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
            foreach (var tensor in model.Graph.Initializers)
                _initializers.TryAdd(tensor.Name, tensor);
            _producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
            foreach (var node in model.Graph.Nodes)
            foreach (var output in node.Outputs.Where(o => o.Length > 0))
                _producers.TryAdd(output, node);
            try
            {
                _types = ShapeInference.Infer(model);
            }
            catch (OnnxFormatException)
            {
                _types = new Dictionary<string, ValueTypeInfo>();
            }
        }

        // Dynamic INT8 with per-row activation scales computes in com.microsoft MatMulIntegerToFloat.
        private static bool IsCompute(OnnxNode node) =>
            (node.IsDefaultDomain || node.Domain == "com.microsoft") && ComputeOps.Contains(node.OpType);

        public ModelTotals Totals()
        {
            var graph = _model.Graph;
            var layers = graph.Nodes.Where(IsCompute).Select(n => Layer(n, n.Outputs[0])).ToList();
            var weights = layers.Sum(l => l.WeightElements);
            var flops = layers.Any(l => l.Flops is null) ? (long?)null : layers.Sum(l => l.Flops ?? 0);
            var ops = graph.Nodes.GroupBy(n => n.OpType, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new KeyValuePair<string, int>(g.Key, g.Count())).ToList();
            var dynamicScales = graph.Nodes.Where(n => n.OpType == "DynamicQuantizeLinear" && n.Outputs.Count > 1).Select(n => n.Outputs[1]).ToHashSet(StringComparer.Ordinal);
            var quantizationParameters = graph.Nodes.SelectMany(n => QuantizationParameters(n, dynamicScales)).ToHashSet(StringComparer.Ordinal);
            // Exporters also hold weights in Constant nodes (value attributes), not only in initializers;
            // integer Constants there are shapes and axes (Reshape, Unsqueeze) and scalars are op constants
            // (LayerNorm's epsilon, Pow's exponent), not weights.
            var constants = graph.Nodes.Where(n => n.OpType == "Constant" && n.IsDefaultDomain && n.Outputs.Count == 1 && !quantizationParameters.Contains(n.Outputs[0]))
                .Select(n => n.ReadConstantValue())
                .Where(t => t is { ElementType: TensorElementType.Float or TensorElementType.Float16 or TensorElementType.Double or TensorElementType.Int8 or TensorElementType.UInt8, ElementCount: > 1 })
                .Sum(t => t!.ElementCount);
            var parameters = graph.Initializers.Where(t => !quantizationParameters.Contains(t.Name)).Sum(t => t.ElementCount) + constants;
            return new ModelTotals(graph.Nodes.Count, parameters, flops,
                weights == 0 ? null : (double)layers.Sum(l => l.WeightZeros) / weights, ops);
        }

        // Scales and zero points: what quantization adds to describe the integers, not parameters of the model.
        private static IEnumerable<string> QuantizationParameters(OnnxNode node, HashSet<string> dynamicScales)
        {
            // MatMulInteger rewrites multiply the activation's dynamic scale by the weight's scale.
            if (node.OpType == "Mul" && node.Inputs.Any(dynamicScales.Contains))
                return node.Inputs.Where(i => !dynamicScales.Contains(i));

            int[] indices = node.OpType switch
            {
                "QuantizeLinear" or "DequantizeLinear" => [1, 2],
                "MatMulInteger" or "ConvInteger" => [2, 3],
                "MatMulIntegerToFloat" => [2, 3, 4, 5],
                "QLinearConv" or "QLinearMatMul" => [1, 2, 4, 5, 6, 7],
                _ => [],
            };
            return indices.Where(i => i < node.Inputs.Count && node.Inputs[i].Length > 0).Select(i => node.Inputs[i]);
        }

        /// <summary>The node that computes the source layer <paramref name="name"/> in this model.</summary>
        public OnnxNode? Find(string name, string? output)
        {
            var nodes = _model.Graph.Nodes.Where(IsCompute).ToList();
            var byName = nodes.FirstOrDefault(n => NameOf(n) == name)
                         ?? nodes.FirstOrDefault(n => n.Name.StartsWith(name + "_", StringComparison.Ordinal));
            if (byName is not null || output is null)
                return byName;

            // Walk back from the value the layer produced (rewrites keep the layer's output name).
            var queue = new Queue<(string Value, int Depth)>([(output, 0)]);
            while (queue.TryDequeue(out var item))
            {
                if (!_producers.TryGetValue(item.Value, out var producer))
                    continue;
                if (IsCompute(producer))
                    return producer;
                if (item.Depth < 5 && producer.OpType is "Add" or "Mul" or "Cast" or "DequantizeLinear" or "QuantizeLinear" or "Relu")
                    foreach (var input in producer.Inputs.Where(i => i.Length > 0))
                        queue.Enqueue((input, item.Depth + 1));
            }

            return null;
        }

        public LayerFacts Layer(OnnxNode node, string fallbackOutput)
        {
            var (weightInput, zeroPointInput) = node.OpType switch
            {
                "ConvInteger" or "MatMulInteger" => (1, 3),
                "MatMulIntegerToFloat" => (1, 5),
                "QLinearConv" or "QLinearMatMul" => (3, 5),
                _ => (1, -1),
            };
            var weight = Resolve(node, weightInput, zeroPointInput);
            var biasInput = node.OpType switch { "Conv" or "Gemm" => 2, "QLinearConv" => 8, _ => -1 };
            var parameters = (weight?.Tensor.ElementCount ?? 0) + (Resolve(node, biasInput, -1)?.Tensor.ElementCount ?? 0);
            if (node.OpType is "MatMulInteger" or "ConvInteger" or "MatMulIntegerToFloat" && _producers.TryGetValue(fallbackOutput, out var last) && last.OpType == "Add")
                parameters += last.Inputs.Select(i => _initializers.GetValueOrDefault(i)?.ElementCount ?? 0).Sum(); // the bias, added after rescaling
            var (zeros, total) = weight is null ? (0L, 0L) : CountZeros(weight);
            return new LayerFacts(
                node.OpType,
                parameters,
                weight is null ? null : Flops(node, weight.Tensor.Dims, fallbackOutput),
                total == 0 ? null : (double)zeros / total,
                weight?.Tensor.ElementType is TensorElementType.Int8 or TensorElementType.UInt8 or TensorElementType.Int4 or TensorElementType.UInt4,
                weight?.Tensor.ElementType.ToString(),
                total,
                zeros);
        }

        private sealed record Weight(OnnxTensor Tensor, OnnxTensor? ZeroPoint, long Axis);

        // A constant input, directly or through a DequantizeLinear of a constant.
        private Weight? Resolve(OnnxNode node, int index, int zeroPointIndex)
        {
            if (index < 0 || index >= node.Inputs.Count || node.Inputs[index].Length == 0)
                return null;
            var name = node.Inputs[index];
            if (_initializers.TryGetValue(name, out var tensor))
            {
                // Integer ops' per-channel zero points run along the output channels: Conv's first axis, MatMul's last.
                var axis = node.OpType is "MatMulInteger" or "QLinearMatMul" or "MatMulIntegerToFloat" ? tensor.Dims.Count - 1 : 0;
                return new Weight(tensor, Constant(node, zeroPointIndex), axis);
            }

            if (_producers.TryGetValue(name, out var dq) && dq.OpType == "DequantizeLinear" && _initializers.TryGetValue(dq.Inputs[0], out var quantized))
                return new Weight(quantized, Constant(dq, 2), dq.FindAttribute("axis")?.Int ?? 1);
            if (_producers.TryGetValue(name, out var cast) && cast.OpType == "Cast" && _initializers.TryGetValue(cast.Inputs[0], out var half))
                return new Weight(half, null, 0);
            return null;
        }

        private OnnxTensor? Constant(OnnxNode node, int index) =>
            index >= 0 && index < node.Inputs.Count && _initializers.TryGetValue(node.Inputs[index], out var t) ? t : null;

        private static (long Zeros, long Total) CountZeros(Weight weight)
        {
            try
            {
                var tensor = weight.Tensor;
                switch (tensor.ElementType)
                {
                    case TensorElementType.Float:
                        var floats = tensor.ToFloatArray();
                        return (floats.LongCount(v => v == 0f), floats.Length);
                    case TensorElementType.Float16:
                        var halves = tensor.ToFloat16Array();
                        return (halves.LongCount(v => v == Half.Zero), halves.Length);
                    case TensorElementType.Int8:
                        var zp8 = weight.ZeroPoint?.ToInt8Array().Select(v => (long)v).ToArray();
                        return CountIntegerZeros(tensor.ToInt8Array().Select(v => (long)v).ToArray(), zp8, tensor.Dims, weight.Axis);
                    case TensorElementType.UInt8:
                        var zpu8 = weight.ZeroPoint?.ToUInt8Array().Select(v => (long)v).ToArray();
                        return CountIntegerZeros(tensor.ToUInt8Array().Select(v => (long)v).ToArray(), zpu8, tensor.Dims, weight.Axis);
                    default:
                        return (0, 0);
                }
            }
            catch (OnnxFormatException)
            {
                return (0, 0);
            }
        }

        // Zero in the quantized domain: equal to the zero point of the element's channel.
        private static (long, long) CountIntegerZeros(long[] values, long[]? zeroPoints, IReadOnlyList<long> dims, long axis)
        {
            if (zeroPoints is null || zeroPoints.Length <= 1)
            {
                var zp = zeroPoints is { Length: 1 } ? zeroPoints[0] : 0;
                return (values.LongCount(v => v == zp), values.Length);
            }

            var rank = dims.Count;
            var a = (int)(axis < 0 ? axis + rank : axis);
            if (a < 0 || a >= rank || dims[a] != zeroPoints.Length)
                return (0, 0);
            var inner = dims.Skip(a + 1).Aggregate(1L, (x, d) => x * d);
            long zeros = 0;
            for (long i = 0; i < values.Length; i++)
                zeros += values[i] == zeroPoints[i / inner % zeroPoints.Length] ? 1 : 0;
            return (zeros, values.Length);
        }

        // 2 × MACs for one sample, from the weight's dims and the layer's output shape.
        private long? Flops(OnnxNode node, IReadOnlyList<long> weight, string fallbackOutput)
        {
            if (weight.Count == 0)
                return null;
            var output = Shape(node.Outputs[0]) ?? Shape(fallbackOutput);
            if (output is null && node.OpType is not ("Conv" or "ConvInteger" or "QLinearConv"))
            {
                // A rewritten MatMul whose output type is not inferred (e.g. MatMulInteger on DynamicQuantizeLinear):
                // each input row of K values gives N outputs, 2·K·N FLOPs.
                // Per-row quantization divides the activation by its row scales before QuantizeLinear.
                var (input, value) = (Shape(node.Inputs[0]), node.Inputs[0]);
                for (var step = 0; input is null && step < 2 && _producers.TryGetValue(value, out var producer)
                                   && producer.OpType is "DynamicQuantizeLinear" or "QuantizeLinear" or "DequantizeLinear" or "Cast" or "Div"; step++)
                    (input, value) = (Shape(producer.Inputs[0]), producer.Inputs[0]);
                if (input is null)
                    return null;
                var inputElements = input.Count == 1 ? input[0].Size ?? 1 : input.Skip(1).Aggregate(1L, (x, d) => x * (d.Size ?? 1));
                var columns = node.OpType == "Gemm" && (node.FindAttribute("transB")?.Int ?? 0) != 0 ? weight[0] : weight[^1];
                return 2 * inputElements * columns;
            }

            if (output is null)
                return null;
            var outputElements = output.Count == 1 ? output[0].Size ?? 1 : output.Skip(1).Aggregate(1L, (x, d) => x * (d.Size ?? 1));
            long reduction = node.OpType switch
            {
                "Conv" or "ConvInteger" or "QLinearConv" => weight.Skip(1).Aggregate(1L, (x, d) => x * d),
                "Gemm" => (node.FindAttribute("transB")?.Int ?? 0) != 0 ? weight[^1] : weight[0],
                _ => weight.Count >= 2 ? weight[^2] : weight[0],
            };
            return 2 * outputElements * reduction;
        }

        private IReadOnlyList<Dim>? Shape(string value) => _types.TryGetValue(value, out var type) ? type.Shape : null;
    }
}
