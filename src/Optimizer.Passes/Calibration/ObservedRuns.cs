using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Passes.Calibration;

/// <summary>
/// What a run over calibration data is for, so its errors carry the right codes and pass:
/// <paramref name="Purpose"/> is added to messages (e.g. <c>" for bias correction"</c>).
/// </summary>
internal sealed record ObservedRunErrors(string MismatchCode, string RunFailedCode, string Pass, string Purpose = "");

/// <summary>
/// Runs a float model over a sample set one feed at a time (consecutive samples batched where the
/// set allows, else one sample per run) and hands each observed value to a callback: float graph
/// inputs straight from the feed, intermediate values from the run. Only one feed's inputs and
/// activations are held at a time, so callers keep running statistics, never the activations.
/// </summary>
internal static class ObservedRuns
{
    /// <summary>
    /// The most bytes of observed activations one run may return: batches are cut to fit, so peak
    /// memory does not grow with the number of samples (an encoder at sequence 64 returns ~40 MB of
    /// activations per sample; 64 of them would need gigabytes, and ONNX Runtime's own working memory grows with them).
    /// </summary>
    public const long ActivationBudgetBytes = 64L << 20;

    /// <param name="model">The float model.</param>
    /// <param name="data">The samples; every feed must fit the model's inputs.</param>
    /// <param name="executor">Runs the model when intermediate values are observed.</param>
    /// <param name="observed">Graph inputs and intermediate values to hand to <paramref name="observe"/>.</param>
    /// <param name="maxBatch">The most samples per run where the set allows batching.</param>
    /// <param name="errors">The codes and pass errors are reported with.</param>
    /// <param name="observe">Called per feed with (value name, float32 values, shape), graph inputs first, then the other values in <paramref name="observed"/> order.</param>
    public static void Stream(OnnxModel model, SampleSet data, IModelExecutor executor, IReadOnlyList<string> observed, int maxBatch,
        ObservedRunErrors errors, Action<string, float[], long[]> observe)
    {
        var graph = model.Graph;
        var inputNames = graph.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var fromFeed = observed.Where(inputNames.Contains).ToArray();
        var intermediate = observed.Where(n => !inputNames.Contains(n)).ToArray();
        using var session = intermediate.Length > 0 ? executor.Open(model, intermediate) : null;
        foreach (var feed in data.Feeds(session is null ? maxBatch : BatchWithinBudget(session, data, maxBatch)))
        {
            var samples = $"calibration samples {feed.FirstSample}..{feed.FirstSample + feed.SampleCount - 1} of {data.Source}";
            if (FeedFit.Problem(graph, feed) is { } problem)
            {
                throw new PassException(errors.MismatchCode,
                    $"The {samples} do not fit the model{errors.Purpose}: {problem}. Supply one sample per model input, shaped like the input ({Signature(graph)}).", errors.Pass);
            }

            foreach (var name in fromFeed)
            {
                // Non-float inputs (token ids, masks) have no quantization range to observe.
                if (feed.Inputs[name].ToFloats() is { } values)
                {
                    observe(name, values, feed.Inputs[name].Shape);
                }
            }

            if (session is null)
            {
                continue;
            }

            IReadOnlyList<FloatTensor> outputs;
            try
            {
                outputs = session.Run(feed.Inputs);
            }
            catch (Exception e) when (e is not PassException)
            {
                throw new PassException(errors.RunFailedCode,
                    $"Running the float model on {samples}{errors.Purpose} failed: {e.Message} Check that the data matches the model's inputs ({Signature(graph)}).", errors.Pass);
            }

            for (var i = 0; i < intermediate.Length; i++)
            {
                observe(intermediate[i], outputs[i].Values, outputs[i].Shape);
            }
        }
    }

    /// <summary>
    /// The batch that keeps one run's activations within <see cref="ActivationBudgetBytes"/>, measured by
    /// a probe run of the first sample whose values are discarded (so the statistics do not depend on it).
    /// </summary>
    private static int BatchWithinBudget(IModelSession session, SampleSet data, int maxBatch)
    {
        if (maxBatch <= 1 || data is not StackedSamples { Batchable: true, SampleCount: > 1 })
        {
            return maxBatch;
        }

        long perSample;
        try
        {
            perSample = session.Run(data.Feeds(1).First().Inputs).Sum(o => (long)o.Values.Length * sizeof(float));
        }
        catch (Exception e) when (e is not PassException)
        {
            return maxBatch; // the first batch's own run reports the failure, naming its samples
        }

        return (int)Math.Clamp(ActivationBudgetBytes / Math.Max(1, perSample), 1, maxBatch);
    }

    private static string Signature(OnnxGraph graph) =>
        string.Join(", ", graph.Inputs.Select(i => $"'{i.Name}' {i.Type?.ToString() ?? "untyped"}"));
}
