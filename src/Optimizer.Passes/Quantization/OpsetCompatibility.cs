using Optimizer.Onnx;
using Optimizer.Passes.Opset;

namespace Optimizer.Passes.Quantization;

/// <summary>
/// Decides whether a model's default-domain opset can be raised. The per-operator change table
/// and the adapters that rewrite nodes across each change live in <see cref="OpsetUpgrader"/>
/// (Opset/OpsetChanges.cs); the quantization passes raise through <see cref="OpsetRaise"/>.
/// </summary>
internal static class OpsetCompatibility
{
    /// <summary>
    /// Null when every node's changes between <paramref name="from"/> and <paramref name="to"/> are
    /// compatible or adapted by the opset upgrader, else why not.
    /// </summary>
    public static string? WhyNotRaise(OnnxModel model, long from, long to) => OpsetUpgrader.WhyNot(model, from, to);
}
