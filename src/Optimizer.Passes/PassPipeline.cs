using Optimizer.Onnx;

namespace Optimizer.Passes;

/// <summary>
/// Runs requested passes over a copy of a model, in the pipeline's own order (clean-up and
/// fusion before pruning, pruning before quantization), whatever order they were declared in.
/// Clean-up and fusion always run first, requested or not.
/// </summary>
public static class PassPipeline
{
    /// <summary>The passes this version implements, for messages and help text.</summary>
    public static string AvailablePasses => PassCatalog.Available;

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
        var calibration = StaticQuantizationCalibration(requests);
        var passes = requests.Select(r => PassCatalog.Create(r, context, calibration))
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

    /// <summary>
    /// The <c>Calibration</c> a StaticInt8 Quantize request declares, or null. A Prune request that names no
    /// calibration data of its own uses this for bias correction: the data already describes the model's inputs
    /// and the build loads it anyway, so declaring it twice would only invite the two to disagree.
    /// </summary>
    private static string? StaticQuantizationCalibration(IReadOnlyList<PassRequest> requests)
    {
        static string? Option(PassRequest r, string name) => r.Options.FirstOrDefault(o => o.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        return requests.Where(r => r.Pass.Equals(Quantization.QuantizePass.Name, StringComparison.OrdinalIgnoreCase)
                                   && string.Equals(Option(r, "Mode"), "StaticInt8", StringComparison.OrdinalIgnoreCase))
            .Select(r => Option(r, "Calibration")).FirstOrDefault(c => !string.IsNullOrEmpty(c));
    }
}
