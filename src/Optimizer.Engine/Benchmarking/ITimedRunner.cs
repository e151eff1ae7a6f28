namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// One model on one execution path, ready to be timed at the feeds it was opened with (indexed by
/// shape): <see cref="LatencyBenchmark"/> times every path through this, so ONNX Runtime sessions
/// (<see cref="TimedSession"/>) and compiled kernel programs (<see cref="TimedProgram"/>) get the
/// same warm-up, interleaving and statistics.
/// </summary>
internal interface ITimedRunner : IDisposable
{
    /// <summary>The row's label, e.g. <c>digits_mlp.onnx (compiled)</c>.</summary>
    string Label { get; }

    /// <summary>Runs untimed <paramref name="runs"/> times at feed <paramref name="shape"/>.</summary>
    void WarmUp(int shape, int runs);

    /// <summary>One run at feed <paramref name="shape"/>; returns its wall time in milliseconds.</summary>
    double TimedRun(int shape);
}
