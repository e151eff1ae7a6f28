using Optimizer.Onnx;

namespace Optimizer.Passes;

/// <summary>
/// Runs requested passes over a copy of a model, in the pipeline's own order (clean-up and
/// fusion before pruning, pruning before quantization), whatever order they were declared in.
/// Clean-up and fusion always run first, requested or not.
/// </summary>
public static class PassPipeline
{
    /// <summary>Runs <paramref name="requests"/> over a copy of <paramref name="model"/>.</summary>
    /// <exception cref="PassException">A pass or option is unknown or not available in this version; nothing runs.</exception>
    public static PipelineResult Run(OnnxModel model, IReadOnlyList<PassRequest> requests) => Run(model, requests, PassContext.Empty);

    /// <summary>
    /// Runs <paramref name="requests"/> over a copy of <paramref name="model"/> with what passes
    /// need from outside (calibration data, a model executor, a calibration cache).
    /// </summary>
    /// <exception cref="PassException">A pass or option is unknown or not available in this version; nothing runs.</exception>
    public static PipelineResult Run(OnnxModel model, IReadOnlyList<PassRequest> requests, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requests);
        var duplicate = requests.GroupBy(r => r.Pass, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new PassException(PassErrorCodes.DuplicatePass,
                $"The {duplicate.Key} pass is requested {duplicate.Count()} times. Declare each pass once.", duplicate.Key);
        }

        // Validate every request before touching the model, so a bad option fails fast.
        var passes = PassCatalog.Create(requests, context)
            .Concat(context.AfterPruning is { } step ? [new PipelineStepPass(step)] : []).ToArray();
        var working = model.Clone();
        var ran = passes.Concat(PassCatalog.AlwaysOn(passes)).OrderBy(p => p.Stage).Select(p => (Pass: p, Report: p.Run(working))).ToArray();
        // Requested passes report first, in the order they ran; the always-on clean-up and fusion
        // follow, and only when they changed or skipped something.
        var reports = ran.Where(r => passes.Contains(r.Pass)).Select(r => r.Report)
            .Concat(ran.Where(r => !passes.Contains(r.Pass) && (r.Report.Changed.Count > 0 || r.Report.Skipped.Count > 0)).Select(r => r.Report))
            .ToArray();
        return new PipelineResult(working, reports);
    }
}
