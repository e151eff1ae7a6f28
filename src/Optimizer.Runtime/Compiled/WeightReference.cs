using System.Runtime.InteropServices;

namespace Optimizer.Runtime.Compiled;

/// <summary>How a weight tensor is made from a model initializer's bytes at load time. The numbers are stored and stable.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public enum WeightTransform : byte
{
    /// <summary>The initializer's <c>raw_data</c> bytes as they are (an embedding table, a Conv's weights).</summary>
    Raw = 0,

    /// <summary><see cref="Kernels.PackB"/> of a float32 initializer; args: batch, k, n, transB.</summary>
    PackB = 1,

    /// <summary><see cref="Kernels.PackInt8B"/> of an int8 initializer; args: k, n, transB.</summary>
    PackInt8B = 2,

    /// <summary><see cref="Kernels.PackInt8TapMajor"/> of an int8 convolution's weights <c>[m, c, kh, kw]</c>; args: c, m, kh, kw.</summary>
    PackInt8TapMajor = 3,
}

/// <summary>
/// A weight tensor a kernel program does not store: at <see cref="Offset"/> in its weights it reads
/// <see cref="Length"/> bytes made by <see cref="Transform"/> from the ONNX model's initializer
/// <see cref="Initializer"/> (its <c>raw_data</c>), so an app carries the model's weights once.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record WeightReference(long Offset, long Length, string Initializer, WeightTransform Transform, IReadOnlyList<int> Args)
{
    /// <summary>Each transform's argument count: the one declaration the reader and writer check against.</summary>
    private static readonly int[] ArgCounts = [0, 4, 3, 4];

    /// <summary>The initializer's byte length this reference was made from; another length means another model.</summary>
    public long SourceLength => Transform switch
    {
        WeightTransform.PackB => checked((long)Args[0] * Args[1] * Args[2] * sizeof(float)),
        WeightTransform.PackInt8B => checked((long)Args[0] * Args[1]),
        WeightTransform.PackInt8TapMajor => checked((long)Args[0] * Args[1] * Args[2] * Args[3]),
        _ => Length,
    };

    /// <summary>The bytes the transform writes for its arguments, or -1 when they are not a valid set.</summary>
    internal long ProducedLength() => Transform switch
    {
        WeightTransform.Raw when Args.Count == 0 => Length,
        WeightTransform.PackB when Args.Count == 4 && Args[0] > 0 && Args[1] > 0 && Args[2] > 0 && Args[3] is 0 or 1 =>
            checked((long)Kernels.PackedBLength(Args[1], Args[2]) * Args[0] * sizeof(float)),
        WeightTransform.PackInt8B when Args.Count == 3 && Args[0] > 0 && Args[1] > 0 && Args[2] is 0 or 1 => Kernels.PackedInt8BLength(Args[0], Args[1]),
        // Bounded so the padded length ((m + 15) · (c + 3) · kh · kw bounds it) fits an int.
        WeightTransform.PackInt8TapMajor when Args.Count == 4 && Args.All(a => a > 0) && (Int128)(Args[0] + 3L) * (Args[1] + 15L) * Args[2] * Args[3] <= int.MaxValue =>
            Kernels.PackedInt8TapMajorLength(Args[0], Args[1], Args[2], Args[3]),
        _ => -1,
    };

    /// <summary>Whether <paramref name="transform"/> is one this runtime knows, and how many arguments it takes.</summary>
    internal static bool IsKnown(WeightTransform transform, out int argCount)
    {
        argCount = (int)transform < ArgCounts.Length ? ArgCounts[(int)transform] : -1;
        return argCount >= 0;
    }

    /// <summary>Writes the tensor from the initializer's bytes (<see cref="SourceLength"/> of them) into <paramref name="destination"/> (<see cref="Length"/>).</summary>
    public void Fill(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        switch (Transform)
        {
            case WeightTransform.PackB:
                Kernels.PackB(MemoryMarshal.Cast<byte, float>(source), MemoryMarshal.Cast<byte, float>(destination), Args[0], Args[1], Args[2], Args[3], Args[1] * Args[2]);
                break;
            case WeightTransform.PackInt8B:
                Kernels.PackInt8B(MemoryMarshal.Cast<byte, sbyte>(source), destination, Args[0], Args[1], Args[2]);
                break;
            case WeightTransform.PackInt8TapMajor:
                // Its verdict (pairs that fit vpmaddubsw) was the compiler's: these are the bytes it emitted.
                Kernels.PackInt8TapMajor(MemoryMarshal.Cast<byte, sbyte>(source), destination, Args[0], Args[1], Args[2], Args[3]);
                break;
            default:
                source.CopyTo(destination);
                break;
        }
    }
}

/// <summary>What a serialized kernel program carries of its weights.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public enum ProgramWeights
{
    /// <summary>Every weight: the program loads on its own.</summary>
    Inline,

    /// <summary>All but its <see cref="KernelProgram.References"/>, which it reads from the ONNX model at load time (what the build embeds: one copy of the weights per app).</summary>
    FromModel,
}
