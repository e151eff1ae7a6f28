using System.Globalization;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Schema;
using Optimizer.Runtime;

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
    public static SymbolicDimSizes From(OptimizationPlan plan)
    {
        if (plan.Passes.FirstOrDefault(p => p.Pass == PassSchema.SymbolicDims.Name) is not { } pass)
        {
            return None;
        }

        try
        {
            return Parse(OptionBinder.Bind<SymbolicDimsAttribute>(pass.Options).Dims, pass.DeclaredAt);
        }
        catch (PassException e)
        {
            throw new EngineException(EngineErrorCodes.SymbolicDimsInvalid, "[SymbolicDims]: " + e.Message, pass.DeclaredAt);
        }
    }

    /// <summary>The most a declared size may be: larger ones are typos that would make inputs of gigabytes.</summary>
    public const long MaxSize = 1_000_000;

    /// <summary>Parses <c>name=size</c> pairs separated by <c>;</c> or <c>,</c>.</summary>
    /// <exception cref="EngineException">Malformed text (coded, at <paramref name="at"/>).</exception>
    public static SymbolicDimSizes Parse(string text, DiagnosticLocation? at)
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pair in (text ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size is < 1 or > MaxSize)
            {
                throw Invalid($"'{pair}' is not name=size with a size from 1 to {MaxSize:N0}", at);
            }

            if (sizes.TryGetValue(parts[0], out var earlier) && earlier != size)
            {
                throw Invalid($"'{parts[0]}' is given both {earlier} and {size}", at);
            }

            sizes[parts[0]] = size;
        }

        return new SymbolicDimSizes(sizes);
    }

    private static EngineException Invalid(string problem, DiagnosticLocation? at) =>
        new(EngineErrorCodes.SymbolicDimsInvalid, string.Create(CultureInfo.InvariantCulture,
            $"Symbolic dimension sizes: {problem}. Write name=size pairs separated by ';' or ',', e.g. \"sequence_length=128;batch_size=1\" (the names are the model inputs' symbolic dimensions)."), at);

    /// <summary>
    /// The size of every symbolic dimension of the model's inputs, in order of appearance: declared,
    /// else <see cref="DefaultBatch"/> when the name is the first axis of some input (so silero's
    /// <c>batch</c> in h [2, batch, 64] stays the batch), else <see cref="DefaultOther"/>.
    /// </summary>
    public IReadOnlyList<(string Symbol, long Size, bool IsDefault)> Resolve(OnnxModel model)
    {
        var shapes = model.Graph.Inputs.Select(i => i.Type?.Shape).OfType<IReadOnlyList<Dim>>().ToList();
        var batchNames = shapes.Where(s => s.Count > 0).Select(s => s[0].Symbol).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return shapes.SelectMany(s => s).Where(d => d.Size is not > 0).Select(d => d.Symbol).OfType<string>().Distinct(StringComparer.Ordinal)
            .Select(symbol => Declared.TryGetValue(symbol, out var size) ? (symbol, size, false)
                : (symbol, batchNames.Contains(symbol) ? DefaultBatch : DefaultOther, true))
            .ToList();
    }

    /// <summary>The size of axis <paramref name="axis"/> of a value whose dimension is <paramref name="dim"/>.</summary>
    public long SizeOf(Dim dim, int axis) => dim.Size is { } size and > 0 ? size
        : dim.Symbol is { } symbol && Declared.TryGetValue(symbol, out var declared) ? declared
        : axis == 0 ? DefaultBatch : DefaultOther;

    /// <summary>The sizes given to the model inputs' symbolic dimensions, e.g. <c>batch_size=1 (default), sequence_length=64</c>; empty when none is symbolic.</summary>
    public string Describe(OnnxModel model) =>
        string.Join(", ", Resolve(model).Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Symbol}={d.Size}{(d.IsDefault ? " (default)" : "")}")));
}
