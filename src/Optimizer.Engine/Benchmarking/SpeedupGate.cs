using Optimizer.Passes.Data;
using System.Globalization;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Runtime;

namespace Optimizer.Engine.Benchmarking;

/// <summary>What the speed check gave: a decision when the models were timed, and a coded warning line to print, if any.</summary>
internal sealed record SpeedCheckOutcome(SpeedupDecision? Decision, string? Warning);

/// <summary>
/// The speed check of a declared quantization (<see cref="SpeedCheck"/>): after the passes and the
/// accuracy check, the engine times the quantized model against the same plan without the Quantize
/// pass on this machine with <see cref="LatencyBenchmark"/> (one intra-op thread for both, warm-up,
/// the two interleaved, median of single runs) at the shapes of the plan's data
/// (<see cref="TimingData"/>). With <c>[Quantize(..., RequireSpeedup = true)]</c> (or the project
/// property <c>OptimizerRequireSpeedup</c>) the quantized model is kept only when its median is at
/// most <see cref="SpeedupDecision.RequiredRatio"/> of the fp32 one — a speed-up within the noise of a
/// busy machine is not one; otherwise the fp32 model is written and warning OPT1064 gives the
/// figures. Without it the quantized model is always kept, and warning OPT1090 says when it is
/// slower. The model bytes never depend on the timing unless RequireSpeedup is declared; the
/// report carries the figures.
/// </summary>
internal static class SpeedupGate
{
    public const string OptionName = nameof(QuantizeAttribute.RequireSpeedup);

    /// <summary>
    /// Times both models and decides. The gate throws <see cref="EngineException"/> (OPT1065) when
    /// they cannot be timed; the default check then warns (OPT1091) and decides nothing.
    /// </summary>
    /// <param name="compared">The declared samples verification compared the models on, if it loaded them: timed without reading the files again.</param>
    public static SpeedCheckOutcome Measure(OptimizationPlan plan, OnnxModel model, SpeedCheck check, byte[] baseline, byte[] quantized, SampleSet? compared = null)
    {
        LatencyComparison timing;
        try
        {
            timing = LatencyBenchmark.Run([("fp32", baseline), (check.Label, quantized)], check.Settings, TimingData.For(plan, model, compared));
        }
        catch (BenchmarkException e) when (check.Reverts)
        {
            throw new EngineException(EngineErrorCodes.SpeedupNotMeasured,
                $"RequireSpeedup is declared but the models could not be timed: {e.Message}. Remove RequireSpeedup (or set OptimizerRequireSpeedup to false) for this model.",
                At(plan, check), e);
        }
        catch (BenchmarkException e)
        {
            return new SpeedCheckOutcome(null, CanonicalError.FormatWarning(EngineErrorCodes.QuantizedNotTimed,
                $"{plan.ModelPath}: the {check.Label} model could not be timed against fp32 ({e.Message}); it is kept as declared without a speed check.",
                At(plan, check)));
        }

        var decision = new SpeedupDecision(check, timing);
        return new SpeedCheckOutcome(decision, Warning(plan, decision));
    }

    /// <summary>OPT1064 when the gate kept fp32, OPT1090 when a kept quantized model is slower, else null.</summary>
    internal static string? Warning(OptimizationPlan plan, SpeedupDecision decision)
    {
        var timed = $"Timed at {decision.Timing.Inputs.Describe()} with {decision.Check.Settings.Describe()}.";
        if (!decision.KeepQuantized)
        {
            return CanonicalError.FormatWarning(EngineErrorCodes.QuantizedNotFaster,
                Invariant($"{plan.ModelPath}: the {decision.Quantized.Label} model is not faster than fp32 on this machine ({decision.Medians()}, {decision.Ratio:0.00}×; RequireSpeedup keeps it only at {SpeedupDecision.RequiredRatio:0.00}× or less), so the fp32 model is kept (the other passes still apply). {timed} Remove RequireSpeedup to keep the quantized model for its size."),
                At(plan, decision.Check));
        }

        if (decision.Check.Reverts || !decision.Slower)
            return null;
        return CanonicalError.FormatWarning(EngineErrorCodes.QuantizedSlower,
            Invariant($"{plan.ModelPath}: the {decision.Quantized.Label} model is slower than fp32 on this machine ({decision.Medians()}, {decision.Ratio:0.00}×); it is kept as declared. {timed} Declare RequireSpeedup = true (or set OptimizerRequireSpeedup) to keep fp32 when quantization is not faster, or remove the quantization if speed is why it is declared."),
            At(plan, decision.Check));
    }

    private static DiagnosticLocation? At(OptimizationPlan plan, SpeedCheck check) => check.DeclaredBy.DeclaredAt ?? plan.DeclaredAt;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
