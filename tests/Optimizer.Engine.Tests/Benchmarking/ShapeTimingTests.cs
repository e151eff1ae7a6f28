using Optimizer.Engine.Benchmarking;
using Optimizer.Engine.DataFiles;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;

namespace Optimizer.Engine.Tests.Benchmarking;

/// <summary>
/// Timing at the data's real shapes with real ONNX Runtime sessions: the figures say which shapes
/// were timed. Speed itself is never asserted (a shared 2-core machine), only what was timed.
/// </summary>
public sealed class ShapeTimingTests
{
    private static readonly BenchmarkSettings Quick = new(WarmupRuns: 1, MinRuns: 3, Duration: TimeSpan.FromSeconds(0.1), Rounds: 1);

    [ConditionalFact("data")]
    public void The_encoder_is_timed_at_both_sequence_lengths_of_its_data()
    {
        var bytes = File.ReadAllBytes(Path.Combine(RepositoryPaths.SharedModels, "arctic_embed_xs.onnx"));

        var timing = LatencyBenchmark.Run([("fp32", bytes)], Quick, TimingInputs.From(TimingSamples.Sentences(16, 128, 16)));

        Assert.Equal(["input_ids [1,16]", "input_ids [1,128]"], timing.Shapes.Select(s => s.Shape));
        foreach (var shape in timing.Shapes)
        {
            var stats = Assert.Single(shape.Models);
            Assert.Equal("fp32", stats.Label);
            Assert.True(stats.Runs >= 3 && stats.MinMs > 0, stats.ToString());
        }

        Assert.Equal("input_ids [1,16], [1,128] (3 sentences of 16, 128, 16 tokens)", timing.Inputs.Describe());
        Assert.Equal(timing.Shapes.Sum(s => s.Models[0].Runs), timing.Combined[0].Runs);
    }

    [Fact]
    public void Combined_ratio_is_the_geometric_mean_of_the_per_shape_median_ratios()
    {
        var inputs = TimingInputs.From(TimingSamples.Sentences(16, 128));
        LatencyStatistics Stats(string label, double p50) => LatencyStatistics.From(label, [p50], 1, null);
        var timing = new LatencyComparison(inputs,
        [
            new ShapeLatency("input_ids [1,16]", [Stats("fp32", 4), Stats("Int4", 2)]),
            new ShapeLatency("input_ids [1,128]", [Stats("fp32", 30), Stats("Int4", 60)]),
        ]);

        Assert.Equal(1.0, timing.Ratio(1), 12);   // sqrt(0.5 × 2)
        Assert.Equal(Math.Sqrt(4 * 30), timing.Combined[0].P50Ms, 9);
    }

    [ConditionalFact("data")]
    public void A_feed_without_one_of_the_models_inputs_is_refused_with_its_name()
    {
        var bytes = File.ReadAllBytes(Path.Combine(RepositoryPaths.SharedModels, "digits_mlp.onnx"));
        var wrong = TimingInputs.From(TimingSamples.Sentences(4));

        var error = Assert.Throws<BenchmarkException>(() => LatencyBenchmark.Run([("m", bytes)], Quick, wrong));

        Assert.Contains("no value for input 'input'", error.Message);
    }

    [ConditionalFact("data")]
    public void Generated_ids_for_the_encoder_are_not_all_zeros_and_the_dims_are_stated()
    {
        var model = OnnxModelLoader.Load(Path.Combine(RepositoryPaths.SharedModels, "arctic_embed_xs.onnx"));

        var inputs = TimingData.Generated(model, SymbolicDimSizes.None);

        var feed = Assert.Single(inputs.Feeds);
        Assert.Contains(feed.Inputs["input_ids"].Values<long>().ToArray(), id => id != 0);
        Assert.Equal([1L, SymbolicDimSizes.DefaultOther], feed.Inputs["input_ids"].Shape);
        Assert.True(inputs.IsGenerated);
        Assert.Contains("generated inputs: ", inputs.Describe());
        Assert.Contains("sequence_length", inputs.Describe());
    }
}
