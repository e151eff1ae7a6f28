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
/// <c>bench &lt;model&gt; [&lt;other&gt;...] [--data file|folder] [--dim name=size]... [--path both|onnxruntime|compiled]</c>:
/// latency p50/p90/p99, throughput and peak memory of each model on this machine, with ONNX Runtime
/// and with the compiled kernels the build embeds (one row each), side by side, with the ratio to the
/// first row — the same <see cref="LatencyBenchmark"/> the build's speed check uses (rows interleaved,
/// same batch and inputs for all), at each distinct shape of the data (at most three), or at
/// generated inputs whose symbolic sizes it states. A model that does not compile gets a line saying
/// why instead of its compiled row.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(ToolContext context)
    {
        var models = new Argument<string[]>("models") { Description = "One or more ONNX models; the first is the baseline of the ratios (e.g. original optimized).", Arity = ArgumentArity.OneOrMore };
        var batch = new Option<int>("--batch") { Description = "Samples per run where the models' first dimension is symbolic (consecutive data samples, or generated ones).", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (the same for every model); the compiled kernels run on one thread.", DefaultValueFactory = _ => 1 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs per model first.", DefaultValueFactory = _ => 20 };
        var duration = new Option<double>("--duration") { Description = "Seconds of timing, shared by all models.", DefaultValueFactory = _ => BenchmarkSettings.DefaultDuration.TotalSeconds };
        var minRuns = new Option<int>("--min-runs") { Description = "Timed runs per model at least, however long they take.", DefaultValueFactory = _ => 20 };
        var data = new Option<string?>("--data") { Description = "Inputs to time with: an .npz (one array per input, samples first), a folder of test_data_set_* feeds, or .npy/raw float32 for a single input. Each distinct shape is timed (at most 3). Default: generated inputs." };
        var dims = new Option<string[]>("--dim") { Description = "Size of a symbolic dimension for generated inputs, e.g. --dim sequence_length=64 (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var path = new Option<string>("--path") { Description = "Execution paths to time: both (ONNX Runtime and the compiled kernels the build embeds, single-threaded), onnxruntime or compiled.", DefaultValueFactory = _ => BenchRows.Choices.Keys.First() };
        path.AcceptOnlyFromAmong([.. BenchRows.Choices.Keys]);
        var profile = new Option<bool>("--profile") { Description = "After timing, show where each compiled row's time goes at the first shape (profiled for --duration more): per step kind, and the slowest steps with their ONNX nodes." };
        var command = new Command("bench", "Time models with ONNX Runtime and as compiled kernels on this machine: p50/p90/p99 latency, throughput, peak memory, side by side, at the data's shapes.")
        {
            models, batch, threads, warmup, duration, minRuns, data, dims, path, profile,
        };
        command.SetAction(parse => ToolCli.Guard(context, parse, () =>
        {
            var settings = Settings(parse.GetValue(batch), parse.GetValue(threads), parse.GetValue(warmup), parse.GetValue(duration), parse.GetValue(minRuns));
            var paths = parse.GetRequiredValue(models);
            var bench = Measure(context, parse, paths, settings, parse.GetValue(data), parse.GetValue(dims) ?? [], BenchRows.Choices[parse.GetRequiredValue(path)]);
            var timing = bench.Timing;
            var profiles = parse.GetValue(profile) ? BenchProfile.Measure(bench, timing.Inputs.Feeds[0], settings.EffectiveDuration) : [];
            if (context.Json(parse))
            {
                object Figures(IReadOnlyList<LatencyStatistics> stats) => stats.Select((s, i) => new
                {
                    path = Path.GetFullPath(bench.Rows[i].File),
                    executionPath = BenchRows.NameOf(bench.Rows[i].Path),
                    label = s.Label,
                    runs = s.Runs,
                    p50Ms = s.P50Ms, p90Ms = s.P90Ms, p99Ms = s.P99Ms, meanMs = s.MeanMs, minMs = s.MinMs,
                    throughputPerSecond = s.ThroughputPerSecond,
                    peakMemoryBytes = s.PeakMemoryBytes,
                    p50Ratio = s.P50Ms / stats[0].P50Ms,
                });
                context.WriteJson(new
                {
                    settings = new { batch = settings.Batch, threads = settings.Threads, compiledThreads = 1, warmupRuns = settings.WarmupRuns, durationSeconds = settings.EffectiveDuration.TotalSeconds, rounds = settings.Rounds },
                    inputs = new { timed = timing.Inputs.Describe(), source = timing.Inputs.Source, generated = timing.Inputs.IsGenerated, dims = timing.Inputs.GeneratedDims },
                    // Per model, combined over the shapes (geometric means): the ratios are the geometric means of the per-shape ratios.
                    models = Figures(timing.Combined),
                    shapes = timing.Shapes.Select(shape => new { shape = shape.Shape, models = Figures(shape.Models) }),
                    notTimed = bench.NotTimed.Select(n => new { path = Path.GetFullPath(n.File), executionPath = BenchRows.NameOf(n.Path), reason = n.Reason, operators = n.Operators }),
                    profiles = profiles.Select(p => new
                    {
                        label = p.Label,
                        stepsMs = p.Profile.TotalMs,
                        kinds = p.Profile.Kinds.Select(k => new { kind = k.Kind.ToString(), steps = k.Steps, ms = k.Ms }),
                        steps = p.Profile.Steps.Select(s => new { index = s.Index, kind = s.Kind.ToString(), node = s.Node, ms = s.Ms }),
                    }),
                });
            }
            else
            {
                Render(context.Console, bench, settings);
                foreach (var (label, stepProfile) in profiles)
                    BenchProfile.Render(context.Console, label, stepProfile);
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

    /// <summary>The models' ONNX Runtime figures combined over the shapes, timed at generated inputs (<c>report --bench</c>).</summary>
    internal static IReadOnlyList<LatencyStatistics> Measure(ToolContext context, ParseResult parse, IReadOnlyList<string> paths, BenchmarkSettings settings) =>
        Measure(context, parse, paths, settings, null, [], [TimedPath.OnnxRuntime]).Timing.Combined;

    /// <summary>
    /// Loads every model (coded errors for bad files), compiles them where the compiled path is
    /// asked for, and times the rows together at the shapes of <paramref name="data"/> (matched to
    /// the first model's inputs), or at generated inputs with <paramref name="dims"/>, with a
    /// progress bar on a terminal.
    /// </summary>
    internal static BenchResult Measure(ToolContext context, ParseResult parse, IReadOnlyList<string> paths, BenchmarkSettings settings, string? data, IReadOnlyList<string> dims, IReadOnlyList<TimedPath> timedPaths)
    {
        var labels = Labels(paths);
        var loaded = paths.Select(path => OnnxModelLoader.Load(path)).ToList();
        var sizes = dims.Count == 0 ? SymbolicDimSizes.None : SymbolicDimSizes.Parse(string.Join(";", dims), null);
        var inputs = TimingData.ForCommandLine(paths[0], loaded[0], data, sizes, settings.Batch);
        var rows = context.Status(parse, "Compiling " + string.Join(", ", labels),
            () => BenchRows.For(loaded.Select((m, i) => (labels[i], paths[i], m)).ToList(), timedPaths, inputs));
        var timing = context.Progress(parse, "Timing " + string.Join(" vs ", rows.Models.Select(m => m.Label)), progress => LatencyBenchmark.Run(rows.Models, settings, inputs, progress));
        return new BenchResult(timing, rows.Files.Zip(rows.Models, (file, model) => (file, model.Path)).ToList(), rows.NotTimed, rows.Programs);
    }

    /// <summary>File names, or paths where two file names are equal.</summary>
    private static string[] Labels(IReadOnlyList<string> paths)
    {
        var names = paths.Select(Path.GetFileName).ToArray();
        return names.Distinct(StringComparer.Ordinal).Count() == names.Length ? names.Select(n => n!).ToArray() : paths.ToArray();
    }

    /// <summary>One table per shape, then the combined ratios when there are several, the paths not timed and why, then how it was timed.</summary>
    private static void Render(IAnsiConsole console, BenchResult bench, BenchmarkSettings settings)
    {
        var timing = bench.Timing;
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

        foreach (var notTimed in bench.NotTimed)
            console.WriteLine(notTimed.ToString());
        var compiled = bench.Rows.Any(r => r.Path == TimedPath.Compiled) ? ", compiled kernels single-threaded" : "";
        console.WriteLine($"Timed at {timing.Inputs.Describe()} with {settings.Describe()}{compiled}; percentiles over single runs.");
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

/// <summary>What <c>bench</c> measured: the figures, each row's model file and path (in row order), and the paths that got no row.</summary>
internal sealed record BenchResult(LatencyComparison Timing, IReadOnlyList<(string File, TimedPath Path)> Rows, IReadOnlyList<NotTimed> NotTimed, IReadOnlyList<(string Label, byte[] Program)> Programs);
