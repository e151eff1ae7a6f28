using System.Runtime.InteropServices;

namespace Optimizer.Runtime;

/// <summary>
/// The memory a generated kernel schedule works on for one call: the arena (scratch and
/// intermediate values, allocated once per batch size and reused), the program's weights (read in
/// place from the embedded resource) and the caller's pinned inputs and outputs, all as bytes.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public readonly unsafe ref struct KernelBuffers
{
    private readonly ReadOnlySpan<nint> _inputs;
    private readonly ReadOnlySpan<nint> _outputs;
    private readonly ReadOnlySpan<int> _inputBytes;
    private readonly ReadOnlySpan<int> _outputBytes;

    internal KernelBuffers(Span<byte> arena, ReadOnlySpan<byte> weights, ReadOnlySpan<nint> inputs, ReadOnlySpan<int> inputBytes,
        ReadOnlySpan<nint> outputs, ReadOnlySpan<int> outputBytes)
    {
        Arena = arena;
        Weights = weights;
        _inputs = inputs;
        _inputBytes = inputBytes;
        _outputs = outputs;
        _outputBytes = outputBytes;
    }

    /// <summary>The arena: at least the program's arena bytes for this batch size, 64-byte aligned.</summary>
    public Span<byte> Arena { get; }

    /// <summary>The program's constant weights.</summary>
    public ReadOnlySpan<byte> Weights { get; }

    /// <summary>The bytes of input <paramref name="index"/> (graph order).</summary>
    public Span<byte> Input(int index) => new((void*)_inputs[index], _inputBytes[index]);

    /// <summary>The bytes of output <paramref name="index"/> (graph order).</summary>
    public Span<byte> Output(int index) => new((void*)_outputs[index], _outputBytes[index]);

    /// <summary><paramref name="count"/> floats at byte <paramref name="offset"/> of <paramref name="bytes"/>.</summary>
    public static Span<float> F32(Span<byte> bytes, int offset, int count) => MemoryMarshal.Cast<byte, float>(bytes.Slice(offset, count * sizeof(float)));

    /// <inheritdoc cref="F32(Span{byte}, int, int)"/>
    public static ReadOnlySpan<float> F32(ReadOnlySpan<byte> bytes, int offset, int count) => MemoryMarshal.Cast<byte, float>(bytes.Slice(offset, count * sizeof(float)));

    /// <summary><paramref name="count"/> bytes at byte <paramref name="offset"/> of <paramref name="bytes"/>.</summary>
    public static Span<byte> U8(Span<byte> bytes, int offset, int count) => bytes.Slice(offset, count);

    /// <inheritdoc cref="U8(Span{byte}, int, int)"/>
    public static ReadOnlySpan<byte> U8(ReadOnlySpan<byte> bytes, int offset, int count) => bytes.Slice(offset, count);

    /// <summary><paramref name="count"/> 32-bit integers at byte <paramref name="offset"/> of <paramref name="bytes"/>.</summary>
    public static Span<int> S32(Span<byte> bytes, int offset, int count) => MemoryMarshal.Cast<byte, int>(bytes.Slice(offset, count * sizeof(int)));

    /// <inheritdoc cref="S32(Span{byte}, int, int)"/>
    public static ReadOnlySpan<int> S32(ReadOnlySpan<byte> bytes, int offset, int count) => MemoryMarshal.Cast<byte, int>(bytes.Slice(offset, count * sizeof(int)));
}
