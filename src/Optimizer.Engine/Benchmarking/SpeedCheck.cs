using Optimizer.Engine.Plans;
using Optimizer.Passes.Schema;
using Optimizer.Runtime;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// How a plan's quantization is timed against fp32: the <c>RequireSpeedup</c> gate (keeps fp32 when
/// quantized is not faster, warning OPT1064) or, for any other declared Quantize, the default check
/// (a shorter timing that only warns, OPT1090, when the quantized model is slower).
/// </summary>
/// <param name="DeclaredBy">The Quantize pass (diagnostics point at it).</param>
/// <param name="Reverts">True for the RequireSpeedup gate.</param>
internal sealed record SpeedCheck(PlannedPass DeclaredBy, bool Reverts)
{
    /// <summary>The gate's timing: batch 1, one thread, 20 warm-up runs, 1 s split over 10 rounds.</summary>
    public static readonly BenchmarkSettings GateSettings = new(Batch: 1, Threads: 1, WarmupRuns: 20, MinRuns: 20, Duration: TimeSpan.FromSeconds(1), Rounds: 10);

    /// <summary>The default check's timing: half the gate's, so every quantized build pays little for it.</summary>
    public static readonly BenchmarkSettings DefaultSettings = new(Batch: 1, Threads: 1, WarmupRuns: 10, MinRuns: 10, Duration: TimeSpan.FromSeconds(0.5), Rounds: 5);

    /// <summary>The RequireSpeedup gate when a pass declares it, else the default check of the first Quantize pass; null without quantization.</summary>
    public static SpeedCheck? Of(OptimizationPlan plan)
    {
        if (plan.Passes.FirstOrDefault(p => p.Options.TryGetValue(SpeedupGate.OptionName, out var value) && value.Equals("true", StringComparison.OrdinalIgnoreCase)) is { } gate)
            return new SpeedCheck(gate, Reverts: true);
        return plan.Passes.FirstOrDefault(p => p.Pass.Equals(PassSchema.Quantize.Name, StringComparison.OrdinalIgnoreCase)) is { } quantize ? new SpeedCheck(quantize, Reverts: false) : null;
    }

    public BenchmarkSettings Settings => Reverts ? GateSettings : DefaultSettings;

    /// <summary>The quantized model's label: its mode, e.g. <c>StaticInt8</c>.</summary>
    public string Label => DeclaredBy.Options.TryGetValue(nameof(QuantizeAttribute.Mode), out var mode) ? mode : "quantized";
}
