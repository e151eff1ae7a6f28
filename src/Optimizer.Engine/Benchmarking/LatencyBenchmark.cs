using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// Times one or more models against each other on this machine with ONNX Runtime's CPU provider:
/// each model's session is created and warmed up (peak memory measured meanwhile), then the models
/// take turns in <see cref="BenchmarkSettings.Rounds"/> rounds, each round giving every model the
/// same slice of the time, and every run is timed on its own. Percentiles are over single runs,
/// so a run preempted by another process moves p99, not p50. Used by the build's speed-up gate
/// (<c>RequireSpeedup</c>) and by the CLI's <c>bench</c>.
/// </summary>
public static class LatencyBenchmark
{
    /// <param name="models">(label, model bytes) in the order the results are wanted.</param>
    /// <param name="settings">Batch, threads, warm-up and time; the same for every model.</param>
    /// <param name="progress">Called with a fraction in [0, 1] as the work goes on (optional).</param>
    /// <exception cref="BenchmarkException">ONNX Runtime cannot load or run a model, or an input cannot be generated.</exception>
    public static IReadOnlyList<LatencyStatistics> Run(IReadOnlyList<(string Label, byte[] Model)> models, BenchmarkSettings settings, Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        settings = settings.Validated();
        var sessions = new List<TimedSession>();
        try
        {
            // One throwaway session first: ONNX Runtime's library, environment, kernel registries and this
            // code's JIT are paid once, so the first model's memory and time do not include them.
            if (models.Count > 0)
            {
                using var primer = Guard(models[0].Label, () => new TimedSession(models[0].Label, models[0].Model, settings));
                Guard(models[0].Label, () => primer.WarmUp(1));
            }

            var peaks = new List<long?>();
            foreach (var (label, model) in models)
            {
                var memory = PeakMemory.Start();
                var session = Guard(label, () => new TimedSession(label, model, settings));
                sessions.Add(session);
                Guard(label, () => session.WarmUp(Math.Max(1, settings.WarmupRuns)));
                peaks.Add(memory.Stop());
            }

            var times = sessions.Select(_ => new List<double>()).ToArray();
            var slice = settings.EffectiveDuration / (settings.Rounds * sessions.Count);
            var minPerRound = (settings.MinRuns + settings.Rounds - 1) / settings.Rounds;
            var maxPerRound = Math.Max(minPerRound, settings.MaxRuns / settings.Rounds);
            for (var round = 0; round < settings.Rounds; round++)
            {
                for (var m = 0; m < sessions.Count; m++)
                {
                    var session = sessions[m];
                    var start = Stopwatch.GetTimestamp();
                    for (var run = 0; run < maxPerRound && (run < minPerRound || Stopwatch.GetElapsedTime(start) < slice); run++)
                        times[m].Add(Guard(session.Label, session.TimedRun));
                }

                progress?.Invoke((round + 1.0) / settings.Rounds);
            }

            return sessions.Select((s, m) => LatencyStatistics.From(s.Label, times[m], settings.Batch, peaks[m])).ToList();
        }
        finally
        {
            foreach (var session in sessions)
                session.Dispose();
        }
    }

    private static T Guard<T>(string label, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (OnnxRuntimeException e)
        {
            throw new BenchmarkException($"ONNX Runtime could not run {label}: {e.Message}", e);
        }
    }

    private static void Guard(string label, Action action) => Guard(label, () =>
    {
        action();
        return 0;
    });
}
