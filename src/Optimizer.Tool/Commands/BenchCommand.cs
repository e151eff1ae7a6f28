using System.CommandLine;
using System.Globalization;
using Optimizer.Engine.Benchmarking;
using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Onnx;
using Optimizer.Tool.Output;
using Spectre.Console;

namespace Optimizer.Tool.Commands;

/// <summary>
/// <c>bench &lt;model&gt; [&lt;other&gt;...] [--data file|folder] [--dim name=size]...</c>: latency
/// p50/p90/p99, throughput and peak memory of each model with ONNX Runtime on this machine, side by
/// side, with the ratio to the first model — the same <see cref="LatencyBenchmark"/> the build's speed
/// check uses (models interleaved, same batch, thread count and inputs for all), at each distinct
/// shape of the data (at most three), or at generated inputs whose symbolic sizes it states.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(ToolContext context)
    {
        var models = new Argument<string[]>("models") { Description = "One or more ONNX models; the first is the baseline of the ratios (e.g. original optimized).", Arity = ArgumentArity.OneOrMore };
        var batch = new Option<int>("--batch") { Description = "Samples per run where the models' first dimension is symbolic (consecutive data samples, or generated ones).", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (the same for every model).", DefaultValueFactory = _ => 1 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs per model first.", DefaultValueFactory = _ => 20 };
        var duration = new Option<double>("--duration") { Description = "Seconds of timing, shared by all models.", DefaultValueFactory = _ => BenchmarkSettings.DefaultDuration.TotalSeconds };
        var minRuns = new Option<int>("--min-runs") { Description = "Timed runs per model at least, however long they take.", DefaultValueFactory = _ => 20 };
        var data = new Option<string?>("--data") { Description = "Inputs to time with: an .npz (one array per input, samples first), a folder of test_data_set_* feeds, or .npy/raw float32 for a single input. Each distinct shape is timed (at most 3). Default: generated inputs." };
        var dims = new Option<string[]>("--dim") { Description = "Size of a symbolic dimension for generated inputs, e.g. --dim sequence_length=64 (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("bench", "Time models with ONNX Runtime on this machine: p50/p90/p99 latency, throughput, peak memory, side by side, at the data's shapes.")
        {
            models, batch, threads, warmup, duration, minRuns, data, dims,
        };
        command.SetAction(parse => ToolCli.Guard(context, parse, () =>
        {
            var settings = Settings(parse.GetValue(batch), parse.GetValue(threads), parse.GetValue(warmup), parse.GetValue(duration), parse.GetValue(minRuns));
            var paths = parse.GetRequiredValue(models);
            var timing = Measure(context, parse, paths, settings, parse.GetValue(data), parse.GetValue(dims) ?? []);
            if (context.Json(parse))
            {
                object Figures(IReadOnlyList<LatencyStatistics> stats) => stats.Select((s, i) => new
                {
                    path = Path.GetFullPath(paths[i]),
                    runs = s.Runs,
                    p50Ms = s.P50Ms, p90Ms = s.P90Ms, p99Ms = s.P99Ms, meanMs = s.MeanMs, minMs = s.MinMs,
                    throughputPerSecond = s.ThroughputPerSecond,
                    peakMemoryBytes = s.PeakMemoryBytes,
                    p50Ratio = s.P50Ms / stats[0].P50Ms,
                });
                context.WriteJson(new
                {
                    settings = new { batch = settings.Batch, threads = settings.Threads, warmupRuns = settings.WarmupRuns, durationSeconds = settings.EffectiveDuration.TotalSeconds, rounds = settings.Rounds },
                    inputs = new { timed = timing.Inputs.Describe(), source = timing.Inputs.Source, generated = timing.Inputs.IsGenerated, dims = timing.Inputs.GeneratedDims },
                    // Per model, combined over the shapes (geometric means): the ratios are the geometric means of the per-shape ratios.
                    models = Figures(timing.Combined),
                    shapes = timing.Shapes.Select(shape => new { shape = shape.Shape, models = Figures(shape.Models) }),
                });
            }
            else
            {
                Render(context.Console, timing, settings);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    internal static BenchmarkSettings Settings(int batch, int threads, int warmup, double seconds, int minRuns)
    {
        string? problem = batch < 1 ? "--batch must be at least 1"
            : threads < 1 ? "--threads must be at least 1"
            : warmup < 0 ? "--warmup cannot be negative"
            : !(seconds > 0 && seconds <= 3600) ? "--duration must be a number of seconds in (0, 3600]"
            : minRuns < 1 ? "--min-runs must be at least 1"
            : null;
        if (problem is not null)
            throw new EngineException(EngineErrorCodes.Usage, problem + ".");
        return new BenchmarkSettings(batch, threads, warmup, minRuns, Duration: TimeSpan.FromSeconds(seconds));
    }

    /// <summary>The models' figures combined over the shapes, timed at generated inputs (<c>report --bench</c>).</summary>
    internal static IReadOnlyList<LatencyStatistics> Measure(ToolContext context, ParseResult parse, IReadOnlyList<string> paths, BenchmarkSettings settings) =>
        Measure(context, parse, paths, settings, null, []).Combined;

    /// <summary>
    /// Loads every model (coded errors for bad files) and times them together at the shapes of
    /// <paramref name="data"/> (matched to the first model's inputs), or at generated inputs with
    /// <paramref name="dims"/>, with a progress bar on a terminal.
    /// </summary>
    internal static LatencyComparison Measure(ToolContext context, ParseResult parse, IReadOnlyList<string> paths, BenchmarkSettings settings, string? data, IReadOnlyList<string> dims)
    {
        var labels = Labels(paths);
        var loaded = paths.Select(path => OnnxModelLoader.Load(path)).ToList();
        var sizes = dims.Count == 0 ? SymbolicDimSizes.None : SymbolicDimSizes.Parse(string.Join(";", dims), null);
        var inputs = TimingData.ForCommandLine(paths[0], loaded[0], data, sizes, settings.Batch);
        var models = loaded.Select((m, i) => (labels[i], OnnxModelWriter.ToBytes(m))).ToList();
        return context.Progress(parse, "Timing " + string.Join(" vs ", labels), progress => LatencyBenchmark.Run(models, settings, inputs, progress));
    }

    /// <summary>File names, or paths where two file names are equal.</summary>
    private static string[] Labels(IReadOnlyList<string> paths)
    {
        var names = paths.Select(Path.GetFileName).ToArray();
        return names.Distinct(StringComparer.Ordinal).Count() == names.Length ? names.Select(n => n!).ToArray() : paths.ToArray();
    }

    /// <summary>One table per shape, then the combined ratios when there are several, then how it was timed.</summary>
    private static void Render(IAnsiConsole console, LatencyComparison timing, BenchmarkSettings settings)
    {
        foreach (var shape in timing.Shapes)
        {
            if (timing.Shapes.Count > 1)
                console.WriteLine("At " + shape.Shape + ":");
            console.Write(Table(shape.Models));
        }

        if (timing.Shapes.Count > 1)
        {
            console.WriteLine("p50 vs first, geometric mean over the shapes: " + string.Join(", ",
                timing.Combined.Select((s, m) => s.Label + " " + timing.Ratio(m).ToString("0.00", CultureInfo.InvariantCulture) + "×")));
        }

        console.WriteLine($"Timed at {timing.Inputs.Describe()} with {settings.Describe()}; percentiles over single runs.");
    }

    private static Table Table(IReadOnlyList<LatencyStatistics> stats)
    {
        string Ms(double ms) => LatencyStatistics.FormatMs(ms);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("model");
        foreach (var heading in new[] { "p50", "p90", "p99", "mean", "throughput", "peak memory", "runs", "p50 vs first" })
            table.AddColumn(new TableColumn(heading).RightAligned());
        foreach (var s in stats)
        {
            table.AddRow(Markup.Escape(s.Label), Ms(s.P50Ms), Ms(s.P90Ms), Ms(s.P99Ms), Ms(s.MeanMs),
                s.ThroughputPerSecond.ToString("#,0", CultureInfo.InvariantCulture) + "/s",
                s.PeakMemoryBytes is { } m ? "+" + LatencyStatistics.FormatBytes(m) : "–",
                s.Runs.ToString("#,0", CultureInfo.InvariantCulture),
                (s.P50Ms / stats[0].P50Ms).ToString("0.00", CultureInfo.InvariantCulture) + "×");
        }

        return table;
    }
}
