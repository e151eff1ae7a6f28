using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Runtime;

namespace Optimizer.Engine.Verification;

/// <summary>
/// The inputs both models are run on, and where they came from. One float32 tensor per model input,
/// samples first (<c>[N, ...]</c>), plus optional integer labels (one per sample).
/// </summary>
internal sealed record VerificationInputs(
    IReadOnlyList<(string Name, float[] Values, long[] SampleShape)> Inputs,
    int SampleCount,
    int[]? Labels,
    string Source)
{
    /// <summary>
    /// True when a model that fails on these inputs cannot run at all: they are the user's data, or
    /// generated with exactly the declared shapes (no symbolic dimension after the first set to 1).
    /// </summary>
    public bool Conclusive { get; init; } = true;
}

/// <summary>
/// Finds the data to verify on, in order: the <c>Validation</c> option (and <c>Labels</c>), the
/// calibration data the plan declares, or generated inputs.
/// <list type="bullet">
/// <item><c>Validation</c>: <c>.npy</c> (little-endian float32, C order, samples first), or any other file
/// as raw little-endian float32 read as samples of the model input's size (its dimensions after the
/// first, which must be fixed), exactly like <c>Calibration</c>. Single-input models only.</item>
/// <item><c>Labels</c>: <c>.npy</c> of integers (int8/16/32/64, uint8/16/32/64; shape [N] or [N,1]),
/// or any other file as raw uint8, one byte per sample. The count must equal the samples'.</item>
/// <item>Generated: <see cref="GeneratedSamples"/> samples per input, uniform in
/// [<see cref="GeneratedMin"/>, <see cref="GeneratedMax"/>) from a fixed seed (<see cref="Seed"/>),
/// shaped from the model's input with symbolic or unknown dimensions set to 1.</item>
/// </list>
/// </summary>
internal static partial class VerificationData
{
    public const int GeneratedSamples = 32;
    public const float GeneratedMin = 0f;
    public const float GeneratedMax = 1f;
    public const int Seed = 20240601;

    public static VerificationInputs Load(OptimizationPlan plan, OnnxModel model, AccuracyBudgetSettings? budget,
        IReadOnlyDictionary<string, SampleSet> calibration)
    {
        var inputs = model.Graph.Inputs;
        if (budget?.Validation is { } validation)
        {
            var set = ReadSamples(plan, model, validation, nameof(AccuracyBudgetAttribute.Validation), budget.DeclaredAt);
            var labels = budget.Labels is { } labelFile ? ReadLabels(plan, labelFile, budget.DeclaredAt) : null;
            if (labels is not null && labels.Length != set.SampleCount)
            {
                throw new EngineException(EngineErrorCodes.DataFileUnsupported,
                    $"The labels file '{budget.Labels}' holds {labels.Length} labels but the validation file '{validation}' holds {set.SampleCount} samples. Give one label per sample.",
                    budget.DeclaredAt);
            }

            return FromSet(inputs[0].Name, set, labels, $"{set.SampleCount} validation samples{(labels is null ? " (no labels)" : "")}");
        }

        if (budget?.Labels is not null)
        {
            throw new EngineException(EngineErrorCodes.AccuracyBudgetInvalid,
                $"[AccuracyBudget] names Labels '{budget.Labels}' but no Validation inputs they label. Set Validation to the matching inputs.",
                budget.DeclaredAt);
        }

        var calibrationSet = calibration.OrderBy(c => c.Key, StringComparer.Ordinal).FirstOrDefault();
        if (calibrationSet.Value is StackedSamples { Inputs: [{ Values: { ElementType: TensorElementType.Float } stacked }] } && inputs.Count == 1 && stacked.Shape[0] > 0)
        {
            var data = new CalibrationDataSet(stacked.ToFloats()!, stacked.Shape);
            return FromSet(inputs[0].Name, data, null, $"{data.SampleCount} calibration samples (no Validation data)");
        }

        return Generate(model);
    }

    private static VerificationInputs FromSet(string inputName, CalibrationDataSet set, int[]? labels, string source) =>
        new([(inputName, set.Values, set.Shape.Skip(1).ToArray())], set.SampleCount, labels, source);

    private static VerificationInputs Generate(OnnxModel model)
    {
        var random = new Random(Seed);
        var list = new List<(string, float[], long[])>();
        foreach (var input in model.Graph.Inputs)
        {
            if (input.Type is not { Kind: ValueKind.Tensor, ElementType: TensorElementType.Float, Shape: { } shape })
            {
                throw new VerificationException(
                    $"input '{input.Name}' is {input.Type?.ToString() ?? "untyped"}; generated inputs are made only for float32 tensors of known rank. Declare Validation data in [AccuracyBudget].");
            }

            var sampleShape = shape.Skip(1).Select(d => d.Size is { } size and > 0 ? size : 1L).ToArray();
            var size = (int)sampleShape.Aggregate(1L, (a, d) => a * d);
            var values = new float[GeneratedSamples * size];
            for (var i = 0; i < values.Length; i++)
                values[i] = GeneratedMin + (float)random.NextDouble() * (GeneratedMax - GeneratedMin);
            list.Add((input.Name, values, sampleShape));
        }

        return new VerificationInputs(list, GeneratedSamples, null,
            string.Create(CultureInfo.InvariantCulture, $"{GeneratedSamples} generated samples (uniform [{GeneratedMin}, {GeneratedMax}), seed {Seed}, no Validation or calibration data)"))
        {
            Conclusive = model.Graph.Inputs.All(i => i.Type?.Shape is { } shape && shape.Skip(1).All(d => d.Size is > 0)),
        };
    }

    private static CalibrationDataSet ReadSamples(OptimizationPlan plan, OnnxModel model, string declared, string option, DiagnosticLocation? at)
    {
        var inputs = model.Graph.Inputs;
        if (inputs.Count != 1)
        {
            throw new EngineException(EngineErrorCodes.DataFileUnsupported,
                $"{option} data is read as the model's single input, but the model has {inputs.Count} inputs.", at);
        }

        return DataFile.ReadSamples(plan, declared, option, at, byteCount => RawShape(model, byteCount, declared, option, at));
    }

    private static long[] RawShape(OnnxModel model, long byteCount, string declared, string option, DiagnosticLocation? at)
    {
        var dims = model.Graph.Inputs[0].Type?.Shape;
        if (dims is null || dims.Count < 2 || dims.Skip(1).Any(d => d.Size is null))
        {
            throw new EngineException(EngineErrorCodes.DataFileUnsupported,
                $"'{declared}' is raw float32, whose sample shape is taken from the model's single input, but the input's dimensions after the first are not all fixed. Save the {option} data as .npy (samples first) instead.", at);
        }

        var sample = dims.Skip(1).Aggregate(1L, (product, d) => product * d.Size!.Value);
        var values = byteCount / sizeof(float);
        if (sample <= 0 || byteCount % sizeof(float) != 0 || values % sample != 0)
        {
            throw new EngineException(EngineErrorCodes.DataFileUnsupported,
                $"'{declared}' holds {byteCount} bytes, which is not a whole number of float32 samples of {sample} values (the model input's size). Check the file, or save it as .npy.", at);
        }

        return [values / sample, .. dims.Skip(1).Select(d => d.Size!.Value)];
    }

    private static int[] ReadLabels(OptimizationPlan plan, string declared, DiagnosticLocation? at)
    {
        var bytes = DataFile.ReadAllBytes(plan, declared, nameof(AccuracyBudgetAttribute.Labels), at);
        if (!declared.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            return bytes.Select(b => (int)b).ToArray();

        EngineException Bad(string problem) => new(EngineErrorCodes.DataFileUnsupported,
            $"The labels file '{declared}' {problem}. Save integer class indices with numpy.save (shape [N]), or as raw uint8, one byte per sample.", at);

        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw Bad("does not start with the .npy magic");
        if (bytes[6] is not (1 or 2 or 3) || (bytes[6] != 1 && bytes.Length < 12))
            throw Bad($"has .npy format version {bytes[6]}, or ends inside its header");
        var (headerLength, headerStart) = bytes[6] == 1
            ? ((long)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)), 10)
            : ((long)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)), 12);
        if (headerStart + headerLength > bytes.Length || headerLength > NpyParser.MaxHeaderBytes)
            throw Bad("has a header longer than the file, or longer than .npy headers are");
        var header = Encoding.Latin1.GetString(bytes, headerStart, (int)headerLength);
        var descr = Regex.Match(header, @"['""]descr['""]\s*:\s*['""]([^'""]*)['""]").Groups[1].Value;
        var shape = Regex.Match(header, @"['""]shape['""]\s*:\s*\(([^)]*)\)").Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
                : throw Bad($"has a shape entry '{d}' that is not a non-negative integer")).ToArray();
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
            throw Bad("is in Fortran order");
        if (shape.Length is 0 or > 2 || (shape.Length == 2 && shape[1] != 1))
            throw Bad($"has shape ({string.Join(", ", shape)}); labels are one integer per sample");
        var data = bytes.AsSpan((int)(headerStart + headerLength));
        var width = descr switch
        {
            "|u1" or "|i1" or "u1" or "i1" => 1,
            "<u2" or "<i2" => 2,
            "<u4" or "<i4" => 4,
            "<u8" or "<i8" => 8,
            _ => throw Bad($"has dtype '{descr}'; integer labels (int8..int64, uint8..uint64, little-endian) are read"),
        };
        if (shape[0] > data.Length / width)
            throw Bad($"declares {shape[0]} labels but holds {data.Length} data bytes");
        var count = (int)shape[0];
        var signed = descr.Contains('i');
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var item = data.Slice(i * width, width);
            labels[i] = (width, signed) switch
            {
                (1, false) => item[0],
                (1, true) => (sbyte)item[0],
                (2, false) => BinaryPrimitives.ReadUInt16LittleEndian(item),
                (2, true) => BinaryPrimitives.ReadInt16LittleEndian(item),
                (4, _) => BinaryPrimitives.ReadInt32LittleEndian(item),
                _ => BinaryPrimitives.ReadInt64LittleEndian(item) is var wide and >= int.MinValue and <= int.MaxValue ? (int)wide
                    : throw Bad($"holds the label {BinaryPrimitives.ReadInt64LittleEndian(item)} at index {i}, outside the int32 range of class indices"),
            };
        }

        return labels;
    }
}

/// <summary>The models cannot be compared (e.g. an input type we cannot generate data for).</summary>
internal sealed class VerificationException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The role (<see cref="ModelRunner.Original"/>, <see cref="ModelRunner.Optimized"/>) of the model ONNX Runtime failed to run, or null for other causes.</summary>
    public string? OnnxRuntimeFailedOn { get; init; }
}
