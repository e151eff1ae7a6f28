using Optimizer.Engine.Benchmarking;
using Optimizer.Onnx;

namespace Optimizer.Tool.Commands;

/// <summary>
/// What <c>bench</c> times: per model, a row for each chosen execution path (ONNX Runtime, then the
/// compiled kernels labelled <c>(compiled)</c>), and a note instead of a row for a model whose
/// compiled path cannot be timed.
/// </summary>
internal sealed class BenchRows
{
    /// <summary><c>--path</c>'s values and the paths each times, in row order (the first is the default).</summary>
    public static readonly IReadOnlyDictionary<string, TimedPath[]> Choices = new Dictionary<string, TimedPath[]>(StringComparer.Ordinal)
    {
        ["both"] = [TimedPath.OnnxRuntime, TimedPath.Compiled],
        ["onnxruntime"] = [TimedPath.OnnxRuntime],
        ["compiled"] = [TimedPath.Compiled],
    };

    private BenchRows()
    {
    }

    /// <summary>The rows to time, in order.</summary>
    public List<TimedModel> Models { get; } = [];

    /// <summary>Each row's model file, in the order of <see cref="Models"/>.</summary>
    public List<string> Files { get; } = [];

    /// <summary>Each compiled row's label and program bytes, for <c>--profile</c>.</summary>
    public List<(string Label, byte[] Program)> Programs { get; } = [];

    /// <summary>One per path not timed.</summary>
    public List<NotTimed> NotTimed { get; } = [];

    /// <summary>The name a path has on the command line and in JSON, e.g. <c>onnxruntime</c>.</summary>
    public static string NameOf(TimedPath path) => path.ToString().ToLowerInvariant();

    /// <summary>Compiles the models where <paramref name="paths"/> ask for the compiled path; throws when nothing is left to time.</summary>
    /// <exception cref="BenchmarkException">No model can be timed on the chosen paths (each one's reason is in the message).</exception>
    public static BenchRows For(IReadOnlyList<(string Label, string File, OnnxModel Model)> models, IReadOnlyList<TimedPath> paths, TimingInputs inputs)
    {
        var rows = new BenchRows();
        foreach (var (label, file, model) in models)
        {
            if (paths.Contains(TimedPath.OnnxRuntime))
                rows.Add(file, TimedModel.OnnxRuntime(label, OnnxModelWriter.ToBytes(model)));
            if (paths.Contains(TimedPath.Compiled))
                rows.AddCompiled(label, file, model, inputs);
        }

        if (rows.Models.Count == 0)
            throw new BenchmarkException(string.Join("; ", rows.NotTimed));
        return rows;
    }

    private void Add(string file, TimedModel model)
    {
        Models.Add(model);
        Files.Add(file);
    }

    private void AddCompiled(string label, string file, OnnxModel model, TimingInputs inputs)
    {
        var compiled = CompiledForTiming.Compile(model, inputs.Feeds);
        if (compiled.Program is { } program)
        {
            Add(file, TimedModel.Compiled(label + " (compiled)", program));
            Programs.Add((label + " (compiled)", program));
        }
        else
            NotTimed.Add(new NotTimed(label, file, TimedPath.Compiled, compiled.WhyNot!, compiled.RefusedOperators));
    }
}

/// <summary>A model's path that got no row, and why.</summary>
/// <param name="Label">The model's label (its file name).</param>
/// <param name="File">The model file as given.</param>
/// <param name="Path">The path not timed.</param>
/// <param name="Reason">Why, e.g. <c>does not compile: top (TopK): operator TopK is not in the kernel set</c>.</param>
/// <param name="Operators">The operators the compiler refused (empty when the reason is not the compiler's).</param>
internal sealed record NotTimed(string Label, string File, TimedPath Path, string Reason, IReadOnlyList<string> Operators)
{
    /// <summary>The line <c>bench</c> prints, e.g. <c>m.onnx: no compiled row, it does not compile: …</c>.</summary>
    public override string ToString() => $"{Label}: no {BenchRows.NameOf(Path)} row, it {Reason}";
}
