namespace Optimizer.Engine.Benchmarking;

/// <summary>How a model is run while it is timed.</summary>
public enum TimedPath
{
    /// <summary>An ONNX Runtime session on the CPU provider, with <see cref="BenchmarkSettings.Threads"/> intra-op threads.</summary>
    OnnxRuntime,

    /// <summary>The kernel program the build embeds for the generated class's compiled path, single-threaded.</summary>
    Compiled,
}
