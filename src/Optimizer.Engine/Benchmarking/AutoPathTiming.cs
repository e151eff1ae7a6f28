using System.Globalization;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Manifests;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Data;
using Optimizer.Runtime;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// What <c>ModelOptions.Path = Auto</c> should run first, measured on the build machine: when the
/// model compiled, its ONNX Runtime session (CPU provider, one intra-op thread) and the compiled
/// program this machine's runtime would pick (single-threaded) are timed against each other at the
/// speed check's shapes (<see cref="TimingData"/>), interleaved, for <see cref="Settings"/>' short
/// time. The compiled kernels win only clearly: at most <see cref="CompiledRatio"/> of ONNX Runtime's
/// median over the shapes and slower at none, so a near tie keeps ONNX Runtime and the decision —
/// the only part the manifest records, beside the machine it holds for — stays the same from build
/// to build unless the two paths are within a few percent of that margin.
/// </summary>
internal static class AutoPathTiming
{
    /// <summary>Short: every build of a model that compiles pays it (µs-scale models get thousands of runs, encoders a few).</summary>
    public static readonly BenchmarkSettings Settings = new(Batch: 1, Threads: 1, WarmupRuns: 5, MinRuns: 5, Duration: TimeSpan.FromSeconds(0.4), Rounds: 5);

    /// <summary>Compiled median / ONNX Runtime median (geometric mean over the shapes) at most this to run the compiled kernels first.</summary>
    public const double CompiledRatio = 0.90;

    /// <summary>…and at no single shape above this (no shape may get slower than ONNX Runtime beyond the noise).</summary>
    public const double WorstShapeRatio = 1.02;

    /// <summary>
    /// Times both paths and decides; null when the model did not compile or cannot be timed on both
    /// (e.g. its data's element types are not the program's): then ONNX Runtime stays first, as before.
    /// </summary>
    /// <param name="programs">The compiled programs as <see cref="Compilation.CompiledProgramOutput.Compile"/> returned them: the first is <c>compiled</c>'s, then one per further variant, in the manifest's order.</param>
    /// <param name="compared">The declared samples verification read, if any (timed without reading the files again).</param>
    public static AutoPathOutcome? Measure(OptimizationPlan plan, OnnxModel source, byte[] optimized, ManifestExecution execution,
        IReadOnlyList<(string FileName, byte[] Bytes)> programs, SampleSet? compared)
    {
        if (execution.Compiled is null || programs.Count == 0)
            return null;

        var variant = AutoPathChoice.VariantOnThisMachine(
            execution.Variants.Select(v => new CompiledVariant(v.Name, v.Program.ResourceName, v.Requires, null)).ToList());
        var index = variant is null ? 0 : execution.Variants.ToList().FindIndex(v => v.Name == variant);
        LatencyComparison timing;
        try
        {
            var inputs = TimingData.For(plan, source, compared);
            // The program's own check first: inputs it cannot take are not handed to ONNX Runtime either.
            using (var program = KernelProgram.Read(programs[index].Bytes, optimized))
            {
                if (TimedProgram.Refusal(program, inputs.Feeds) is not null)
                    return null;
            }

            timing = LatencyBenchmark.Run(
                [TimedModel.OnnxRuntime("ONNX Runtime", optimized), TimedModel.Compiled("compiled", programs[index].Bytes, optimized)],
                Settings, inputs);
        }
        catch (Exception e) when (e is BenchmarkException or EngineException)
        {
            return null; // the ONNX Runtime path is always there; the speed check reports unreadable data
        }

        var worst = timing.Shapes.Max(s => s.Models[1].P50Ms / s.Models[0].P50Ms);
        var compiledFirst = timing.Ratio(1) <= CompiledRatio && worst <= WorstShapeRatio;
        var timedAt = string.Join("; ", timing.Inputs.Feeds.Select(f => f.Inputs.Values.First().ShapeText));
        return new AutoPathOutcome(timing, variant, compiledFirst
            ? new ManifestAutoPath(nameof(ExecutionPathKind.Compiled), AutoPathChoice.CurrentMachine, timedAt, variant)
            : null);
    }
}

/// <summary>What timing the two paths gave, and the manifest's decision (null: ONNX Runtime stays first).</summary>
/// <param name="Timing">ONNX Runtime (model 0) against the compiled program (model 1), at every timed shape.</param>
/// <param name="Variant">The compiled variant timed; null when there is one program.</param>
internal sealed record AutoPathOutcome(LatencyComparison Timing, string? Variant, ManifestAutoPath? Choice)
{
    /// <summary>
    /// For the report (the figures differ from build to build, so neither the manifest nor the summary
    /// line carries them), e.g. <c>compiled 0.38× ONNX Runtime's latency (p50 0.010 ms vs 0.026 ms, 1 thread each,
    /// 12,345 and 4,567 runs) at input [1,64] on AVX2+FMA; fp32 gemm: …: the compiled kernels run first on CPUs with these kernel paths</c>.
    /// </summary>
    public string Describe()
    {
        var (ort, compiled) = (Timing.Combined[0], Timing.Combined[1]);
        return string.Create(CultureInfo.InvariantCulture,
            $"compiled{(Variant is null ? "" : " " + Variant)} {Timing.Ratio(1):0.00}× ONNX Runtime's latency (p50 {LatencyStatistics.FormatMs(compiled.P50Ms)} vs {LatencyStatistics.FormatMs(ort.P50Ms)}, 1 thread each, {compiled.Runs:#,0} and {ort.Runs:#,0} runs) at {Timing.Inputs.Describe()} on {AutoPathChoice.CurrentMachine}: ")
            + (Choice is null
                ? string.Create(CultureInfo.InvariantCulture, $"ONNX Runtime stays first (the compiled kernels run first only at {AutoPathTiming.CompiledRatio:0.00}× or less, slower at no shape)")
                : "the compiled kernels run first on CPUs with these kernel paths");
    }
}
