using Optimizer.Engine.Benchmarking;
using Optimizer.Tests.Shared;

namespace Optimizer.Engine.Tests.Benchmarking;

public sealed class LatencyStatisticsTests
{
    [Fact]
    public void Percentiles_interpolate_between_ranks_like_numpy()
    {
        double[] runs = [5, 1, 4, 2, 3, 10, 6, 7, 9, 8];

        var stats = LatencyStatistics.From("m", runs, batch: 4, peakMemoryBytes: null);

        Assert.Equal(5.5, stats.P50Ms, 9);   // numpy.percentile(range(1, 11), 50)
        Assert.Equal(9.1, stats.P90Ms, 9);
        Assert.Equal(9.91, stats.P99Ms, 9);
        Assert.Equal(1, stats.MinMs);
        Assert.Equal(10, stats.Runs);
        Assert.Equal(4 * 1000 / 5.5, stats.ThroughputPerSecond, 9);
    }

    [Fact]
    public void One_run_is_every_percentile()
    {
        var stats = LatencyStatistics.From("m", [2.5], 1, 1024);
        Assert.Equal([2.5, 2.5, 2.5], [stats.P50Ms, stats.P90Ms, stats.P99Ms]);
        Assert.Contains("peak +1.0 KB", stats.ToString());
    }

    [Fact]
    public void Settings_out_of_range_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BenchmarkSettings(Batch: 0).Validated());

    [ConditionalFact("data")]
    public void Interleaved_timing_of_a_real_model_gives_ordered_percentiles_and_memory()
    {
        var models = RepositoryPaths.SharedModels;
        var bytes = File.ReadAllBytes(Path.Combine(models, "digits_mlp.onnx"));

        var settings = new BenchmarkSettings(Batch: 8, MinRuns: 30, Duration: TimeSpan.FromSeconds(0.2));

        var stats = LatencyBenchmark.Run([("a", bytes), ("b", bytes)], settings, TimingInputs.From(TimingSamples.Digits(20), settings.Batch)).Combined;

        Assert.Equal(["a", "b"], stats.Select(s => s.Label));
        foreach (var s in stats)
        {
            Assert.True(s.Runs >= 30, $"{s.Runs} runs");
            Assert.True(s.MinMs > 0 && s.MinMs <= s.P50Ms && s.P50Ms <= s.P90Ms && s.P90Ms <= s.P99Ms, s.ToString());
            Assert.Equal(8, s.Batch);
            if (OperatingSystem.IsLinux())
                Assert.NotNull(s.PeakMemoryBytes);
        }
    }
}
