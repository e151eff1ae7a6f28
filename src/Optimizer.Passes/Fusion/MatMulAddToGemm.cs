using Optimizer.Onnx;
using Optimizer.Passes.Cleanup;

namespace Optimizer.Passes.Fusion;

/// <summary>
/// Rewrites y = MatMul(A, B) + C as one Gemm(A, B, C): what the quantizer and ONNX Runtime's Gemm
/// kernels handle best. Only when A is 2-D, B is a constant 2-D [K, N] float32 weight, C is a
/// constant [N] or [1, N] bias (it broadcasts along the last axis) and the MatMul output feeds
/// nothing but the Add.
/// </summary>
internal static class MatMulAddToGemm
{
    /// <summary>Gemm-7 is the first whose C broadcasts without the legacy <c>broadcast</c> attribute.</summary>
    private const long MinimumOpset = 7;

    public static void Run(OnnxModel model, List<PassChange> changed, List<PassSkip> skipped)
    {
        var graph = model.Graph;
        var candidates = graph.Nodes.Where(n => n is { OpType: "MatMul", IsDefaultDomain: true } && n.Inputs.Count == 2 && n.Outputs.Count == 1).ToArray();
        if (candidates.Length == 0) return;
        var types = ShapeInference.Infer(model);
        // One index for the run, kept current as pairs fuse; the graph's lists change once at the end.
        var usage = new GraphUsage(graph);
        var replaced = new Dictionary<OnnxNode, OnnxNode?>();
        var goneAnnotations = new HashSet<string>(StringComparer.Ordinal);
        foreach (var matMul in candidates)
        {
            if (usage.ConsumersOf(matMul.Outputs[0]) is not [{ OpType: "Add", IsDefaultDomain: true } add])
            {
                continue; // no single Add reads it: not a MatMul+Add pair
            }

            var reason = WhyNot(model, types, usage, matMul, add, out var bias);
            if (reason is not null)
            {
                skipped.Add(new PassSkip(CleanupLog.NameOf(matMul), $"MatMul + Add not turned into Gemm: {reason}"));
                continue;
            }

            var gemm = new OnnxNode("Gemm", [matMul.Inputs[0], matMul.Inputs[1], bias!], [add.Outputs[0]], matMul.Name);
            usage.Forget(add);
            usage.Forget(matMul);
            usage.Track(gemm);
            replaced[add] = gemm;
            replaced[matMul] = null;
            goneAnnotations.Add(matMul.Outputs[0]);
            changed.Add(new PassChange(CleanupLog.NameOf(matMul), $"MatMul + {CleanupLog.NameOf(add)} (Add) → Gemm"));
        }

        if (replaced.Count == 0) return;
        // The Gemm takes the Add's place; the MatMul goes.
        var nodes = graph.Nodes.Select(n => replaced.TryGetValue(n, out var by) ? by : n).OfType<OnnxNode>().ToList();
        graph.Nodes.Clear();
        graph.Nodes.AddRange(nodes);
        graph.ValueInfos.RemoveAll(v => goneAnnotations.Contains(v.Name));
    }

    private static string? WhyNot(OnnxModel model, IReadOnlyDictionary<string, ValueTypeInfo> types, GraphUsage usage, OnnxNode matMul, OnnxNode add, out string? bias)
    {
        bias = add.Inputs.Count == 2 ? add.Inputs.FirstOrDefault(i => i != matMul.Outputs[0]) : null;
        if (model.GetOpsetVersion("") is not { } opset || opset < MinimumOpset) return $"the model's opset is below {MinimumOpset}";
        if (bias is null) return "the Add reads the MatMul output twice";
        if (FusionGuards.OtherReaders(usage, matMul.Outputs[0], add) is { } other) return other;
        if (types.GetValueOrDefault(matMul.Inputs[0]) is not { ElementType: TensorElementType.Float, Shape.Count: 2 })
        {
            return "A is not known to be a 2-D float32 tensor (Gemm multiplies matrices only)";
        }

        if (FusionGuards.ConstantFloat(model, matMul.Inputs[1]) is not { Dims.Count: 2 } weight) return "B is not a constant 2-D float32 initializer";
        if (FusionGuards.ConstantFloat(model, bias) is not { } c) return "the added value is not a constant float32 initializer";
        var n = weight.Dims[1];
        var broadcastsAlongLastAxis = c.Dims.Count == 1 && c.Dims[0] == n || c.Dims.Count == 2 && c.Dims[0] == 1 && c.Dims[1] == n;
        return broadcastsAlongLastAxis ? null : $"the bias shape [{string.Join(",", c.Dims)}] is not [{n}] or [1,{n}]";
    }
}
