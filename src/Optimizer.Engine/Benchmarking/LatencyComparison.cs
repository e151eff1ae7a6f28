namespace Optimizer.Engine.Benchmarking;

/// <summary>The models' figures at one timed shape, in the order the models were given.</summary>
/// <param name="Shape">The shape as shown, e.g. <c>input_ids [1,128]</c> (<see cref="TimingInputs.ShapeLabels"/>).</param>
/// <param name="Models">One entry per model.</param>
public sealed record ShapeLatency(string Shape, IReadOnlyList<LatencyStatistics> Models);

/// <summary>
/// What timing models against each other at every shape of <see cref="Inputs"/> gave: the figures
/// per shape, and per model one combined line whose latencies are the geometric means over the
/// shapes, so the ratio of two combined medians is the geometric mean of the per-shape median
/// ratios (no shape weighs more for being slower). With one shape the combined line is that shape's.
/// </summary>
public sealed record LatencyComparison(TimingInputs Inputs, IReadOnlyList<ShapeLatency> Shapes)
{
    /// <summary>One line per model, combined over the shapes.</summary>
    public IReadOnlyList<LatencyStatistics> Combined { get; } = Combine(Shapes);

    /// <summary>Model <paramref name="model"/>'s median / the first model's, the geometric mean over the shapes.</summary>
    public double Ratio(int model) => Combined[model].P50Ms / Combined[0].P50Ms;

    private static IReadOnlyList<LatencyStatistics> Combine(IReadOnlyList<ShapeLatency> shapes)
    {
        if (shapes.Count == 1)
            return shapes[0].Models;
        return shapes[0].Models.Select((first, m) =>
        {
            var all = shapes.Select(s => s.Models[m]).ToList();
            double Mean(Func<LatencyStatistics, double> figure) => Math.Exp(all.Average(s => Math.Log(figure(s))));
            return new LatencyStatistics(first.Label, all.Sum(s => s.Runs), Mean(s => s.P50Ms), Mean(s => s.P90Ms), Mean(s => s.P99Ms),
                Mean(s => s.MeanMs), Mean(s => s.MinMs), first.Batch, all.Max(s => s.PeakMemoryBytes));
        }).ToList();
    }
}
