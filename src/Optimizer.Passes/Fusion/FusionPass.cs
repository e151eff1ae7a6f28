using Optimizer.Onnx;

namespace Optimizer.Passes.Fusion;

/// <summary>
/// Fusions that an exported file needs before quantization: Conv+BatchNormalization folding
/// and MatMul+Add → Gemm. ONNX Runtime does similar fusions when it loads a model, but only in
/// memory: a quantizer reading the file would otherwise see the unfused graph (and quantize a
/// Conv whose BatchNorm rescales it afterwards). So the pipeline runs this pass by default,
/// right after clean-up; <c>Fuse</c> may also be requested explicitly (it has no options).
/// </summary>
internal sealed class FusionPass : IModelPass
{
    public static string Name => Schema.PassSchema.Fuse.Name;

    public int Stage => Schema.PassSchema.Fuse.Order;

    public PassReport Run(OnnxModel model)
    {
        var changed = new List<PassChange>();
        var skipped = new List<PassSkip>();
        var nodesBefore = model.Graph.Nodes.Count;
        ConvBatchNormFolding.Run(model, new UniqueNames(model.Graph), changed, skipped);
        var folded = changed.Count;
        MatMulAddToGemm.Run(model, changed, skipped);
        var pairs = ActivationAdjacency.CountPairs(model.Graph);
        var summary = $"{nodesBefore} → {model.Graph.Nodes.Count} nodes: {folded} Conv+BatchNormalization folded, {changed.Count - folded} MatMul+Add → Gemm, " +
                      $"{pairs} Conv/Gemm+Relu/Clip pairs adjacent for the quantizer" + (skipped.Count > 0 ? $"; {skipped.Count} skipped" : "");
        return new PassReport(Name, summary, changed, skipped);
    }
}
