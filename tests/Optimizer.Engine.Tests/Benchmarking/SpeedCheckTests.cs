using Optimizer.Engine.Benchmarking;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;

namespace Optimizer.Engine.Tests.Benchmarking;

/// <summary>
/// Which speed check a plan gets and what it says for given figures (hand-made: timing itself is
/// tested with real sessions elsewhere, and speed is never asserted).
/// </summary>
public sealed class SpeedCheckTests
{
    private static readonly DiagnosticLocation At = new("/app/Program.cs", 13, 2);

    private static OptimizationPlan Plan(params PlannedPass[] passes) =>
        new(OptimizationPlan.CurrentFormatVersion, "Encoder", "Encoder", "/app/Models/encoder.onnx", "Models/encoder.onnx", At, "/app/obj", "/app", "Encoder.onnx", passes);

    private static PlannedPass Quantize(params (string Key, string Value)[] options) =>
        new("Quantize", options.ToDictionary(o => o.Key, o => o.Value), At);

    /// <summary>fp32 and quantized medians at 16 and 128 tokens.</summary>
    private static SpeedupDecision Decision(SpeedCheck check, double fp32At16, double quantizedAt16, double fp32At128, double quantizedAt128)
    {
        LatencyStatistics Stats(string label, double p50) => LatencyStatistics.From(label, [p50], 1, null);
        var inputs = TimingInputs.From(TimingSamples.Sentences(16, 128));
        return new SpeedupDecision(check, new LatencyComparison(inputs,
        [
            new ShapeLatency("input_ids [1,16]", [Stats("fp32", fp32At16), Stats(check.Label, quantizedAt16)]),
            new ShapeLatency("input_ids [1,128]", [Stats("fp32", fp32At128), Stats(check.Label, quantizedAt128)]),
        ]));
    }

    [Fact]
    public void A_declared_quantization_is_checked_by_default_and_RequireSpeedup_makes_it_the_gate()
    {
        var byDefault = SpeedCheck.Of(Plan(Quantize(("Mode", "Int4"))));
        var gate = SpeedCheck.Of(Plan(Quantize(("Mode", "StaticInt8"), ("RequireSpeedup", "true"))));

        Assert.NotNull(byDefault);
        Assert.False(byDefault.Reverts);
        Assert.Equal("Int4", byDefault.Label);
        Assert.True(byDefault.Settings.EffectiveDuration < gate!.Settings.EffectiveDuration);
        Assert.True(gate.Reverts);
        Assert.Null(SpeedCheck.Of(Plan(new PlannedPass("Prune", new Dictionary<string, string> { ["Sparsity"] = "0.5" }, At))));
    }

    [Fact]
    public void A_slower_quantized_model_is_kept_by_default_with_a_warning_giving_both_latencies_and_the_shapes()
    {
        var check = SpeedCheck.Of(Plan(Quantize(("Mode", "Int4"))))!;

        var decision = Decision(check, fp32At16: 4.8, quantizedAt16: 5.1, fp32At128: 30, quantizedAt128: 44);
        var warning = SpeedupGate.Warning(Plan(Quantize(("Mode", "Int4"))), decision);

        Assert.True(decision.KeepQuantized);
        Assert.True(decision.Slower);
        Assert.NotNull(warning);
        Assert.StartsWith("/app/Program.cs(13,2): warning OPT1090: Models/encoder.onnx: the Int4 model is slower than fp32 on this machine", warning);
        Assert.Contains("input_ids [1,16] 5.100 ms vs 4.800 ms; input_ids [1,128] 44.0 ms vs 30.0 ms", warning);
        Assert.Contains("1.25×", warning);   // sqrt(5.1/4.8 × 44/30)
        Assert.Contains("it is kept as declared", warning);
        Assert.Contains("Timed at input_ids [1,16], [1,128] (2 sentences", warning);
        Assert.Contains("RequireSpeedup", warning);
        Assert.Contains("kept Int4 as declared although it is slower (1.25×", decision.ToReport().Decision);
        Assert.Contains("Int4 1.25× fp32 latency", decision.Describe());
        Assert.EndsWith("at input_ids [1,16], [1,128]", decision.Describe());
    }

    [Fact]
    public void Within_the_noise_or_faster_the_default_check_says_nothing()
    {
        var check = SpeedCheck.Of(Plan(Quantize(("Mode", "DynamicInt8"))))!;

        Assert.Null(SpeedupGate.Warning(Plan(), Decision(check, 4.8, 4.9, 30, 31)));
        Assert.Null(SpeedupGate.Warning(Plan(), Decision(check, 4.8, 2.0, 30, 11)));
    }

    [Fact]
    public void The_gate_keeps_fp32_when_not_faster_and_warns_OPT1064()
    {
        var plan = Plan(Quantize(("Mode", "StaticInt8"), ("RequireSpeedup", "true")));

        var decision = Decision(SpeedCheck.Of(plan)!, 4.8, 4.7, 30, 29.5);

        Assert.False(decision.KeepQuantized);
        Assert.Contains("warning OPT1064: Models/encoder.onnx: the StaticInt8 model is not faster than fp32", SpeedupGate.Warning(plan, decision));
        Assert.EndsWith(", kept fp32", decision.Describe());
    }
}
