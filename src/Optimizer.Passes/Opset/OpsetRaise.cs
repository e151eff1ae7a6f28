using Optimizer.Onnx;

namespace Optimizer.Passes.Opset;

/// <summary>How a pass that needs a newer opset gets it: a raised copy of the model, or why not.</summary>
/// <param name="Model">The model to work on: the raised copy, or the original when nothing was raised.</param>
/// <param name="Problem">Null when <see cref="Model"/> imports the required opset (or more), else why it cannot.</param>
/// <param name="Raised">The report entry when the opset was raised, else null.</param>
internal sealed record OpsetRaise(OnnxModel Model, string? Problem, PassChange? Raised)
{
    /// <summary>The node name used for the opset entry in pass reports.</summary>
    public const string ReportNode = "(model opset)";

    /// <summary>
    /// Brings <paramref name="model"/> to ai.onnx opset <paramref name="required"/> on a copy when it
    /// is older, adapting every node (see <see cref="OpsetUpgrader"/>); <paramref name="why"/> says
    /// what needs the newer opset, for the report. The original model is never changed.
    /// </summary>
    public static OpsetRaise Prepare(OnnxModel model, long required, string why)
    {
        var opset = model.GetOpsetVersion("");
        if (opset is null)
        {
            return new OpsetRaise(model, "the model imports no standard ONNX opset", null);
        }

        if (opset >= required)
        {
            return new OpsetRaise(model, null, null);
        }

        var copy = model.Clone();
        var result = OpsetUpgrader.Upgrade(copy, required);
        return result.Succeeded
            ? new OpsetRaise(copy, null, new PassChange(ReportNode, result.Describe(why)))
            : new OpsetRaise(model, result.Refusal, null);
    }
}
