using Optimizer.Onnx;

namespace Optimizer.Passes.Fusion;

/// <summary>
/// Counts Conv/Gemm outputs read only by a Relu or Clip. The fusions above never put a node
/// between such a pair (BN folding makes the Conv write the BN's output, so a Conv→BN→Relu
/// chain ends as Conv→Relu), so the quantizer can treat each pair as one quantized unit.
/// </summary>
internal static class ActivationAdjacency
{
    public static int CountPairs(OnnxGraph graph)
    {
        var readers = graph.Nodes.SelectMany(n => n.Inputs.Distinct().Select(i => (Input: i, Node: n))).ToLookup(p => p.Input, p => p.Node);
        return graph.Nodes.Count(n => n is { OpType: "Conv" or "Gemm", IsDefaultDomain: true } && n.Outputs.Count == 1
            && readers[n.Outputs[0]].ToArray() is [{ OpType: "Relu" or "Clip", IsDefaultDomain: true }]);
    }
}
