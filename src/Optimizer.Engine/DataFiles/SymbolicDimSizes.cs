using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// The sizes given to a model's symbolic dimensions where no data gives them (generated inputs,
/// timing): those declared by <c>[SymbolicDims("sequence_length=128")]</c>, item metadata
/// <c>SymbolicDims</c> or the CLI's <c>--dim name=size</c>, else a symbolic first (batch) axis is
/// <see cref="DefaultBatch"/> and any other <see cref="DefaultOther"/>.
/// </summary>
internal sealed record SymbolicDimSizes(IReadOnlyDictionary<string, long> Declared)
{
    public const long DefaultBatch = 1;
    public const long DefaultOther = 128;

    public static SymbolicDimSizes None { get; } = new(new Dictionary<string, long>(StringComparer.Ordinal));

    /// <summary>The sizes the plan's <c>[SymbolicDims]</c> declares (none when it declares none).</summary>
    public static SymbolicDimSizes From(OptimizationPlan plan) =>
        throw new NotImplementedException("SymbolicDimSizes.From: being written (issue 12, data helper).");

    /// <summary>Parses <c>name=size</c> pairs separated by <c>;</c> or <c>,</c>.</summary>
    /// <exception cref="EngineException">Malformed text (coded, at <paramref name="at"/>).</exception>
    public static SymbolicDimSizes Parse(string text, DiagnosticLocation? at) =>
        throw new NotImplementedException("SymbolicDimSizes.Parse: being written (issue 12, data helper).");

    /// <summary>The size of axis <paramref name="axis"/> of a value whose dimension is <paramref name="dim"/>.</summary>
    public long SizeOf(Dim dim, int axis) => dim.Size is { } size and > 0 ? size
        : dim.Symbol is { } symbol && Declared.TryGetValue(symbol, out var declared) ? declared
        : axis == 0 ? DefaultBatch : DefaultOther;

    /// <summary>The sizes given to the model inputs' symbolic dimensions, e.g. <c>batch_size=1 (default), sequence_length=64</c>; empty when none is symbolic.</summary>
    public string Describe(OnnxModel model) =>
        throw new NotImplementedException("SymbolicDimSizes.Describe: being written (issue 12, data helper).");
}
