using Optimizer.Passes.Data;

namespace Optimizer.Engine.Verification;

/// <summary>
/// Compares the original's and the optimized model's outputs feed by feed, sample by sample, keeping
/// only running figures (<see cref="OutputStatistics"/>, <see cref="ClassificationStatistics"/>).
/// </summary>
internal sealed class FidelityAccumulator(int[]? labels)
{
    private readonly Dictionary<string, OutputStatistics> _outputs = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private ClassificationStatistics? _classification;
    private bool _classificationChosen;

    public void Add(Feed feed, IReadOnlyList<RunOutput> original, IReadOnlyList<RunOutput> optimized)
    {
        foreach (var o in original)
        {
            var q = optimized.FirstOrDefault(x => x.Name == o.Name)?.Values;
            if (q is null || q.Length != o.Values.Length)
                throw new VerificationException($"output '{o.Name}' has {q?.Length ?? 0} values in the optimized model but {o.Values.Length} in the original on samples {Range(feed)}");
            Add(feed, o, q);
        }

        _classificationChosen = true;
    }

    public FidelityResult Result(VerificationInputs data)
    {
        var top1 = _classification?.Top1;
        return new FidelityResult(data.Source, data.SampleCount, _classification?.Output, top1?.Original, top1?.Optimized,
            _classification?.Agreement, _order.Select(n => _outputs[n].Result()).ToList())
        {
            IsGenerated = data.IsGenerated,
        };
    }

    private void Add(Feed feed, RunOutput original, float[] optimized)
    {
        if (!_outputs.TryGetValue(original.Name, out var statistics))
        {
            _outputs[original.Name] = statistics = new OutputStatistics(original.Name);
            _order.Add(original.Name);
        }

        if (!_classificationChosen && _classification is null && ClassificationStatistics.LooksLikeLogits(original.Shape, labels is not null))
            _classification = new ClassificationStatistics(original.Name, (int)original.Shape[^1], labels);
        var classify = _classification?.Output == original.Name;

        var count = SampleSplit.Count(feed, original.Shape);
        var mask = count == feed.SampleCount ? PooledEmbedding.MaskFor(feed, original.Shape) : null;
        var maskRow = mask is null ? 0 : mask.Length / count;
        for (var i = 0; i < count; i++)
        {
            var o = SampleSplit.Slice(original.Values, count, i);
            var q = SampleSplit.Slice(optimized, count, i);
            statistics.Add(o, q);
            if (classify)
                _classification!.Add(o, q);
            if (mask is not null)
            {
                var weights = mask.AsSpan(i * maskRow, maskRow);
                statistics.AddPooled(PooledEmbedding.Pool(o, weights), PooledEmbedding.Pool(q, weights));
            }
        }
    }

    private static string Range(Feed feed) => feed.SampleCount == 1 ? $"{feed.FirstSample}" : $"{feed.FirstSample}..{feed.FirstSample + feed.SampleCount - 1}";
}
