using Optimizer.Onnx;

namespace Optimizer.Engine.Verification;

/// <summary>
/// Runs models over the verification samples, one feed at a time (<see cref="Passes.Data.SampleSet.Feeds"/>
/// batches up to <see cref="MaxBatch"/> samples where the data allows it), so memory holds one feed's
/// outputs, never all of them.
/// </summary>
internal static class ModelRunner
{
    /// <summary>
    /// Samples per run at most. ONNX Runtime's working memory grows with the batch (an encoder at sequence
    /// 64 takes tens of MB per sample, for each of the two models), so batches stay small and peak memory
    /// does not grow with the number of validation samples.
    /// </summary>
    public const int MaxBatch = 8;

    /// <summary>The roles models are run in (also what <see cref="VerificationException.OnnxRuntimeFailedOn"/> says).</summary>
    public const string Original = "original", Optimized = "optimized";

    /// <summary>Runs both models on every feed and compares their outputs sample by sample.</summary>
    public static FidelityResult Compare(byte[] originalBytes, OnnxModel original, byte[] optimizedBytes, OnnxModel optimized, VerificationInputs data)
    {
        using var reference = new ModelSession(originalBytes, original, Original, data.Source);
        using var candidate = new ModelSession(optimizedBytes, optimized, Optimized, data.Source);
        var comparison = new FidelityAccumulator(data.Labels);
        foreach (var feed in data.Samples.Feeds(MaxBatch))
            comparison.Add(feed, reference.Run(feed), candidate.Run(feed));
        return comparison.Result(data);
    }

    /// <summary>Runs one model on every feed and keeps nothing: whether it runs at all.</summary>
    public static void RunAll(byte[] modelBytes, OnnxModel model, VerificationInputs data, string role)
    {
        using var session = new ModelSession(modelBytes, model, role, data.Source);
        foreach (var feed in data.Samples.Feeds(MaxBatch))
            session.Run(feed);
    }
}
