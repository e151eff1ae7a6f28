using Optimizer.Onnx;
using Optimizer.Passes.Quantization.Recurrent;

namespace Optimizer.Passes.Tests.Quantization.Recurrent;

/// <summary>
/// Runs the Conv/LSTM rewriters with chosen kinds switched on whatever the speed table decided, so
/// the quantized forms the table keeps off are still proven to load and stay close to fp32 (and can
/// be measured again when ONNX Runtime changes).
/// </summary>
internal static class ForcedLayerKinds
{
    /// <summary>Quantizes <paramref name="model"/> in place with only <paramref name="opTypes"/> switched on.</summary>
    public static DynamicLayerResult Quantize(OnnxModel model, string[] opTypes, bool perChannel = true, bool reduceRange = true)
    {
        var kinds = DynamicLayerKinds.All.Select(k => k with { Quantize = opTypes.Contains(k.OpType) }).ToList();
        return new DynamicLayerQuantization(perChannel, reduceRange, kinds).Run(model);
    }

    /// <summary>Every node of the model, subgraphs included, depth first.</summary>
    public static IEnumerable<OnnxNode> AllNodes(OnnxGraph graph) =>
        graph.Nodes.Concat(graph.Nodes.SelectMany(n => n.Attributes).Where(a => a.HasSubgraphs).SelectMany(a => a.ReadSubgraphs()).SelectMany(AllNodes));

    /// <summary>Every value defined anywhere in the model (initializers, node outputs), once per definition.</summary>
    public static IEnumerable<string> DefinedValues(OnnxGraph graph) =>
        graph.Initializers.Select(t => t.Name).Concat(graph.Nodes.SelectMany(n => n.Outputs).Where(o => o.Length > 0))
            .Concat(graph.Nodes.SelectMany(n => n.Attributes).Where(a => a.HasSubgraphs).SelectMany(a => a.ReadSubgraphs()).SelectMany(DefinedValues));

    /// <summary>Cosine similarity of two equally long series (1 when both are all zero).</summary>
    public static double Cosine(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        var (dot, ee, aa) = (0.0, 0.0, 0.0);
        for (var i = 0; i < expected.Count; i++)
        {
            (dot, ee, aa) = (dot + expected[i] * actual[i], ee + expected[i] * expected[i], aa + actual[i] * actual[i]);
        }

        return ee == 0 && aa == 0 ? 1 : dot / Math.Sqrt(ee * aa);
    }
}
