// Float16 conversion with float32 kept at the edges and where fp16 loses range or precision.
//
// Kept in float32 by default (KeepFp32 replaces this list; write "Default" in it to extend it):
// - Exp, Pow: overflow fp16's 65504 for inputs past ~11 (Exp) or modest bases (Pow x², x³).
// - Log, Reciprocal-style ranges are fine in fp16, but Log of sums that were accumulated in fp16
//   is not; the reductions themselves are what loses precision:
// - ReduceSum/ReduceMean/ReduceProd/ReduceSumSquare/ReduceL1/ReduceL2/ReduceLogSum/ReduceLogSumExp,
//   CumSum: sums over large axes exceed fp16 or lose the low bits (11-bit mantissa).
// - Softmax, LogSoftmax: the normalizing sum over a large axis (e.g. a vocabulary) loses precision.
// - Resize, Upsample, Range: their scale/step inputs must stay float32 or index arithmetic drifts.
// - ops that create float32 from attributes (ConstantOfShape, Random*, EyeLike) and
//   DequantizeLinear, whose outputs are float32 by definition; non-standard domains.
// Graph inputs and outputs stay float32: a Cast to fp16 follows each input that an fp16 node
// reads, and a Cast back to fp32 produces each output. Between an fp16 node and a kept node a
// Cast is inserted. Float constants read only by fp16 nodes are stored as fp16 (half the bytes).

using Optimizer.Onnx;
using Optimizer.Passes.Quantization;

namespace Optimizer.Passes.Precision;

/// <summary>Converts float32 weights and activations to float16, keeping listed ops in float32.</summary>
internal sealed class Float16Conversion(IReadOnlySet<string> keepFp32) : IModelPass
{
    public static readonly string[] DefaultKeepFp32 =
    [
        "Exp", "Pow", "ReduceSum", "ReduceMean", "ReduceProd", "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSum",
        "ReduceLogSumExp", "CumSum", "Softmax", "LogSoftmax", "Resize", "Upsample", "Range",
    ];

    private static readonly HashSet<string> ProducesFloat32 =
        ["ConstantOfShape", "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "EyeLike", "DequantizeLinear"];

    private static readonly HashSet<string> TypeNeutral = ["Cast", "Shape", "Size", "Constant"];

    public int Stage => Schema.PassSchema.Quantize.Order;

    /// <summary>Parses the KeepFp32 option: op types or node names, comma separated; "Default" stands for the default list.</summary>
    public static IReadOnlySet<string> ParseKeepList(string? option)
    {
        if (option is null)
        {
            return DefaultKeepFp32.ToHashSet(StringComparer.Ordinal);
        }

        var entries = option.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return entries.SelectMany(e => e.Equals("Default", StringComparison.OrdinalIgnoreCase) ? DefaultKeepFp32 : [e]).ToHashSet(StringComparer.Ordinal);
    }

    public PassReport Run(OnnxModel model)
    {
        var graph = model.Graph;
        var types = ValueElementTypes.Infer(graph);
        bool IsFloat(string v) => v.Length > 0 && types.GetValueOrDefault(v) == TensorElementType.Float;
        var half = graph.GetTopologicalOrder().Where(n => RunsInHalf(n, IsFloat)).ToHashSet();
        var changed = new List<PassChange>();
        var skipped = graph.Nodes.Where(n => !half.Contains(n) && !TypeNeutral.Contains(n.OpType) && n.Inputs.Concat(n.Outputs).Any(IsFloat))
            .Select(n => new PassSkip(QdqPlanner.NameOf(n), WhyKept(n))).ToList();

        var inHalf = ConvertConstants(graph, half, IsFloat);
        var casts = new CastInserter(graph, inHalf);
        foreach (var node in graph.GetTopologicalOrder())
        {
            if (half.Contains(node))
            {
                casts.ReadAs(node, IsFloat, toHalf: true);
                inHalf.UnionWith(node.Outputs.Where(IsFloat));
                changed.Add(new PassChange(QdqPlanner.NameOf(node), $"{node.OpType} runs in float16"));
            }
            else if (!TypeNeutral.Contains(node.OpType) || node.OpType == "Constant")
            {
                casts.ReadAs(node, IsFloat, toHalf: false);
            }
        }

        casts.RestoreFloatOutputs();
        graph.ValueInfos.RemoveAll(v => inHalf.Contains(v.Name));
        graph.SortTopologically();
        var summary = $"Float16: {changed.Count} nodes in float16, {skipped.Count} kept in float32, {casts.Count} casts inserted";
        return new PassReport(QuantizePass.Name, summary, changed, skipped);
    }

    private bool RunsInHalf(OnnxNode node, Func<string, bool> isFloat) =>
        node.IsDefaultDomain && !TypeNeutral.Contains(node.OpType) && !ProducesFloat32.Contains(node.OpType)
        && !keepFp32.Contains(node.OpType) && !keepFp32.Contains(node.Name) && node.Inputs.Concat(node.Outputs).Any(isFloat);

    private string WhyKept(OnnxNode node) =>
        !node.IsDefaultDomain ? $"operator of domain '{node.Domain}' is left in float32"
        : ProducesFloat32.Contains(node.OpType) ? $"{node.OpType} produces float32 by definition"
        : keepFp32.Contains(node.Name) ? "node named in KeepFp32"
        : $"{node.OpType} is in KeepFp32 (loses range or precision in float16)";

    /// <summary>Stores float constants as fp16 when every reader runs in fp16; returns the values now held in fp16.</summary>
    private static HashSet<string> ConvertConstants(OnnxGraph graph, HashSet<OnnxNode> half, Func<string, bool> isFloat)
    {
        var converted = new HashSet<string>();
        bool OnlyHalfReaders(string name) => graph.FindConsumers(name) is { Count: > 0 } readers && readers.All(half.Contains) && !graph.IsUsedOutsideExplicitInputs(name);
        for (var i = 0; i < graph.Initializers.Count; i++)
        {
            var t = graph.Initializers[i];
            if (t.ElementType == TensorElementType.Float && OnlyHalfReaders(t.Name) && graph.DeclaredInputs.All(d => d.Name != t.Name))
            {
                graph.Initializers[i] = ToHalf(t.Name, t);
                converted.Add(t.Name);
            }
        }

        foreach (var constant in graph.Nodes.Where(n => n.OpType == "Constant" && n.FindAttribute("value")?.Tensor is { ElementType: TensorElementType.Float }))
        {
            if (OnlyHalfReaders(constant.Outputs[0]))
            {
                constant.SetAttribute(OnnxAttribute.FromTensor("value", ToHalf("", constant.FindAttribute("value")!.Tensor!)));
                converted.Add(constant.Outputs[0]);
            }
        }

        return converted;
    }

    private static OnnxTensor ToHalf(string name, OnnxTensor tensor) =>
        OnnxTensor.FromFloat16s(name, tensor.Dims, tensor.ToFloatArray().Select(v => (Half)Math.Clamp(v, -65504f, 65504f)).ToArray());
}
