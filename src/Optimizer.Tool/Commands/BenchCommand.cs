using System.CommandLine;
using System.Globalization;
using Optimizer.Engine.Benchmarking;
using Optimizer.Engine.Diagnostics;
using Optimizer.Onnx;
using Optimizer.Tool.Output;
using Spectre.Console;

namespace Optimizer.Tool.Commands;

/// <summary>
/// <c>bench &lt;model&gt; [&lt;other&gt;...]</c>: latency p50/p90/p99, throughput and peak memory of each
/// model with ONNX Runtime on this machine, side by side, with the ratio to the first model — the
/// same <see cref="LatencyBenchmark"/> the build's RequireSpeedup gate uses (models interleaved,
/// same batch and thread count for all).
/// </summary>
internal static class BenchCommand
{
    public static Command Create(ToolContext context)
    {
        var models = new Argument<string[]>("models") { Description = "One or more ONNX models; the first is the baseline of the ratios (e.g. original optimized).", Arity = ArgumentArity.OneOrMore };
        var batch = new Option<int>("--batch") { Description = "Batch size given to symbolic first dimensions.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (the same for every model).", DefaultValueFactory = _ => 1 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs per model first.", DefaultValueFactory = _ => 20 };
        var duration = new Option<double>("--duration") { Description = "Seconds of timing, shared by all models.", DefaultValueFactory = _ => BenchmarkSettings.DefaultDuration.TotalSeconds };
        var minRuns = new Option<int>("--min-runs") { Description = "Timed runs per model at least, however long they take.", DefaultValueFactory = _ => 20 };
        var command = new Command("bench", "Time models with ONNX Runtime on this machine: p50/p90/p99 latency, throughput, peak memory, side by side.")
        {
            models, batch, threads, warmup, duration, minRuns,
        };
        command.SetAction(parse => ToolCli.Guard(context, parse, () =>
        {
            var settings = Settings(parse.GetValue(batch), parse.GetValue(threads), parse.GetValue(warmup), parse.GetValue(duration), parse.GetValue(minRuns));
            var paths = parse.GetRequiredValue(models);
            var stats = Measure(context, parse, paths, settings);
            if (context.Json(parse))
            {
                context.WriteJson(new
                {
                    settings = new { batch = settings.Batch, threads = settings.Threads, warmupRuns = settings.WarmupRuns, durationSeconds = settings.EffectiveDuration.TotalSeconds, rounds = settings.Rounds },
                    models = stats.Select((s, i) => new
                    {
                        path = Path.GetFullPath(paths[i]),
                        runs = s.Runs,
                        p50Ms = s.P50Ms, p90Ms = s.P90Ms, p99Ms = s.P99Ms, meanMs = s.MeanMs, minMs = s.MinMs,
                        throughputPerSecond = s.ThroughputPerSecond,
                        peakMemoryBytes = s.PeakMemoryBytes,
                        p50Ratio = s.P50Ms / stats[0].P50Ms,
                    }),
                });
            }
            else
            {
                Render(context.Console, stats, settings);
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

    /// <summary>Loads every model (coded errors for bad files) and times them together, with a progress bar on a terminal.</summary>
    internal static IReadOnlyList<LatencyStatistics> Measure(ToolContext context, ParseResult parse, IReadOnlyList<string> paths, BenchmarkSettings settings)
    {
        var labels = Labels(paths);
        var models = paths.Select((p, i) => (labels[i], OnnxModelWriter.ToBytes(OnnxModelLoader.Load(p)))).ToList();
        return context.Progress(parse, "Timing " + string.Join(" vs ", labels), progress => LatencyBenchmark.Run(models, settings, progress));
    }

    /// <summary>File names, or paths where two file names are equal.</summary>
    private static string[] Labels(IReadOnlyList<string> paths)
    {
        var names = paths.Select(Path.GetFileName).ToArray();
        return names.Distinct(StringComparer.Ordinal).Count() == names.Length ? names.Select(n => n!).ToArray() : paths.ToArray();
    }

    private static void Render(IAnsiConsole console, IReadOnlyList<LatencyStatistics> stats, BenchmarkSettings settings)
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

        console.Write(table);
        console.WriteLine($"Timed with {settings.Describe()}; percentiles over single runs.");
    }
}
