using System.Buffers.Binary;
using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Passes;
using Optimizer.Runtime;

namespace Optimizer.Engine.Verification;

/// <summary>
/// Labels for validation (and training) samples: <c>.npy</c> of integers (int8..int64, uint8..uint64,
/// little-endian; shape [N] or [N, 1]), or any other file as raw uint8, one byte per sample.
/// </summary>
internal static partial class VerificationData
{
    private static readonly Dictionary<string, (int Width, bool Signed)> LabelTypes = new(StringComparer.Ordinal)
    {
        ["|u1"] = (1, false), ["u1"] = (1, false), ["|i1"] = (1, true), ["i1"] = (1, true),
        ["<u2"] = (2, false), ["<i2"] = (2, true),
        ["<u4"] = (4, false), ["<i4"] = (4, true),
        ["<u8"] = (8, false), ["<i8"] = (8, true),
    };

    private static int[] ReadLabels(OptimizationPlan plan, string declared, DiagnosticLocation? at)
    {
        var bytes = DataFile.ReadAllBytes(plan, declared, nameof(AccuracyBudgetAttribute.Labels), at);
        if (!declared.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            return bytes.Select(b => (int)b).ToArray();

        var subject = $"The labels file '{declared}'";
        const string Hint = "Save integer class indices with numpy.save (shape [N]), or as raw uint8, one byte per sample.";
        EngineException Bad(string problem) => new(EngineErrorCodes.DataFileUnsupported, $"{subject} {problem}. {Hint}", at);

        NpyHeader header;
        try
        {
            header = NpyHeader.Parse(bytes, subject);
        }
        catch (PassException e)
        {
            throw new EngineException(EngineErrorCodes.DataFileUnsupported, $"{e.Message} {Hint}", at);
        }

        var shape = header.Shape;
        if (header.FortranOrder)
            throw Bad("is in Fortran order");
        if (shape.Length is 0 or > 2 || (shape.Length == 2 && shape[1] != 1))
            throw Bad($"has shape ({string.Join(", ", shape)}); labels are one integer per sample");
        if (!LabelTypes.TryGetValue(header.Descr, out var type))
            throw Bad($"has dtype '{header.Descr}'; integer labels (int8..int64, uint8..uint64, little-endian) are read");
        var data = bytes.AsSpan(header.DataStart);
        if (shape[0] > data.Length / type.Width)
            throw Bad($"declares {shape[0]} labels but holds {data.Length} data bytes");
        var labels = new int[(int)shape[0]];
        for (var i = 0; i < labels.Length; i++)
        {
            var item = data.Slice(i * type.Width, type.Width);
            labels[i] = (type.Width, type.Signed) switch
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
