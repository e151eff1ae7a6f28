using Optimizer.Passes.Data;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Engine.Benchmarking;

/// <summary>One row of a comparison: its label, its execution path, and how to open its runner at the comparison's feeds.</summary>
internal sealed record TimedModel(string Label, TimedPath Path, Func<BenchmarkSettings, IReadOnlyList<Feed>, ITimedRunner> Open)
{
    /// <summary>The model's bytes in an ONNX Runtime session.</summary>
    public static TimedModel OnnxRuntime(string label, byte[] model) =>
        new(label, TimedPath.OnnxRuntime, (settings, feeds) => new TimedSession(label, model, settings, feeds));

    /// <summary>A compiled program's bytes (<see cref="KernelProgram.ToBytes()"/>), read as an app loads its embedded program (with <paramref name="model"/>, the ONNX model it reads referenced weights from).</summary>
    public static TimedModel Compiled(string label, byte[] program, byte[]? model = null) =>
        new(label, TimedPath.Compiled, (_, feeds) => new TimedProgram(label, KernelProgram.Read(program, model), feeds));
}
