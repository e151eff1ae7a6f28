using Optimizer.Onnx;

namespace Optimizer.Engine.Verification;

/// <summary>
/// <see cref="ModelRunner.Compare"/> for models too large to hold twice: both are opened in ONNX Runtime from
/// their files (ORT maps their external data itself; the fp32 original without prepacked weight copies), and never at the same time — the original runs over
/// every feed first and only its float outputs are kept, then it is closed and the optimized model runs.
/// </summary>
internal static class FileModelComparison
{
    public static FidelityResult Compare(string originalFile, OnnxModel original, string optimizedFile, OnnxModel optimized, VerificationInputs data)
    {
        var feeds = data.Samples.Feeds(ModelRunner.MaxBatch).ToList();
        var references = new List<IReadOnlyList<RunOutput>>(feeds.Count);
        using (var reference = new ModelSession(originalFile, original, ModelRunner.Original, data.Source, prepack: false))
        {
            foreach (var feed in feeds)
                references.Add(reference.Run(feed));
        }

        var comparison = new FidelityAccumulator(data.Labels);
        using var candidate = new ModelSession(optimizedFile, optimized, ModelRunner.Optimized, data.Source, prepack: true);
        for (var i = 0; i < feeds.Count; i++)
            comparison.Add(feeds[i], references[i], candidate.Run(feeds[i]));
        return comparison.Result(data);
    }
}
