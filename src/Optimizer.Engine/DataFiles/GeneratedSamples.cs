using System.Buffers.Binary;
using System.Globalization;
using Optimizer.Engine.Diagnostics;
using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// Inputs made up when no data is declared, for every element type, labelled as generated
/// (<see cref="SampleSet.IsGenerated"/>): floats uniform in [0, 1), integer ids below the size of
/// the table a Gather reads them from (<see cref="IntegerInputValues"/>), an integer compared to a
/// constant gets that constant, masks (inputs named <c>*mask*</c>) of ones, bools true, symbolic
/// dimensions at <see cref="SymbolicDimSizes"/>; a fixed seed, so equal models get equal inputs.
/// </summary>
internal static class GeneratedSamples
{
    public const int DefaultCount = 32;
    public const int Seed = 20240601;

    /// <exception cref="EngineException">An input whose type cannot be generated (sequence, map, string, …).</exception>
    public static SampleSet For(OnnxModel model, SymbolicDimSizes dims, int count = DefaultCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var sizes = dims.Resolve(model).ToDictionary(d => d.Symbol, d => d.Size, StringComparer.Ordinal);
        var random = new Random(Seed); // one sequence over the inputs in order: floats as verification generated them before
        var values = new List<string>();
        var stacked = model.Graph.Inputs.Select(input => Generate(model.Graph, input, sizes, dims, count, random, values)).ToList();
        return new StackedSamples(stacked, NpzSamples.Batchable(model, stacked))
        {
            Source = string.Create(CultureInfo.InvariantCulture,
                $"{count} generated samples ({Described(dims.Describe(model))}{string.Join(", ", values.Distinct())}; seed {Seed}; no data declared)"),
            IsGenerated = true,
        };
    }

    private static string Described(string dims) => dims.Length == 0 ? "" : dims + "; ";

    /// <param name="values">Receives how the input's values were made, for the set's Source.</param>
    private static StackedInput Generate(OnnxGraph graph, ValueInfo input, Dictionary<string, long> sizes, SymbolicDimSizes dims, int count, Random random, List<string> values)
    {
        if (input.Type is not { Kind: ValueKind.Tensor, Shape: { } shape } type || NpyDtype.Of(type.ElementType) is null)
        {
            throw new EngineException(EngineErrorCodes.InputNotGeneratable,
                $"No data is declared and input {InputSignature.Describe(input)} cannot be generated: inputs are made for tensors of known rank of {NpyDtype.Names}. Declare data for it (an .npz with one array per input, or a test_data_set folder).");
        }

        var full = shape.Select((d, axis) => d.Symbol is { } s && d.Size is not > 0 && sizes.TryGetValue(s, out var size) ? size : dims.SizeOf(d, axis)).ToArray();
        var perRow = full.Length > 0 && full[0] == 1;
        long[] stackedShape = perRow ? [count, .. full[1..]] : [count, .. full];
        var elements = checked((int)stackedShape.Aggregate(1L, (a, d) => a * d));
        var (value, made) = ValueOf(graph, input, type.ElementType, random);
        values.Add(made);
        var bytes = new byte[checked(elements * DataTensor.ItemSize(type.ElementType))];
        for (var i = 0; i < elements; i++)
        {
            Write(bytes, i, type.ElementType, value());
        }

        return new StackedInput(input.Name, new DataTensor(type.ElementType, stackedShape, bytes), RowIsWholeInput: !perRow);
    }

    /// <summary>Where each value of the input comes from, and those values in words.</summary>
    private static (Func<double> Next, string Described) ValueOf(OnnxGraph graph, ValueInfo input, TensorElementType type, Random random)
    {
        if (input.Name.Contains("mask", StringComparison.OrdinalIgnoreCase) || type == TensorElementType.Bool)
        {
            return (() => 1, $"{input.Name} all ones");
        }

        if (NpzArray.IsFloat(type))
        {
            return (() => (float)random.NextDouble(), "floats uniform [0, 1)");
        }

        if (IntegerInputValues.TableSize(graph, input.Name) is { } table)
        {
            return (() => random.NextInt64(0, table), string.Create(CultureInfo.InvariantCulture, $"{input.Name} uniform in [0, {table})"));
        }

        var constant = IntegerInputValues.ComparedConstant(graph, input.Name) ?? 0;
        return (() => constant, string.Create(CultureInfo.InvariantCulture, $"{input.Name} = {constant}"));
    }

    private static void Write(byte[] bytes, int index, TensorElementType type, double value)
    {
        var size = DataTensor.ItemSize(type);
        var into = bytes.AsSpan(index * size, size);
        switch (type)
        {
            case TensorElementType.Float: BinaryPrimitives.WriteSingleLittleEndian(into, (float)value); break;
            case TensorElementType.Float16: BinaryPrimitives.WriteHalfLittleEndian(into, (Half)value); break;
            case TensorElementType.Double: BinaryPrimitives.WriteDoubleLittleEndian(into, value); break;
            case TensorElementType.Int64: BinaryPrimitives.WriteInt64LittleEndian(into, (long)value); break;
            case TensorElementType.Int32: BinaryPrimitives.WriteInt32LittleEndian(into, (int)value); break;
            case TensorElementType.Int16: BinaryPrimitives.WriteInt16LittleEndian(into, (short)value); break;
            default: into[0] = (byte)(long)value; break; // int8 (two's complement), uint8, bool: one byte
        }
    }
}
