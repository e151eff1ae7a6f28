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
/// to build unless the two paths are within a few percent of that margin. When the build embedded
/// compiled variants (int8 and fp32), every variant is timed in the same run and the faster one is
/// recorded too (<see cref="VariantTiming"/>): that is the program the runtime picks here, and the
/// one compared with ONNX Runtime.
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
    /// When the build embedded variants, all of them are timed in the same run (<see cref="VariantTiming"/>)
    /// and ONNX Runtime is compared with the one that won: the one the runtime picks on this machine.
    /// </summary>
    /// <param name="programs">The compiled programs as <see cref="Compilation.CompiledProgramOutput.Compile"/> returned them: the first is <c>compiled</c>'s, then one per further variant, in the manifest's order.</param>
    /// <param name="compared">The declared samples verification read, if any (timed without reading the files again).</param>
    public static AutoPathOutcome? Measure(OptimizationPlan plan, OnnxModel source, byte[] optimized, ManifestExecution execution,
        IReadOnlyList<(string FileName, byte[] Bytes)> programs, SampleSet? compared)
    {
        if (execution.Compiled is null || programs.Count == 0)
            return null;

        var variants = execution.Variants.Select(v => v.Name).ToList();
        // Without variants the one program; else the one the kernel table picks, the only one timed when another cannot be.
        var tableVariant = AutoPathChoice.VariantOnThisMachine(
            execution.Variants.Select(v => new CompiledVariant(v.Name, v.Program.ResourceName, v.Requires, null)).ToList());
        var tableIndex = tableVariant is null ? 0 : variants.IndexOf(tableVariant);
        LatencyComparison timing;
        List<int> timed;
        try
        {
            var inputs = TimingData.For(plan, source, compared);
            // The program's own check first: inputs it cannot take are not handed to ONNX Runtime either.
            var takesInputs = Enumerable.Range(0, Math.Max(1, variants.Count)).Where(i => Takes(programs[i].Bytes, optimized, inputs)).ToList();
            if (!takesInputs.Contains(tableIndex))
                return null;

            timed = takesInputs.Count == variants.Count && variants.Count > 1 ? takesInputs : [tableIndex];
            timing = LatencyBenchmark.Run(
                [TimedModel.OnnxRuntime("ONNX Runtime", optimized), .. timed.Select(i => TimedModel.Compiled(variants.Count == 0 ? "compiled" : variants[i], programs[i].Bytes, optimized))],
                Settings, inputs);
        }
        catch (Exception e) when (e is BenchmarkException or EngineException)
        {
            return null; // the ONNX Runtime path is always there; the speed check reports unreadable data
        }

        var timedAt = string.Join("; ", timing.Inputs.Feeds.Select(f => f.Inputs.Values.First().ShapeText));
        var variantTiming = timed.Count > 1 ? VariantTiming.Decide(timing, 1, variants, timedAt) : null;
        var column = 1 + (variantTiming?.Winner ?? 0);
        var variant = variantTiming?.Choice.Variant ?? tableVariant;
        return new AutoPathOutcome(timing, column, variant, CompiledRunsFirst(timing, column)
            ? new ManifestAutoPath(nameof(ExecutionPathKind.Compiled), AutoPathChoice.CurrentMachine, timedAt, variant)
            : null, variantTiming);
    }

    /// <summary>
    /// The decision from the medians: the compiled program (model <paramref name="column"/>) runs first
    /// only at ≤ <see cref="CompiledRatio"/> of ONNX Runtime's (model 0) median overall and ≤
    /// <see cref="WorstShapeRatio"/> at every shape.
    /// </summary>
    public static bool CompiledRunsFirst(LatencyComparison timing, int column)
    {
        var worst = timing.Shapes.Max(s => s.Models[column].P50Ms / s.Models[0].P50Ms);
        return timing.Ratio(column) <= CompiledRatio && worst <= WorstShapeRatio;
    }

    private static bool Takes(byte[] programBytes, byte[] optimized, TimingInputs inputs)
    {
        using var program = KernelProgram.Read(programBytes, optimized);
        return TimedProgram.Refusal(program, inputs.Feeds) is null;
    }
}

/// <summary>What timing the two paths gave, and the manifest's decisions (<paramref name="Choice"/> null: ONNX Runtime stays first).</summary>
/// <param name="Timing">ONNX Runtime (model 0) against the compiled programs (model 1, and the further variants when they were timed against each other), at every timed shape.</param>
/// <param name="Column">The model in <paramref name="Timing"/> compared with ONNX Runtime: the variant this machine runs.</param>
/// <param name="Variant">That variant; null when there is one program.</param>
/// <param name="Variants">The variants' timing against each other and the winner; null when there is one program or only one could be timed.</param>
internal sealed record AutoPathOutcome(LatencyComparison Timing, int Column, string? Variant, ManifestAutoPath? Choice, VariantOutcome? Variants)
{
    /// <summary>
    /// For the report (the figures differ from build to build, so neither the manifest nor the summary
    /// line carries them), e.g. <c>compiled 0.38× ONNX Runtime's latency (p50 0.010 ms vs 0.026 ms, 1 thread each,
    /// 12,345 and 4,567 runs) at input [1,64] on AVX2+FMA; fp32 gemm: …: the compiled kernels run first on CPUs with these kernel paths</c>.
    /// </summary>
    public string Describe()
    {
        var (ort, compiled) = (Timing.Combined[0], Timing.Combined[Column]);
        return string.Create(CultureInfo.InvariantCulture,
            $"compiled{(Variant is null ? "" : " " + Variant)} {Timing.Ratio(Column):0.00}× ONNX Runtime's latency (p50 {LatencyStatistics.FormatMs(compiled.P50Ms)} vs {LatencyStatistics.FormatMs(ort.P50Ms)}, 1 thread each, {compiled.Runs:#,0} and {ort.Runs:#,0} runs) at {Timing.Inputs.Describe()} on {AutoPathChoice.CurrentMachine}: ")
            + (Choice is null
                ? string.Create(CultureInfo.InvariantCulture, $"ONNX Runtime stays first (the compiled kernels run first only at {AutoPathTiming.CompiledRatio:0.00}× or less, slower at no shape)")
                : "the compiled kernels run first on CPUs with these kernel paths")
            + (Variants is null ? "" : "; compiled variants: " + Variants.Describe());
    }
}
