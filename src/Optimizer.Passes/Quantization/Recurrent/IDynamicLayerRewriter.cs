using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization.Recurrent;

/// <summary>Rewrites one kind of layer (Conv, LSTM) to its dynamically quantized form.</summary>
internal interface IDynamicLayerRewriter
{
    /// <summary>Rewrites <paramref name="node"/> in <paramref name="scope"/>'s graph and returns what it did, or leaves it and returns why not.</summary>
    (string? Detail, string? Reason) TryRewrite(OnnxNode node, GraphScope scope);
}
