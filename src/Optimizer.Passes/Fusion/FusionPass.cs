using Optimizer.Onnx;

namespace Optimizer.Passes.Fusion;

/// <summary>
/// Fusions that an exported file needs before quantization: Conv+BatchNormalization folding,
/// constant affine nodes after a Conv folded into it, and MatMul+Add → Gemm. ONNX Runtime does similar fusions when it loads a model, but only in
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
        var names = new UniqueNames(model.Graph);
        ConvBatchNormFolding.Run(model, names, changed, skipped);
        var batchNorms = changed.Count;
        // After BN folding: a Conv → BN → Mul chain is by then a Conv → Mul.
        ConvAffineFolding.Run(model, names, changed, skipped);
        var affines = changed.Count - batchNorms;
        MatMulAddToGemm.Run(model, changed, skipped);
        var pairs = ActivationAdjacency.CountPairs(model.Graph);
        var summary = $"{nodesBefore} → {model.Graph.Nodes.Count} nodes: {batchNorms} Conv+BatchNormalization folded, {affines} constant Mul/Add/Sub/Div folded into Convs, " +
                      $"{changed.Count - batchNorms - affines} MatMul+Add → Gemm, " +
                      $"{pairs} Conv/Gemm+Relu/Clip pairs adjacent for the quantizer" + (skipped.Count > 0 ? $"; {skipped.Count} skipped" : "");
        return new PassReport(Name, summary, changed, skipped);
    }
}
