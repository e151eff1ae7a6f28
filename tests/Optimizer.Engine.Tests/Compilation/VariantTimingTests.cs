using Optimizer.Engine.Benchmarking;
using Optimizer.Engine.Tests.Benchmarking;
using Optimizer.Runtime;

namespace Optimizer.Engine.Tests.Compilation;

/// <summary>
/// Which variant the build records from the variants' medians (ONNX Runtime is model 0, the variants
/// follow in the build's order, the last the fallback): a variant before the fallback wins only at
/// ≤ 0.90× its median overall and ≤ 1.02× at every shape; anything closer or slower keeps the fallback.
/// </summary>
public class VariantTimingTests
{
    private static readonly string[] Variants = ["int8", "fp32"];

    [Theory]
    [InlineData(0.70, "int8")]  // digits_cnn on Zen 5
    [InlineData(0.90, "int8")]  // at the margin
    [InlineData(0.91, "fp32")]  // a near tie keeps the fallback
    [InlineData(2.65, "fp32")]  // the OCR classifier
    public void The_first_variant_wins_only_clearly(double ratio, string winner)
    {
        var outcome = VariantTiming.Decide(TimingSamples.Medians([1.0, ratio * 2.0, 2.0]), 1, Variants, "[1,1,8,8]");

        Assert.Equal(winner, outcome.Choice.Variant);
        Assert.Equal(Array.IndexOf(Variants, winner), outcome.Winner);
        Assert.Equal(ratio, outcome.Ratios[0], 6);
        Assert.Equal(new Optimizer.Engine.Manifests.ManifestVariantChoice(winner, AutoPathChoice.CurrentMachine, "[1,1,8,8]"), outcome.Choice);
    }

    [Fact]
    public void A_variant_slower_at_one_shape_does_not_win_on_the_mean()
    {
        // 0.5× and 1.1×: 0.74× overall, but slower than fp32 at the second shape.
        var outcome = VariantTiming.Decide(TimingSamples.Medians([1, 1, 2], [1, 2.2, 2]), 1, Variants, "[1,1,8,8]; [64,1,8,8]");

        Assert.True(outcome.Ratios[0] < 0.9);
        Assert.Equal("fp32", outcome.Choice.Variant);
    }

    [Fact]
    public void Among_several_clear_winners_the_fastest_wins()
    {
        var outcome = VariantTiming.Decide(TimingSamples.Medians([1, 1.6, 1.2, 2]), 1, ["int8", "int8-wide", "fp32"], "[1,64]");

        Assert.Equal("int8-wide", outcome.Choice.Variant);
        Assert.Contains("int8 0.80× fp32's latency", outcome.Describe());
        Assert.EndsWith(": int8-wide runs on CPUs with these kernel paths", outcome.Describe());
    }
}
