using Optimizer.Onnx;

namespace Optimizer.Passes;

/// <summary>
/// Runs requested passes over a copy of a model, in the pipeline's own order (clean-up and
/// fusion before pruning, pruning before quantization), whatever order they were declared in.
/// </summary>
public static class PassPipeline
{
    /// <summary>The passes this version implements, for messages and help text.</summary>
    public static string AvailablePasses => PassCatalog.Available;

    /// <summary>Runs <paramref name="requests"/> over a copy of <paramref name="model"/>.</summary>
    /// <exception cref="PassException">A pass or option is unknown or not available in this version; nothing runs.</exception>
    public static PipelineResult Run(OnnxModel model, IReadOnlyList<PassRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(requests);
        var duplicate = requests.GroupBy(r => r.Pass, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new PassException(PassErrorCodes.DuplicatePass,
                $"The {duplicate.Key} pass is requested {duplicate.Count()} times. Declare each pass once.", duplicate.Key);
        }

        // Validate every request before touching the model, so a bad option fails fast.
        var passes = requests.Select(PassCatalog.Create).ToArray();
        var working = model.Clone();
        var reports = passes.OrderBy(p => p.Stage).Select(p => p.Run(working)).ToArray();
        return new PipelineResult(working, reports);
    }
}
