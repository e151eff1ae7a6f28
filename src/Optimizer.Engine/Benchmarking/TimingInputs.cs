using Optimizer.Passes.Data;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// The feeds models are timed with: one per distinct input shape of a data set, at most
/// <see cref="MaxShapes"/> of them (the smallest, median and largest by element count), so a model
/// is timed at the sizes its data really has (e.g. two sequence lengths) rather than at one guess.
/// </summary>
/// <param name="Feeds">The feeds to time, smallest first.</param>
/// <param name="Source">Where the samples came from (<see cref="SampleSet.Source"/>).</param>
/// <param name="GeneratedDims">For generated inputs, the sizes given to symbolic dimensions (e.g. <c>batch_size=1 (default), sequence_length=128 (default)</c>); null for real data.</param>
public sealed record TimingInputs(IReadOnlyList<Feed> Feeds, string Source, string? GeneratedDims = null)
{
    /// <summary>Shapes timed at most: more would multiply the timing time and say little more.</summary>
    public const int MaxShapes = 3;

    /// <summary>True when the inputs were generated (no data declared).</summary>
    public bool IsGenerated => GeneratedDims is not null;

    /// <summary>
    /// Picks the feeds to time from <paramref name="data"/>: runs of <paramref name="batch"/> samples
    /// where the set batches (else one sample each), one per distinct shape, at most
    /// <see cref="MaxShapes"/>. The samples are streamed twice (sizes first, then the chosen feeds),
    /// so a set with many shapes is never held.
    /// </summary>
    /// <param name="generatedDims">The symbolic sizes used, when <paramref name="data"/> was generated.</param>
    public static TimingInputs From(SampleSet data, int batch = 1, string? generatedDims = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var sizes = new Dictionary<string, (long Elements, int Samples)>(StringComparer.Ordinal);
        foreach (var feed in data.Feeds(batch))
            sizes.TryAdd(KeyOf(feed), (feed.Inputs.Values.Sum(t => t.ElementCount), feed.SampleCount));

        if (sizes.Count == 0)
            throw new BenchmarkException($"there is nothing to time with: {data.Source} holds no sample");

        // A shorter last run of a batched set is not a shape of its own.
        var fullest = sizes.Values.Max(s => s.Samples);
        var chosen = Choose(sizes.Where(s => s.Value.Samples == fullest).OrderBy(s => s.Value.Elements).Select(s => s.Key).ToList());
        var feeds = new Dictionary<string, Feed>(StringComparer.Ordinal);
        foreach (var feed in data.Feeds(batch))
        {
            var key = KeyOf(feed);
            if (chosen.Contains(key) && feeds.TryAdd(key, feed) && feeds.Count == chosen.Count)
                break;
        }

        return new TimingInputs(chosen.Select(key => feeds[key]).ToList(), data.Source, data.IsGenerated ? generatedDims ?? "" : null);
    }

    /// <summary>Each timed feed's shape as shown, e.g. <c>input_ids [1,16]</c>: the inputs whose shape differs between the feeds (else the first input).</summary>
    public IReadOnlyList<string> ShapeLabels()
    {
        var names = ShownInputs();
        return Feeds.Select(feed => string.Join(" ", names.Select(name => name + " " + feed.Inputs[name].ShapeText))).ToList();
    }

    /// <summary>
    /// What was timed, e.g. <c>input_ids [1,16], [1,128] (24 samples from 'val.npz')</c>, or for
    /// generated inputs <c>input_ids [1,128] (generated inputs: batch_size=1 (default), sequence_length=128 (default))</c>.
    /// </summary>
    public string Describe() => IsGenerated
        ? $"{Shapes()} (generated inputs{(GeneratedDims!.Length > 0 ? ": " + GeneratedDims : "")})"
        : $"{Shapes()} ({Source})";

    /// <summary>The timed shapes alone, e.g. <c>input_ids [1,16], [1,128]</c>.</summary>
    public string Shapes()
    {
        var names = ShownInputs();
        return names.Count == 1
            ? names[0] + " " + string.Join(", ", Feeds.Select(feed => feed.Inputs[names[0]].ShapeText))
            : string.Join("; ", ShapeLabels());
    }

    /// <summary>
    /// The inputs whose shapes tell the timed feeds apart, the first of those that always share a
    /// shape (input_ids for attention_mask and token_type_ids), or the first input when none differ.
    /// </summary>
    private List<string> ShownInputs()
    {
        string ShapesOf(string name) => string.Join("|", Feeds.Select(f => f.Inputs[name].ShapeText));
        var names = Feeds[0].Inputs.Keys.Where(name => Feeds.Select(f => f.Inputs[name].ShapeText).Distinct().Count() > 1).DistinctBy(ShapesOf).ToList();
        return names.Count > 0 ? names : [Feeds[0].Inputs.Keys.First()];
    }

    private static string KeyOf(Feed feed) => string.Join(";", feed.Inputs.Select(i => i.Key + i.Value.ShapeText));

    /// <summary>All keys when few enough, else the smallest, the median and the largest (keys sorted by size).</summary>
    private static List<string> Choose(List<string> bySize) =>
        bySize.Count <= MaxShapes ? bySize : [bySize[0], bySize[(bySize.Count - 1) / 2], bySize[^1]];
}
