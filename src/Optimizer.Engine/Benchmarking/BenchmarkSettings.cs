using System.Globalization;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// How models are timed. Every model of one comparison gets the same settings, so the figures
/// differ only by the model: same batch, same ONNX Runtime thread count (intra-op threads fixed,
/// sequential execution), same inputs (<see cref="TimingInputs"/>).
/// </summary>
/// <param name="Batch">Samples per run where the timing data can be batched (the model's first axis is symbolic); otherwise each run is one sample.</param>
/// <param name="Threads">ONNX Runtime intra-op threads for every session (1 by default: the figures then do not depend on what else the machine runs on its other cores).</param>
/// <param name="WarmupRuns">Untimed runs per model before timing (first-run allocations, caches, lazy kernel selection).</param>
/// <param name="MinRuns">Timed runs per model at least, however long they take.</param>
/// <param name="MaxRuns">Timed runs per model at most.</param>
/// <param name="Duration">Wall time spent timing, shared by all models and shapes of a comparison (split into <see cref="Rounds"/> per shape).</param>
/// <param name="Rounds">The models take turns this many times, so a burst of load on the machine hits all of them alike.</param>
public sealed record BenchmarkSettings(
    int Batch = 1,
    int Threads = 1,
    int WarmupRuns = 20,
    int MinRuns = 20,
    int MaxRuns = 1_000_000,
    TimeSpan Duration = default,
    int Rounds = 10)
{
    /// <summary>The default timing time when <see cref="Duration"/> is not set.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(2);

    /// <summary><see cref="Duration"/>, or <see cref="DefaultDuration"/> when it is zero.</summary>
    public TimeSpan EffectiveDuration => Duration > TimeSpan.Zero ? Duration : DefaultDuration;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for values that cannot be measured with.</summary>
    public BenchmarkSettings Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Batch, 1, nameof(Batch));
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1, nameof(Threads));
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupRuns, nameof(WarmupRuns));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinRuns, 1, nameof(MinRuns));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRuns, MinRuns, nameof(MaxRuns));
        ArgumentOutOfRangeException.ThrowIfLessThan(Rounds, 1, nameof(Rounds));
        return this;
    }

    /// <summary>How it was measured, e.g. <c>batch 1, 1 thread, 20 warm-up runs, models interleaved in 10 rounds over 2.0 s</c>.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"batch {Batch}, {Threads} intra-op thread{(Threads == 1 ? "" : "s")}, {WarmupRuns} warm-up runs, models interleaved in {Rounds} rounds over {EffectiveDuration.TotalSeconds:0.0#} s");
}
