using System.Globalization;
using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// Matches the arrays of a <c>.npz</c> to a model's inputs: one array per input, named exactly as
/// the input, samples on the first axis. An array is either <c>[N, ...rest]</c> (rest = the input's
/// shape without its leading batch axis; each sample is fed as <c>[1, ...rest]</c>, consecutive
/// samples may be batched) or <c>[N, ...full input shape]</c> (each row fed whole: state inputs,
/// scalars). Element types must be the input's, or widen to it losslessly (int32 → int64).
/// </summary>
internal static class NpzSamples
{
    /// <exception cref="Diagnostics.EngineException">The arrays do not fit the inputs (see <see cref="DataSubject"/>'s codes).</exception>
    public static StackedSamples Match(OnnxModel model, IReadOnlyList<NpzArray> arrays, DataSubject subject)
    {
        var inputs = model.Graph.Inputs;
        var byName = arrays.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var missing = inputs.Where(i => !byName.ContainsKey(i.Name)).ToList();
        if (missing.Count > 0)
        {
            throw subject.DoesNotFit(
                $"has no array for input{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing.Select(InputSignature.Describe))}; it holds {Names(arrays)}",
                $"Save one array per model input, named exactly as the input: {InputSignature.SavezExample(model)}.");
        }

        if (arrays.FirstOrDefault(a => !inputs.Any(i => i.Name == a.Name)) is { } extra)
        {
            throw subject.DoesNotFit(
                $"holds the array '{extra.Name}', which is no input of the model (its inputs are {InputSignature.DescribeAll(model)})",
                "Save only the model's inputs, each named exactly as the input; rename or drop the others.");
        }

        var bindings = new DimBindings();
        var stacked = inputs.Select(input => Stack(input, byName[input.Name], bindings, subject)).ToList();
        CheckSampleCounts(stacked, subject);
        return new StackedSamples(stacked, Batchable(model, stacked))
        {
            Source = string.Create(CultureInfo.InvariantCulture, $"{stacked[0].Values.Shape[0]} samples from '{subject.Declared}'"),
        };
    }

    private static StackedInput Stack(ValueInfo input, NpzArray array, DimBindings bindings, DataSubject subject)
    {
        if (input.Type is not { Kind: ValueKind.Tensor } type)
        {
            throw subject.Unsupported($"has array '{array.Name}' for input {InputSignature.Describe(input)}, which is not a tensor", "Only tensor inputs are fed from data.");
        }

        var shape = array.Shape.ToArray();
        if (shape.Length == 0)
        {
            throw subject.DoesNotFit($"holds array '{array.Name}' as a single value (0-d) with no sample axis; input {InputSignature.Describe(input)}",
                "Stack the samples on the first axis: an array of shape [N, ...] (for a scalar input, shape [N]).");
        }

        var widened = Widen(input, type.ElementType, array, subject);
        var rowIsWholeInput = type.Shape is not { } dims || shape.Length == dims.Count + 1;
        long[] row = rowIsWholeInput ? shape[1..] : [1, .. shape[1..]];
        if (bindings.Problem(input, row, $"array '{array.Name}' (per sample {(rowIsWholeInput ? "" : "fed as ")}[{string.Join(",", row)}], from shape [{string.Join(",", shape)}])") is { } problem)
        {
            throw subject.DoesNotFit(problem, $"Save the samples of '{input.Name}' as [N, ...] where ... is the input's shape without its batch axis, or its whole shape (e.g. state inputs); fixed dimensions as the model declares them.");
        }

        return new StackedInput(input.Name, new DataTensor(type.ElementType, shape, widened.Bytes), rowIsWholeInput);
    }

    /// <summary>The array as the input's element type: as it is, or widened losslessly; a lossy conversion is refused.</summary>
    private static NpzArray Widen(ValueInfo input, TensorElementType target, NpzArray array, DataSubject subject)
    {
        if (array.TryWiden(target, out var widened))
        {
            return widened;
        }

        var want = InputSignature.TypeName(target);
        var have = InputSignature.TypeName(array.ElementType);
        throw subject.DoesNotFit(
            $"holds array '{array.Name}' as {have}, but input {InputSignature.Describe(input)} takes {want}, and {have} → {want} could lose values",
            $"Save the array as {want}: numpy.savez(..., {array.Name}=x.astype({InputSignature.NumpyType(target)})).");
    }

    private static void CheckSampleCounts(List<StackedInput> stacked, DataSubject subject)
    {
        var first = stacked[0];
        if (stacked.FirstOrDefault(s => s.Values.Shape[0] != first.Values.Shape[0]) is { } other)
        {
            throw subject.DoesNotFit(
                $"holds {first.Values.Shape[0]} samples in array '{first.Name}' but {other.Values.Shape[0]} in array '{other.Name}'",
                "Every array holds the same samples on its first axis: sample i is row i of each.");
        }

        if (first.Values.Shape[0] == 0)
        {
            throw subject.DoesNotFit("holds no samples (the arrays' first axis is 0)", "Save at least one sample (a few hundred are typical for calibration).");
        }
    }

    /// <summary>
    /// Samples may share a run when every input is fed per row with a symbolic first axis, and no
    /// input uses those axes' names elsewhere (a fixed batch of 1 is fed one sample at a time).
    /// </summary>
    public static bool Batchable(OnnxModel model, IReadOnlyList<StackedInput> stacked)
    {
        var inputs = model.Graph.Inputs;
        if (stacked.Any(s => s.RowIsWholeInput) || inputs.Any(i => i.Type?.Shape is not { Count: > 0 } dims || dims[0].Size is > 0))
        {
            return false;
        }

        var batchNames = inputs.Select(i => i.Type!.Shape![0].Symbol).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return !inputs.Any(i => i.Type!.Shape!.Skip(1).Any(d => d.Symbol is { } s && batchNames.Contains(s)));
    }

    private static string Names(IReadOnlyList<NpzArray> arrays) => string.Join(", ", arrays.Select(a => $"'{a.Name}'"));
}
