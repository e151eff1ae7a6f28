using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// Times one or more models against each other on this machine, with ONNX Runtime's CPU provider or
/// their compiled kernels (<see cref="ITimedRunner"/>), at every feed of a <see cref="TimingInputs"/>
/// (the data's distinct shapes): each model's runner
/// is created and warmed up at every shape (peak memory measured meanwhile), then, shape by shape,
/// the models take turns in <see cref="BenchmarkSettings.Rounds"/> rounds, each round giving every
/// model the same slice of the time, and every run is timed on its own. Percentiles are over single
/// runs, so a run preempted by another process moves p99, not p50. Used by the build's speed check
/// (by default for a declared quantization, and <c>RequireSpeedup</c>) and by the CLI's <c>bench</c>.
/// </summary>
public static class LatencyBenchmark
{
    /// <summary>Times the models with ONNX Runtime (the build's speed check).</summary>
    /// <param name="models">(label, model bytes) in the order the results are wanted.</param>
    /// <param name="settings">Threads, warm-up and time; the same for every model. The time is shared by all shapes.</param>
    /// <param name="inputs">The feeds to time at; every model gets the same.</param>
    /// <param name="progress">Called with a fraction in [0, 1] as the work goes on (optional).</param>
    /// <exception cref="BenchmarkException">ONNX Runtime cannot load or run a model, or the feeds do not fit it.</exception>
    public static LatencyComparison Run(IReadOnlyList<(string Label, byte[] Model)> models, BenchmarkSettings settings, TimingInputs inputs, Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        return Run(models.Select(m => TimedModel.OnnxRuntime(m.Label, m.Model)).ToList(), settings, inputs, progress);
    }

    /// <summary>Times the models, each on its own path, in the order the results are wanted.</summary>
    /// <exception cref="BenchmarkException">A model cannot be loaded or run, or the feeds do not fit it.</exception>
    internal static LatencyComparison Run(IReadOnlyList<TimedModel> models, BenchmarkSettings settings, TimingInputs inputs, Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(inputs);
        settings = settings.Validated();
        var feeds = inputs.Feeds;
        var sessions = new List<ITimedRunner>();
        try
        {
            // One throwaway runner per path first: ONNX Runtime's library, environment, kernel registries and
            // this code's JIT are paid once, so the first model's memory and time do not include them.
            foreach (var first in models.DistinctBy(m => m.Path))
            {
                using var primer = Guard(first.Label, () => first.Open(settings, [feeds[0]]));
                Guard(first.Label, () => primer.WarmUp(0, 1));
            }

            var peaks = new List<long?>();
            foreach (var model in models)
            {
                var memory = PeakMemory.Start();
                var session = Guard(model.Label, () => model.Open(settings, feeds));
                sessions.Add(session);
                for (var shape = 0; shape < feeds.Count; shape++)
                    Guard(model.Label, () => session.WarmUp(shape, Math.Max(1, settings.WarmupRuns)));
                peaks.Add(memory.Stop());
            }

            var labels = inputs.ShapeLabels();
            var steps = settings.Rounds * feeds.Count;
            var results = new List<ShapeLatency>();
            for (var shape = 0; shape < feeds.Count; shape++)
            {
                var times = TimeShape(sessions, shape, settings, feeds.Count, round => progress?.Invoke((shape * settings.Rounds + round + 1.0) / steps));
                results.Add(new ShapeLatency(labels[shape],
                    sessions.Select((s, m) => LatencyStatistics.From(s.Label, times[m], feeds[shape].SampleCount, peaks[m])).ToList()));
            }

            return new LatencyComparison(inputs, results);
        }
        finally
        {
            foreach (var session in sessions)
                session.Dispose();
        }
    }

    /// <summary>The models' run times at one shape, interleaved in rounds over this shape's share of the time.</summary>
    private static List<double>[] TimeShape(List<ITimedRunner> sessions, int shape, BenchmarkSettings settings, int shapes, Action<int> roundDone)
    {
        var times = sessions.Select(_ => new List<double>()).ToArray();
        var slice = settings.EffectiveDuration / (shapes * settings.Rounds * sessions.Count);
        var minPerRound = (settings.MinRuns + settings.Rounds - 1) / settings.Rounds;
        var maxPerRound = Math.Max(minPerRound, settings.MaxRuns / settings.Rounds);
        for (var round = 0; round < settings.Rounds; round++)
        {
            for (var m = 0; m < sessions.Count; m++)
            {
                var session = sessions[m];
                var start = Stopwatch.GetTimestamp();
                for (var run = 0; run < maxPerRound && (run < minPerRound || Stopwatch.GetElapsedTime(start) < slice); run++)
                    times[m].Add(Guard(session.Label, () => session.TimedRun(shape)));
            }

            roundDone(round);
        }

        return times;
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
