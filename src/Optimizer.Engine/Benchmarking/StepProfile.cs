using System.Diagnostics;
using Optimizer.Passes.Data;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// Where a compiled program's time goes at one feed: each step timed on its own over a number of
/// runs (single-threaded, as <see cref="TimedProgram"/> times), summed per step kind and listed for the
/// slowest steps with the ONNX node each came from. The timestamps around every step add a few tens
/// of nanoseconds each, so shares of µs-scale programs read high for their many small steps.
/// </summary>
public sealed class StepProfile
{
    private StepProfile(double totalMs, IReadOnlyList<KindTime> kinds, IReadOnlyList<StepTime> steps)
    {
        TotalMs = totalMs;
        Kinds = kinds;
        Steps = steps;
    }

    /// <summary>The steps' time per run, summed.</summary>
    public double TotalMs { get; }

    /// <summary>Per step kind, slowest first.</summary>
    public IReadOnlyList<KindTime> Kinds { get; }

    /// <summary>Every step that ran, slowest first.</summary>
    public IReadOnlyList<StepTime> Steps { get; }

    /// <summary>Runs at least, however long they take.</summary>
    private const int MinRuns = 3;

    /// <summary>Runs at most, however short they are.</summary>
    private const int MaxRuns = 1000;

    /// <summary>Profiles <paramref name="program"/> (<see cref="KernelProgram.ToBytes()"/>) at <paramref name="feed"/> for about <paramref name="budget"/> of runs.</summary>
    /// <exception cref="BenchmarkException">The feed does not fit the program.</exception>
    internal static StepProfile Measure(string label, byte[] program, Feed feed, TimeSpan budget)
    {
        using var timed = new TimedProgram(label, KernelProgram.Read(program), [feed]);
        var ticks = timed.StepTicks(0, budget, MinRuns, MaxRuns, out var runs);
        var steps = timed.Program.Steps;
        double Ms(long t) => t * 1000.0 / Stopwatch.Frequency / runs;
        var stepTimes = Enumerable.Range(0, steps.Count)
            .Where(s => ticks[s] > 0)
            .Select(s => new StepTime(s, steps[s].Kind, steps[s].Node, Ms(ticks[s])))
            .OrderByDescending(s => s.Ms).ThenBy(s => s.Index)
            .ToList();
        var kinds = stepTimes.GroupBy(s => s.Kind)
            .Select(g => new KindTime(g.Key, g.Count(), g.Sum(s => s.Ms)))
            .OrderByDescending(k => k.Ms).ThenBy(k => k.Kind)
            .ToList();
        return new StepProfile(stepTimes.Sum(s => s.Ms), kinds, stepTimes);
    }
}

/// <summary>One step kind's share of a <see cref="StepProfile"/>: how many steps ran and their time per run.</summary>
public sealed record KindTime(StepKind Kind, int Steps, double Ms);

/// <summary>One step's time per run, with its index in the program and the ONNX node it came from.</summary>
public sealed record StepTime(int Index, StepKind Kind, string Node, double Ms);
